"""The current number key NK, and its rotation when number rights are removed (issue 11 item 4).

The register records which NK is current (``number_key_id`` in ``meta``: a public key id, see
:func:`app.security.key_delivery.key_id`). A slot's own NK box may hold an older NK; the newer
ones reach it as deliveries (sealed to the slot's X25519 inbox, each proved by the NK before it)
and are settled into the box at the holder's next sign-in.

Rotation, in this order (crash safety: a SIGKILL at any point leaves every remaining holder able
to read every number):

1. the new NK is delivered to every remaining number-use slot and the recovery slot
   (``keyslots.json``; their old boxes stay, so the old NK still works while step 2 has not
   committed);
2. one transaction re-encrypts every ``person_numbers`` value (voided ones too) and its blind
   index under the new NK, records the new id and the audit entry.

After the commit the old NK decrypts nothing in the register. Backups taken before still hold
old ciphertext under the old NK (README security section).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from app.security import roles as role_defs
from app.security.key_delivery import (
    deliver,
    follow_nk_chain,
    inbox_tag,
    inbox_vouched,
    key_id,
    rotation_proof,
)
from app.security.keyslots import KeySlotFile, Slot, UnwrappedKeys
from app.security.person_numbers import NumberCipher
from app.security.session import Session, SessionView, session_of
from app.store import audit, db, person_numbers, register_meta

NK_ID_META = "number_key_id"
ROTATION_DUE_META = "number_key_rotation_due"


class StaleNumberKey(Exception):
    """The NK offered for a rotation is not the register's current one (nothing changed)."""


@dataclass(frozen=True, slots=True)
class Rotation:
    numbers: int  # values re-encrypted
    delivered: int  # slots the new NK was sealed to
    not_ready: int  # number-use slots without an inbox key: they lose NK until a reset
    nk: bytes = field(repr=False)  # the new NK (for the session that rotated it)


def current_nk(conn: db.Connection, keys: UnwrappedKeys) -> bytes | None:
    """The register's current NK as the unwrapped slot reaches it, or None."""
    current = register_meta.get_meta(conn, NK_ID_META)
    if not current:
        return keys.nk  # never rotated
    return follow_nk_chain(keys.nk, keys.delivered, current)


def current_dek_first(keys: UnwrappedKeys) -> list[bytes]:
    """The DEKs to try on the register file: a delivered (newer) one first."""
    return [k for k in (keys.delivered.dek, keys.dek) if k is not None]


def settle(ks: KeySlotFile, keys: UnwrappedKeys, dek: bytes, nk: bytes | None) -> None:
    """After a sign-in found the current keys: seal them into the slot's boxes and drop its
    deliveries (only if something is delivered or stale; a concurrent change wins)."""
    unchanged = (dek, nk) == (keys.dek, keys.nk) and keys.inbox is not None
    if unchanged and keys.delivered.dek is None and not keys.delivered.nk_chain:
        return
    if not keys.kek:
        return

    def change(fresh: KeySlotFile) -> None:
        slot = fresh.slot(keys.slot_id)
        if slot is None:
            return
        now = fresh.unwrap_with_kek(slot, keys.kek)
        if now.delivered != keys.delivered:
            return  # delivered to meanwhile: the next sign-in settles
        fresh.settle(keys.slot_id, keys.kek, dek, nk)

    ks.update(change)


def _holds_nk(slot: Slot) -> bool:
    if "nk" not in slot.wrapped and not slot.deliveries.get("nk"):
        return False
    return slot.kind == "recovery" or (
        slot.roles is not None and role_defs.needs_number_key(slot.roles)
    )


