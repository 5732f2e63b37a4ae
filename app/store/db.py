"""SQLCipher connection handling.

The register is one SQLCipher 4 file keyed with a random 256-bit raw key (DEK), never a password.
Opening never creates, rewrites or deletes a file unless ``create=True`` is asked for explicitly;
every failure leaves the file byte-for-byte as it was.

Page format. Every page is AES-256-CBC with a random IV and an HMAC over the page. Registers
written from format 2 on (new registers, and every register rewritten by 鍵の更新) use
HMAC-SHA256 (:data:`PAGE_HMAC`): on CPUs with SHA extensions it costs about a third of
HMAC-SHA512 per page, which is most of the crypto cost of bulk work (sync import and export,
the initial load); 256-bit HMAC keeps the same tamper detection. Registers written before keep
SQLCipher 4's default, HMAC-SHA512 (:data:`LEGACY_PAGE_HMAC`), and open as they are: opening tries
the current format, then the legacy one (the HMAC of page 1 tells them apart), so nothing is
rewritten on open. A file neither format opens with the DEK is :class:`RegisterDamaged`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import sqlcipher3

from app.errors import RegisterError

PLAIN_SQLITE_MAGIC = b"SQLite format 3\x00"
DEK_BYTES = 32
PAGE_HMAC = "HMAC_SHA256"  # page format 2: what every register file is written in from now on
LEGACY_PAGE_HMAC = "HMAC_SHA512"  # page format 1 (SQLCipher 4's default), still opened
PAGE_HMACS = (PAGE_HMAC, LEGACY_PAGE_HMAC)  # tried in this order when a register is opened


class Connection(Protocol):
    """The DB-API connection the store uses (sqlcipher3's; stdlib sqlite3 fits for plain copies)."""

    @property
    def in_transaction(self) -> bool: ...

    @property
    def total_changes(self) -> int: ...

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...

    def executemany(self, sql: str, parameters: Any, /) -> Any: ...

    def executescript(self, script: str, /) -> Any: ...

    def backup(self, target: Any, /) -> None: ...

    def close(self) -> None: ...

    def set_progress_handler(self, handler: Any, n: int, /) -> None: ...

    def interrupt(self) -> None: ...


class RegisterMissing(RegisterError):
    code = "E_REGISTER_MISSING"


class RegisterExists(RegisterError):
    code = "E_REGISTER_EXISTS"


class RegisterNotEncrypted(RegisterError):
    code = "E_REGISTER_NOT_ENCRYPTED"


class RegisterDamaged(RegisterError):
    code = "E_REGISTER_DAMAGED"


class RegisterNotARegister(RegisterError):
    code = "E_REGISTER_NOT_VAXDESK"


def create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only (SQLite gives its -wal/-shm files the same
    mode). Refuses to touch an existing file."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise RegisterExists() from None
    os.close(fd)


def _key_pragma(dek: bytes) -> str:
    if len(dek) != DEK_BYTES:
        raise ValueError("DEK must be 32 bytes")
    return f"PRAGMA key = \"x'{dek.hex()}'\""


def _apply_pragmas(conn: Connection, *, cache_mib: int) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA cache_size = {-cache_mib * 1024}")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA busy_timeout = 5000")


def keyed(conn: Connection, dek: bytes, page_hmac: str = PAGE_HMAC, schema: str = "main") -> None:
    """Key a fresh SQLCipher connection (or an attached database ``schema``, keyed at ATTACH) for
    the register page format ``page_hmac``; nothing is read yet."""
    if page_hmac not in PAGE_HMACS:
        raise ValueError("unsupported page format")
    if schema == "main":
        # SQLCipher logs codec errors to stderr by default; failures are reported as exceptions.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(dek))
    conn.execute(f"PRAGMA {schema}.cipher_hmac_algorithm = {page_hmac}")


def page_hmac_of(conn: Connection) -> str:
    """The page format of the register open on ``conn``."""
    got = str(conn.execute("PRAGMA cipher_hmac_algorithm").fetchone()[0])
    if got not in PAGE_HMACS:
        raise RegisterDamaged()
    return got


