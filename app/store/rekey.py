"""The database half of 鍵の更新: copy the open register into a new file under a new DEK.

``sqlcipher_export`` writes every table, index, trigger and row into a fresh file keyed with the
new raw key, in the current page format (so 鍵の更新 also brings a register written in the legacy
HMAC-SHA512 format to the current one, see app/store/db.py); the caller switches files atomically (``os.replace``), so the register on disk is
always one whole file under one key. Progress is the size of the new file against the old one
(watched from the calling thread, which can also cancel).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

import sqlcipher3

from app.errors import RegisterError
from app.store.db import PAGE_HMAC, Connection, QueryCancelled, create_private_file, keyed

_LOOK_SECONDS = 0.1  # between two looks at the new file's size


class RegisterBusy(RegisterError):
    """Another connection has the register open: it cannot be switched to a new key."""

    code = "E_REKEY_BUSY"


def hold_exclusively(conn: Connection) -> None:
    """Leave WAL (folding it into the file) and keep an exclusive lock until the connection closes:
    no other connection can read or write the register while it is copied and switched. Raises
    RegisterBusy if another connection has it open."""
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mode = str(conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]).lower()
    except sqlcipher3.OperationalError as exc:
        raise RegisterBusy() from exc
    if mode != "delete":
        raise RegisterBusy()
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    try:
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    except sqlcipher3.OperationalError as exc:
        raise RegisterBusy() from exc


def release(conn: Connection) -> None:
    """Back to normal locking and WAL (after a refused or cancelled switch)."""
    conn.execute("PRAGMA locking_mode = NORMAL")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # drops the exclusive lock
    conn.execute("PRAGMA journal_mode = WAL")


def file_size(conn: Connection) -> int:
    page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    return page_size * int(conn.execute("PRAGMA page_count").fetchone()[0])


def export_to(
    conn: Connection,
    dest: Path,
    new_dek: bytes,
    *,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> None:
    """Write the whole register into the new file ``dest`` (must not exist) under ``new_dek``
    and fsync it. On any failure or cancel the new file is removed; the register is untouched.

    ``sqlcipher_export`` runs on a worker thread (SQLite releases the GIL while it works) while
    this thread reports the new file's growth and, on ``cancelled()``, interrupts it (SQLCipher
    switches SQLite's progress handler off inside the export, so that cannot be used)."""
    if len(new_dek) != 32:
        raise ValueError("DEK must be 32 bytes")
    total = max(file_size(conn), 1)
    create_private_file(dest)
    attached = False
    try:
        key = f"x'{new_dek.hex()}'"
        conn.execute(f'ATTACH DATABASE ? AS rekey KEY "{key}"', (str(dest),))
        attached = True
        keyed(conn, new_dek, PAGE_HMAC, schema="rekey")  # written in the current page format
        conn.execute("PRAGMA rekey.journal_mode = OFF")  # a new file: nothing to roll back to
        conn.execute("PRAGMA rekey.synchronous = OFF")  # fsynced once below
        _run_watched(conn, dest, total, progress, cancelled)
        conn.execute("DETACH DATABASE rekey")
        attached = False
        with dest.open("rb") as fh:
            os.fsync(fh.fileno())
    except BaseException:
        if attached:
            with contextlib.suppress(sqlcipher3.Error):
                conn.execute("DETACH DATABASE rekey")
        dest.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(1.0)


def _run_watched(
    conn: Connection,
    dest: Path,
    total: int,
    progress: Callable[[float], None] | None,
    cancelled: Callable[[], bool] | None,
) -> None:
    failure: list[BaseException] = []

    def work() -> None:
        try:
            conn.execute("SELECT sqlcipher_export('rekey')").fetchall()
        except BaseException as exc:  # handed to the calling thread
            failure.append(exc)

    worker = threading.Thread(target=work, name="vaxdesk-rekey-export", daemon=True)
    worker.start()
    stopped = False
    while worker.is_alive():
        worker.join(_LOOK_SECONDS)
        if cancelled is not None and not stopped and cancelled():
            conn.interrupt()
            stopped = True
        if progress is not None and worker.is_alive():
            with contextlib.suppress(OSError):
                progress(min(dest.stat().st_size / total, 0.999))
    if stopped:
        raise QueryCancelled()
    if failure:
        raise failure[0]


def fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
