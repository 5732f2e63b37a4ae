"""個人番号 (My Number): entry, exact search, masked display and reveal with a reason.

Only sessions whose roles include ``mynumber.*`` hold the number key NK, so only they can reach
any function here beyond the permission check. Every call is audited with ids only.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.ids import validate_mynumber
from app.errors import InvalidInput, NotFound
from app.security import permissions as perm
from app.security.masking import mask_digits
from app.security.person_numbers import NumberCipher
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services._transaction import write
from app.store import person_numbers, stamps

REVEAL_SECONDS = 30
REVEAL_REASONS = {
    "identity_check": "本人確認",
    "transfer": "転入・転出の照合",
    "inquiry": "照会への回答",
    "linkage": "情報連携",
    "other": "その他",
}


class RevealReasonRequired(InvalidInput):
    code = "E_REVEAL_REASON"


class NumberInUse(InvalidInput):
    code = "E_MYNUMBER_DUPLICATE"


@dataclass(frozen=True, slots=True)
class Revealed:
    number: str
    seconds: int


def _cipher(session: Session) -> NumberCipher:
    return NumberCipher(session.number_key())


def set_number(session: Session | SessionView, person_id: int, number: str) -> None:
    """Enter or correct a person's 個人番号 (check digit verified; never logged)."""
    session = session_of(session)
    _audit.require(session, perm.MYNUMBER_WRITE, "mynumber.write", person_id=person_id)
    clean = validate_mynumber(number)
    cipher = _cipher(session)
    index = cipher.blind_index(clean)
    conn = session.register.conn
    uid = person_numbers.person_uid(conn, person_id)
    if uid is None:
        raise NotFound()
    if any(pid != person_id for pid in person_numbers.person_ids_by_index(conn, index)):
        _audit.record_now(
            session,
            "mynumber.write",
            outcome="failed",
            person_id=person_id,
            detail={"code": NumberInUse.code},
        )
        raise NumberInUse()
    with write(session) as w:
        row_id, row_uid = person_numbers.upsert(
            w.conn,
            person_id=person_id,
            number_ct=cipher.encrypt(uid, clean),
            blind_index=index,
            uid=stamps.new_uid(),
            version=w.version,
            origin=w.origin,
            stamp=w.stamp,
        )
        w.queue("person_number", row_uid)
        _audit.record(
            session,
            "mynumber.write",
            person_id=person_id,
            record_type="person_number",
            record_id=row_id,
        )


def find_person(session: Session | SessionView, number: str) -> int | None:
    """Exact search by 個人番号 through the blind index; returns the person id."""
    session = session_of(session)
    _audit.require(session, perm.MYNUMBER_SEARCH, "mynumber.search")
    clean = validate_mynumber(number)
    ids = person_numbers.person_ids_by_index(
        session.register.conn, _cipher(session).blind_index(clean)
    )
    _audit.record_now(session, "mynumber.search", detail={"results": len(ids)})
    return ids[0] if ids else None


def masked_number(session: Session | SessionView, person_id: int) -> str | None:
    """The number with only its last 4 digits visible, for number-use staff."""
    session = session_of(session)
    _audit.require(session, perm.MYNUMBER_READ, "mynumber.view", person_id=person_id)
    row = person_numbers.get_for_person(session.register.conn, person_id)
    if row is None:
        return None
    return mask_digits(_cipher(session).decrypt(row.person_uid, row.number_ct))


def reveal_number(
    session: Session | SessionView, person_id: int, reason: str, note: str = ""
) -> Revealed:
    """The full number for ``REVEAL_SECONDS`` (the screen hides it again), with a recorded reason."""
    session = session_of(session)
    _audit.require(session, perm.MYNUMBER_READ, "mynumber.reveal", person_id=person_id)
    if reason not in REVEAL_REASONS or (reason == "other" and len(note.strip()) < 2):
        raise RevealReasonRequired()
    row = person_numbers.get_for_person(session.register.conn, person_id)
    if row is None:
        raise NotFound("この住民には個人番号が登録されていません。")
    number = _cipher(session).decrypt(row.person_uid, row.number_ct)
    _audit.record_now(
        session,
        "mynumber.reveal",
        person_id=person_id,
        record_type="person_number",
        record_id=row.id,
        detail={"reason": reason, "note": note},
    )
    return Revealed(number, REVEAL_SECONDS)