def connect(
    path: Path, dek: bytes, *, create: bool = False, readonly: bool = False, cache_mib: int = 64
) -> Connection:
    """Open (or with ``create=True`` create, in the current page format) the encrypted register at
    ``path``.

    Raises a :class:`RegisterError` subclass; the file is untouched on every failure.
    """
    path = Path(path)
    if create:
        create_private_file(path)
        mode = "rw"
    else:
        if not path.is_file():
            raise RegisterMissing()
        with path.open("rb") as fh:
            head = fh.read(16)
        if head == PLAIN_SQLITE_MAGIC:
            raise RegisterNotEncrypted()
        mode = "ro" if readonly else "rw"
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    conn: Connection | None = None
    for page_hmac in (PAGE_HMAC,) if create else PAGE_HMACS:
        conn = sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        try:
            keyed(conn, dek, page_hmac)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            break
        except sqlcipher3.DatabaseError:
            conn.close()
            conn = None
    if conn is None:
        raise RegisterDamaged()
    _apply_pragmas(conn, cache_mib=cache_mib)
    if create:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def enable_wal(conn: Connection) -> None:
    """Switch to WAL once the file is known to be a healthy register of a supported schema."""
    conn.execute("PRAGMA journal_mode = WAL")


# id -> (the connection itself, hook); holding the connection keeps its id from being reused.
_commit_hooks: dict[int, tuple[Connection, Callable[[Connection], None]]] = {}


def set_commit_hook(conn: Connection, hook: Callable[[Connection], None] | None) -> None:
    """Run ``hook(conn)`` after each successful :func:`transaction` on ``conn`` (None removes
    it; remove it before closing the connection). Used to keep the audit head file current."""
    if hook is None:
        _commit_hooks.pop(id(conn), None)
    else:
        _commit_hooks[id(conn)] = (conn, hook)


@contextlib.contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """One write transaction (BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception); then the
    connection's commit hook, if any, runs outside the transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
    entry = _commit_hooks.get(id(conn))
    if entry is not None and entry[0] is conn:
        entry[1](conn)


@contextlib.contextmanager
def checkpoint_deferred(conn: Connection, deferred: bool = True) -> Iterator[None]:
    """No automatic WAL checkpoint at the commits inside (a commit is durable once its frames
    are in the WAL: ``synchronous = FULL``). The setting is restored after, so the WAL is folded
    back into the file by :func:`checkpoint` (at idle), by the next commit, or at the close."""
    if not deferred:
        yield
        return
    before = int(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA wal_autocheckpoint = {before}")


def checkpoint(conn: Connection) -> int:
    """Fold the WAL back into the register file as far as no reader holds it (PASSIVE: never
    waits); the number of frames the WAL held."""
    row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(row[1]) if row is not None and row[1] is not None else 0


class QueryCancelled(Exception):
    """A long query stopped because its caller asked to cancel (``abort_when``)."""


ABORT_CHECK_EVERY = 20_000  # SQLite VM steps between two looks at ``cancelled`` (≈ 1 ms)


@contextlib.contextmanager
def abort_when(conn: Connection, cancelled: Callable[[], bool] | None) -> Iterator[None]:
    """Run the queries inside so that they stop within about a millisecond once ``cancelled()``
    is true (SQLite's progress handler), raising ``QueryCancelled``; None: no cancelling."""
    if cancelled is None:
        yield
        return
    conn.set_progress_handler(lambda: 1 if cancelled() else 0, ABORT_CHECK_EVERY)
    try:
        yield
    except (sqlcipher3.OperationalError, sqlite3.OperationalError):
        if cancelled():
            raise QueryCancelled() from None
        raise
    finally:
        conn.set_progress_handler(None, ABORT_CHECK_EVERY)


def integrity_check(conn: Connection) -> list[str]:
    """Run SQLite's and SQLCipher's integrity checks; an empty list means healthy."""
    problems: list[str] = []
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        if [r[0] for r in rows] != ["ok"]:
            problems.extend(str(r[0]) for r in rows)
        cipher = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        problems.extend(str(r[0]) for r in cipher)
    except sqlcipher3.DatabaseError as exc:
        problems.append(type(exc).__name__)
    return problems


def backup_to(conn: Connection, dest: Path, dek: bytes) -> None:
    """Copy the live register to ``dest`` through the SQLite backup API, encrypted with ``dek``
    (in the live register's page format: the backup API copies pages as they are laid out)."""
    page_hmac = page_hmac_of(conn)
    create_private_file(dest)
    target = sqlcipher3.connect(str(dest), isolation_level=None)
    try:
        keyed(target, dek, page_hmac)
        conn.backup(target)
    finally:
        target.close()


def row_dicts(cursor: Any) -> list[dict[str, Any]]:
    cols = [c[0] for c in cursor.description]
    return [dict(zip(cols, row, strict=True)) for row in cursor.fetchall()]


def leave_wal(conn: Connection) -> None:
    """Fold the WAL into the main file and switch to rollback journal (no -wal left behind)."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