def rotate(
    conn: db.Connection,
    ks: KeySlotFile,
    old_nk: bytes,
    *,
    terminal_id: str,
    user_id: int | None,
    reason: str,
) -> Rotation:
    """Replace NK: deliver the new one to the remaining number-use slots, then re-encrypt every
    number and blind index in one transaction (audited ``mynumber.rekey``)."""
    current = register_meta.get_meta(conn, NK_ID_META)
    if current and current != key_id(old_nk):
        raise StaleNumberKey()
    new_nk = os.urandom(32)
    proof = rotation_proof(old_nk, key_id(new_nk))

    def hand_out(fresh: KeySlotFile) -> tuple[int, int]:
        sent = missing = 0
        for slot in fresh.slots:
            if not _holds_nk(slot):
                continue
            pub = slot.inbox_pub
            if pub is None or not inbox_vouched(
                old_nk, fresh.register_id, slot.slot_id, pub, slot.inbox_tag
            ):
                missing += 1  # no inbox yet, or one nobody holding NK vouched for
                continue
            if deliver(
                fresh.register_id,
                slot.inbox_pub,
                slot.slot_id,
                slot.deliveries,
                "nk",
                new_nk,
                proof,
            ):
                sent += 1
                slot.inbox_tag = inbox_tag(new_nk, fresh.register_id, slot.slot_id, pub)
            else:
                missing += 1
        return sent, missing

    sent, missing = ks.update(hand_out)
    old, new = NumberCipher(old_nk), NumberCipher(new_nk)
    count = 0
    with db.transaction(conn):
        for batch in person_numbers.all_ciphertexts(conn):
            out = []
            for row_id, uid, blob in batch:
                number = old.decrypt(uid, blob)  # one that does not open aborts everything
                out.append((new.encrypt(uid, number), new.blind_index(number), row_id))
            person_numbers.replace_ciphertexts(conn, out)
            count += len(out)
        register_meta.set_meta(conn, NK_ID_META, key_id(new_nk))
        register_meta.set_meta(conn, ROTATION_DUE_META, "0")
        audit.append(
            conn,
            action="mynumber.rekey",
            terminal_id=terminal_id,
            user_id=user_id,
            detail={
                "reason": reason,
                "numbers": count,
                "slots_delivered": sent,
                "slots_not_ready": missing,
            },
        )
    return Rotation(count, sent, missing, new_nk)


def mark_due(conn: db.Connection, *, terminal_id: str, user_id: int | None, reason: str) -> None:
    """No NK at hand where number rights were removed: the first number-use sign-in rotates."""
    with db.transaction(conn):
        register_meta.set_meta(conn, ROTATION_DUE_META, "1")
        audit.append(
            conn,
            action="mynumber.rekey_due",
            terminal_id=terminal_id,
            user_id=user_id,
            detail={"reason": reason},
        )


def rotation_due(conn: db.Connection) -> bool:
    return register_meta.get_meta(conn, ROTATION_DUE_META) == "1"


def after_removal(
    session: Session,
    ks: KeySlotFile,
    *,
    reason: str,
    old_nk: bytes | None = None,
    holder: Session | SessionView | None = None,
    recovery_nk: bytes | None = None,
) -> Rotation | None:
    """Number rights were just removed (slots already gone or re-bound without NK): rotate NK
    with the first NK at hand -- the removed holder's own (a role change with them present), the
    acting session's, a present number holder's, the recovery code's -- or mark it due for the
    first number-use sign-in. The removal itself never waits for this."""
    conn = session.register.conn
    candidates = [old_nk, _held(session), recovery_nk]
    live = None if holder is None else session_of(holder)
    if live is not None and live.register.register_id == session.register.register_id:
        candidates.append(_held(live))
    current = register_meta.get_meta(conn, NK_ID_META)
    for nk in candidates:
        if nk is not None and (not current or key_id(nk) == current):
            return rotate(
                conn,
                ks,
                nk,
                terminal_id=session.register.terminal_id,
                user_id=session.user_id,
                reason=reason,
            )
    mark_due(conn, terminal_id=session.register.terminal_id, user_id=session.user_id, reason=reason)
    return None


def _held(session: Session) -> bytes | None:
    return session.number_key() if session.holds_number_key else None


def holds_number_key(slots: list[Slot]) -> bool:
    """Whether any of these slots can reach NK (its removal calls for a rotation)."""
    return any(_holds_nk(s) for s in slots)
