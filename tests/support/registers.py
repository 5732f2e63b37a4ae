"""Helpers that build small encrypted registers for tests."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

from fido2.client import WebAuthnClient

from app.domain.kana import normalize_kana
from app.security.fido.backends import Ctap2ClientBackend
from app.security.fido.interface import PromptInteraction
from app.security.fido.software import SoftwareAuthenticator
from app.security.session import Session
from app.services.recovery import open_with_recovery_code
from app.services.register import NewUser, login
from app.services.register_create import create_register
from app.services.security_key import KeyAccess
from app.store import db, persons
from tests.support.builder import RegisterBuilder

USERS = {
    "admin": NewUser("admin", "管理 一郎", "90001", "pw-admin-0001", ("admin",)),
    "clerk": NewUser("clerk", "窓口 二郎", "90002", "pw-clerk-0002", ("clerk",)),
    "nurse": NewUser("nurse", "保健 三子", "90003", "pw-nurse-0003", ("nurse",)),
    "number": NewUser("number", "番号 四郎", "90004", "pw-number-0004", ("number",)),
    "auditor": NewUser("auditor", "監査 五子", "90005", "pw-auditor-0005", ("auditor",)),
}

PEOPLE = [
    # atena_no, name, kana, sex, birth
    ("0000000001", "山田 太郎", "ヤマダ タロウ", "M", "2025-05-10"),
    ("0000000002", "山田 花子", "ヤマダ ハナコ", "F", "1990-04-01"),
    ("0000000003", "山本 一", "ヤマモト ハジメ", "M", "1958-11-03"),
    ("0000000004", "佐藤 次郎", "サトウ ジロウ", "M", "2020-04-01"),
    ("0000000005", "城 洋子", "ジョウ ヨウコ", "F", "1970-01-31"),
]


TEST_KEY_AAGUID = uuid.uuid5(uuid.NAMESPACE_URL, "urn:vaxdesk:tests:stand-in-key").bytes


class StandInKey(Ctap2ClientBackend):
    """The software authenticator presented as a hardware key (own backend name and AAGUID).

    Real registers refuse the app's software backend and its AAGUID at enrolment (issue 11 item
    10); tests that need a non-demo register enrol this stand-in instead. (A CTAP emulator like
    this one is exactly what the AAGUID check cannot tell from a device: attestation is not
    checked against vendor roots offline. The check stops the app's own demo key.)"""

    name = "test-key"

    def __init__(self, authenticator: SoftwareAuthenticator) -> None:
        super().__init__()
        self.authenticator = authenticator

    def is_available(self) -> tuple[bool, str]:
        return True, ""

    @contextlib.contextmanager
    def _session(self, rp_id: str, interaction: PromptInteraction) -> Iterator[WebAuthnClient]:
        yield self._new_client(self.authenticator, rp_id, interaction)


def stand_in_key(
    state_path: Path | None = None, *, authenticator: SoftwareAuthenticator | None = None
) -> KeyAccess:
    """A test security key for non-demo registers (see :class:`StandInKey`)."""
    device = authenticator or SoftwareAuthenticator(state_path, aaguid=TEST_KEY_AAGUID)
    return KeyAccess(StandInKey(device))


def software_key(directory: Path) -> KeyAccess:
    """The test security key of a (non-demo) test register: a stand-in hardware key whose
    state file sits beside the register folder."""
    state = Path(directory).with_name(Path(directory).name + ".test-authenticator.json")
    return stand_in_key(state)


def make_register(directory: Path, *, with_people: bool = True, demo: bool = False) -> str:
    """Create a register with the five standard users (and a few people); return recovery code.

    Demo registers use the demo software key automatically; others use ``software_key``."""
    created = create_register(
        directory,
        admin=USERS["admin"],
        others=[u for k, u in USERS.items() if k != "admin"],
        demo=demo,
        municipality_code="192015",
        municipality_name="テスト市",
        key=None if demo else software_key(directory),
    )
    if with_people:
        access = open_with_recovery_code(directory, created.recovery_code)
        conn = access.register.conn
        build = RegisterBuilder(conn)
        with db.transaction(conn):
            household = build.household("H0001", "テスト市本町1-2-3")
            ids = {}
            for atena, name, kana, sex, birth in PEOPLE:
                ids[atena] = build.person(
                    persons.NewPerson(
                        atena_no=atena,
                        name=name,
                        name_kana=kana,
                        kana_key=normalize_kana(kana),
                        sex=sex,
                        birth_date=birth,
                        address="テスト市本町1-2-3",
                        household_id=household if name.startswith("山田") else None,
                        relationship={"山田 太郎": "子", "山田 花子": "世帯主"}.get(name),
                    )
                )
            build.set_guardian(ids["0000000001"], ids["0000000002"])
        access.register.close()
    return created.recovery_code


def password(login: str) -> str:
    return USERS[login].password


def login_as(directory: Path, user: str, pw: str | None = None) -> Session:
    layout_demo = (Path(directory) / "demo-keyring.json").exists()
    key = None if layout_demo else software_key(directory)
    return login(directory, user, USERS[user].password if pw is None else pw, key=key)


def add_masters(directory: Path, recovery_code: str) -> None:
    """An institution, two vaccines with lots (one expired) and an area code for the household."""
    access = open_with_recovery_code(directory, recovery_code)
    conn = access.register.conn
    build = RegisterBuilder(conn)
    with db.transaction(conn):
        build.institution("1310000001", "テスト小児科", address="テスト市本町2-1")
        masters = (
            (
                "mr",
                "乾燥弱毒生麻しん風しん混合ワクチン",
                [("MR001", "2099-12-31"), ("MR-OLD", "2020-01-31")],
            ),
            ("varicella", "乾燥弱毒生水痘ワクチン", [("VZ001", "2099-12-31")]),
            ("dpt_ipv_hib", "5種混合ワクチン", [("GB001", "2099-12-31")]),
        )
        for product, name, lots in masters:
            vaccine_id = build.vaccine(product, name, "テスト製薬")
            for lot_no, expires in lots:
                build.lot(vaccine_id, lot_no, expires)
        build.set_area("01")
        build.office("テスト市 保健センター", "テスト市本町1-1", "03-1234-5678")
    access.register.close()
