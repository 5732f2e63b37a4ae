"""The parts of ``users_admin`` that are not service entry points: its errors, the rows and
results it returns, and the two helpers every user change needs (the key-slot file and the NK
for a slot with number-use rights). ``users_admin`` re-exports the public names."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import InvalidInput, PermissionDenied
from app.security import roles as role_defs
from app.security.keyslots import KeySlotFile, Slot
from app.security.session import Session, SessionView, session_of
from app.store.layout import RegisterLayout

MAX_KEYS_PER_USER = 2


class NumberGrantNeedsHolder(PermissionDenied):
    code = "E_NUMBER_GRANT_NEEDS_HOLDER"
    message_ja = (
        "番号利用事務の権限を付与するには、番号利用事務担当者のログイン（または回復コード）が"
        "必要です。"
    )


class TooManyKeys(InvalidInput):
    code = "E_KEYS_LIMIT"
    message_ja = f"セキュリティキーは1人{MAX_KEYS_PER_USER}本までです。"


class LastKey(InvalidInput):
    code = "E_LAST_KEY"
    message_ja = "最後のセキュリティキーは削除できません。利用停止には「無効化」を使ってください。"


class LoginTaken(InvalidInput):
    code = "E_LOGIN_TAKEN"
    message_ja = "このユーザー名または職員番号は既に使われています。"


class UnknownRole(InvalidInput):
    code = "E_ROLE_UNKNOWN"
    message_ja = "存在しない役割が指定されています。"


class SelfDeactivation(InvalidInput):
    code = "E_SELF_DEACTIVATE"
    message_ja = "自分自身を無効化することはできません。"


@dataclass(frozen=True, slots=True)
class AccessRow:
    user_id: int
    login: str
    staff_no: str
    display_name: str
    roles: tuple[str, ...]
    active: bool
    keys: int
    last_login_at: str | None
    shared_account: bool
    stale: bool
    holds_number_rights: bool


@dataclass(frozen=True, slots=True)
class KeyInfo:
    slot_id: str
    enrolled_at: str
    backend: str


# What a deactivation did to the number key NK (``Deactivation.number_key``).
NK_UNAFFECTED = "unaffected"  # the user held no NK: nothing to rotate
NK_ROTATED = "rotated"  # rotated at once with an NK at hand (a present number-use user)
NK_DUE = "due"  # nobody with NK present: the next number-use sign-in rotates it


@dataclass(frozen=True, slots=True)
class Deactivation:
    slots_removed: int
    number_key: str  # NK_UNAFFECTED / NK_ROTATED / NK_DUE


def keyslots(session: Session) -> KeySlotFile:
    return KeySlotFile.load(RegisterLayout(session.register.directory).keyslots)


def grant_number_key(
    session: Session,
    new_roles: tuple[str, ...],
    holder: Session | SessionView | None,
    nk: bytes | None,
) -> bytes | None:
    """NK for a slot with number-use rights: from the recovery code or a present holder."""
    if not role_defs.needs_number_key(new_roles):
        return None
    if nk is not None:
        return nk
    holder = None if holder is None else session_of(holder)
    if (
        holder is not None
        and holder.holds_number_key
        and holder.register.register_id == session.register.register_id
        and holder.user_id != session.user_id
    ):
        return holder.number_key()
    raise NumberGrantNeedsHolder()


def append_below_limit(fresh: KeySlotFile, login: str, slot: Slot) -> None:
    if len(fresh.user_slots(login)) >= MAX_KEYS_PER_USER:
        raise TooManyKeys()
    fresh.slots.append(slot)
