"""The office (窓口) named on individual notices: name, address and phone (register settings).

Set by an administrator (permission ``settings.manage``); every change is audited. Notices
refuse to print until all three are set, so that no letter leaves with an empty inquiry line.
"""

from __future__ import annotations

import re
import unicodedata

from app.errors import ConfigError, InvalidInput
from app.security import permissions as perm
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services._transaction import write
from app.store import office as office_repo
from app.store.office import OfficeSettings as OfficeSettings  # (the UI takes it from here)

NAME_MAX, ADDRESS_MAX = 60, 120
# Japanese fixed-line / mobile / free-dial numbers: 10–11 digits starting with 0, with hyphens.
PHONE = re.compile(r"0\d{1,4}-?\d{1,4}-?\d{3,4}")


class OfficeNotSet(ConfigError):
    code = "E_OFFICE_NOT_SET"
    message_ja = (
        "個別通知に載せる窓口の名称・住所・電話番号が台帳に設定されていません。"
        "管理者が「管理 → 窓口の設定」で設定してから印刷してください"
        "（コマンドでは vaxdesk settings office）。"
    )


class OfficeInvalid(InvalidInput):
    code = "E_OFFICE_INVALID"
    message_ja = "窓口の設定内容に誤りがあります。"


def _clean(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).split())


def validate(name: str, address: str, phone: str) -> tuple[str, str, str]:
    """Normalized (name, address, phone), or ``OfficeInvalid`` naming the field at fault."""
    name, address = _clean(name), _clean(address)
    digits = _clean(phone).replace(" ", "").replace("ー", "-").replace("−", "-")
    if not name or len(name) > NAME_MAX:
        raise OfficeInvalid(
            f"窓口の名称を{NAME_MAX}文字以内で入力してください。", code="E_OFFICE_NAME"
        )
    if not address or len(address) > ADDRESS_MAX:
        raise OfficeInvalid(
            f"窓口の住所を{ADDRESS_MAX}文字以内で入力してください。", code="E_OFFICE_ADDRESS"
        )
    count = sum(ch.isdigit() for ch in digits)
    if not PHONE.fullmatch(digits) or not 10 <= count <= 11:
        raise OfficeInvalid(
            "窓口の電話番号を 03-1234-5678 のように10〜11桁で入力してください。",
            code="E_OFFICE_PHONE",
        )
    return name, address, digits


def current(session: Session | SessionView) -> OfficeSettings | None:
    """The settings as stored (None when never set), for the administrator's screen."""
    session = session_of(session)
    _audit.require(session, perm.SETTINGS_MANAGE, "settings.office.read")
    return office_repo.get_office(session.register.conn)


def set_office(
    session: Session | SessionView, name: str, address: str, phone: str
) -> OfficeSettings:
    """Validate and store; one transaction with its audit entry. Bad input changes nothing."""
    session = session_of(session)
    _audit.require(session, perm.SETTINGS_MANAGE, "settings.office")
    name, address, phone = validate(name, address, phone)
    with write(session) as w:
        before = office_repo.get_office(w.conn)
        office = OfficeSettings(
            name, address, phone, w.stamp.updated_date, w.stamp.updated_time, w.stamp.updated_by
        )
        office_repo.set_office(w.conn, office)
        changed = [
            f
            for f in ("name", "address", "phone")
            if before is None or getattr(before, f) != getattr(office, f)
        ]
        _audit.record(session, "settings.office", detail={"changed": changed})
    return office
