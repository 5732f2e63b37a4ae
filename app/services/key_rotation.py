"""鍵の更新: give the register a new DEK (administrators only, audited, with progress).

Deactivating a user removes their key slots, so they can no longer unwrap the DEK; but a person
who once signed in could have kept the DEK itself (every session holds it) and, with a copy of the
file, still read it. 鍵の更新 ends that: the register is copied into a new file under a new DEK
and every key slot receives the new DEK. The holders are not needed: the new DEK is sealed to
each slot's X25519 inbox key (:mod:`app.security.key_delivery`) and settled into the slot's own
box at its next sign-in.

Order, so that a SIGKILL at any point leaves a register that opens (``register.open_current``
tries a delivered DEK first, then the slot's own one):

1. exclusive lock on the register (refused while another session has it open), audit
   ``register.rekey`` ``started``;
2. ``sqlcipher_export`` into ``register.vxdb.rekey`` under the new DEK, fsynced, checked;
3. the new DEK is delivered to every slot (``keyslots.json``; the old boxes stay);
4. ``os.replace`` switches the file (one atomic rename), the folder is fsynced;
5. this session continues on the new file; audit ``register.rekey`` (phase ``switched``).

A kill before 4 leaves the old file (the deliveries do not open it and are dropped at the next
sign-in); after 4, the new file, which every slot opens through its delivery.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.errors import InvalidInput
from app.security import audit_head
from app.security import permissions as perm
from app.security.key_delivery import deliver, key_id
from app.security.keyslots import KeySlotFile
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services._terminal_state import audit_head_for
from app.services.register import secret_store_for
from app.store import db, register_meta, rekey
from app.store.layout import RegisterLayout

TMP_SUFFIX = ".rekey"
EXPORT_SHARE = 0.9  # of the progress bar: the copy; the rest is the check and the switch


class SlotsNotReady(InvalidInput):
    """A key slot written before key delivery (no inbox key yet): it could not get the new DEK."""

    code = "E_REKEY_SLOTS_NOT_READY"


@dataclass(frozen=True, slots=True)
class RekeyResult:
    slots: int
    size_bytes: int


Progress = Callable[[float, str], None]
# test seam: called with the name of each step as it completes (kill-point tests)
_after_step: Callable[[str], None] = lambda step: None  # noqa: E731


def temp_path(layout: RegisterLayout) -> Path:
    return layout.database.with_name(layout.database.name + TMP_SUFFIX)


def rekey_register(
    session: Session | SessionView,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> RekeyResult:
    """Switch the register to a new DEK (see the module docstring). Every other session of the
    register must be signed out (E_REKEY_BUSY); every slot must have been used once since this
    version (E_REKEY_SLOTS_NOT_READY names how many have not). Nothing changes on a refusal."""
    session = session_of(session)
    _audit.require(session, perm.REGISTER_REKEY, "register.rekey")
    reg = session.register
    layout = RegisterLayout(reg.directory)
    ks = KeySlotFile.load(layout.keyslots)
    unready = sum(1 for s in ks.slots if s.inbox_pub is None)
    if unready:
        _refused(session, SlotsNotReady.code, unready=unready)
        raise SlotsNotReady(
            f"鍵の更新には、すべての利用者が一度ログインしている必要があります（未完了 {unready} 件。"
            "回復用の鍵は回復コードを一度使うと準備されます）。台帳は変更していません。"
        )
    say = progress or (lambda fraction, text: None)
    conn = reg.conn
    try:
        rekey.hold_exclusively(conn)
    except rekey.RegisterBusy:
        _refused(session, rekey.RegisterBusy.code)
        raise
    tmp = temp_path(layout)
    new_dek = os.urandom(32)
    try:
        _audit.record_now(session, "register.rekey", detail={"phase": "started"})
        tmp.unlink(missing_ok=True)  # a copy left by an earlier, interrupted 鍵の更新
        say(0.0, "台帳を新しい鍵で書き出しています…")
        rekey.export_to(
            conn,
            tmp,
            new_dek,
            progress=lambda f: say(f * EXPORT_SHARE, "台帳を新しい鍵で書き出しています…"),
            cancelled=cancelled,
        )
        _after_step("exported")
        say(EXPORT_SHARE, "書き出した台帳を確認しています…")
        _check_copy(tmp, new_dek, reg.register_id)
        say(0.95, "鍵ファイルを更新しています…")
        slots = ks.update(lambda fresh: _deliver_all(fresh, new_dek))
        _after_step("delivered")
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        rekey.release(conn)
        if isinstance(exc, Exception):
            _refused(session, getattr(exc, "code", "E_INTERNAL"), outcome="failed")
        raise
    try:
        os.replace(tmp, layout.database)  # the switch: one rename
    except OSError:
        # Windows cannot replace a file that is open, this session's own connection included:
        # close it (every other session was refused above) and rename once more.
        db.set_commit_hook(conn, None)
        conn.close()
        try:
            os.replace(tmp, layout.database)
        except OSError:
            tmp.unlink(missing_ok=True)
            _continue_on_new_file(session, layout, ks, reg.dek)  # back on the unchanged file
            _refused(session, rekey.RegisterBusy.code, outcome="failed")
            raise rekey.RegisterBusy() from None
    rekey.fsync_dir(layout.directory)
    _after_step("switched")
    _continue_on_new_file(session, layout, ks, new_dek)
    _after_step("reopened")
    _audit.record_now(
        session,
        "register.rekey",
        detail={"phase": "switched", "slots": slots, "key_id": key_id(new_dek)[:8]},
    )
    say(1.0, "鍵の更新が終わりました。")
    return RekeyResult(slots, layout.database.stat().st_size)


def _refused(session: Session, code: str, *, outcome: str = "denied", **detail: int) -> None:
    _audit.record_now(session, "register.rekey", outcome=outcome, detail={"code": code, **detail})


def _deliver_all(fresh: KeySlotFile, new_dek: bytes) -> int:
    for slot in fresh.slots:
        if not deliver(
            fresh.register_id, slot.inbox_pub, slot.slot_id, slot.deliveries, "dek", new_dek
        ):
            raise SlotsNotReady()  # checked before; a slot added meanwhile: nothing switched
    return len(fresh.slots)


def _check_copy(path: Path, dek: bytes, register_id: str) -> None:
    """The new file opens with the new DEK and is this register."""
    conn = db.connect(path, dek, readonly=True)
    try:
        if register_meta.register_id(conn) != register_id:
            raise db.RegisterDamaged()
    finally:
        conn.close()


def _continue_on_new_file(
    session: Session, layout: RegisterLayout, ks: KeySlotFile, new_dek: bytes
) -> None:
    """Close the session's connection (if still open) and go on with the file at the register's
    path under ``new_dek``, the audit head tracked as before."""
    reg = session.register
    old = reg.conn
    db.set_commit_hook(old, None)
    old.close()
    conn = db.connect(layout.database, new_dek)
    db.enable_wal(conn)
    store = secret_store_for(layout, ks.demo)
    head = audit_head_for(layout, ks.register_id, store, store.get(ks.register_id))
    audit_head.track(conn, head)
    reg.conn = conn
    reg.dek = new_dek
