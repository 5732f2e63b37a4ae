"""The audit chain's head kept outside the database (``audit-head.json`` beside the key slots).

Anyone holding the DEK can rewrite the database, so the hash chain inside it cannot show that the
tail was cut off, that the whole chain was recomputed, or that the file was swapped for an older
copy. The head (last sequence number and entry hash) is therefore also kept in a small file,
authenticated with HMAC-SHA256 under a key derived from this terminal's secret (OS keyring).

* It is written *after* each commit that appended to the log (a commit hook on the register's
  connection), never inside the transaction: a crash between the two leaves the file one step
  behind, which :func:`compare` accepts because the database chain still passes through it.
* It only moves forward along the chain: if the database no longer passes through the stored
  head (older copy, rewritten chain), the file is left alone as evidence, and ``audit verify``
  reports it. Restore (an audited administrator action) and the terminal re-binding reset it.

What it does not catch: a DEK holder who also holds this terminal's secret (the same Windows
account) can rewrite both. The server's anchor (sync) is what catches that.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from app.security import filelock, kdf
from app.security.atomic import write_atomic
from app.store import audit, db

FORMAT = "vaxdesk-audit-head"
_INFO = b"vaxdesk-audit-head-v1"

MISSING = "head_missing"  # the file is gone (or was never written)
UNAUTHENTICATED = "head_unauthenticated"  # damaged, forged, or of another terminal/register
DB_BEHIND = "db_behind"  # the database ends before the head: tail cut off or older copy
DIVERGED = "diverged"  # the entry at the head's number is not the one recorded: rewritten

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Head:
    seq: int
    entry_hash: bytes


@dataclass(frozen=True, slots=True)
class HeadCheck:
    problem: str | None
    head_seq: int | None
    db_seq: int

    @property
    def ok(self) -> bool:
        return self.problem is None


class HeadMirror(Protocol):
    """A second copy of the head (the OS keyring entry beside the terminal secret)."""

    def get(self) -> str | None: ...

    def put(self, value: str) -> None: ...


def head_key(terminal_secret: bytes) -> bytes:
    return kdf.hkdf(terminal_secret, salt=b"", info=_INFO)


class AuditHeadFile:
    def __init__(
        self, path: Path, key: bytes, register_id: str, mirror: HeadMirror | None = None
    ) -> None:
        if len(key) != 32:
            raise ValueError("the head key is 32 bytes")
        self.path = Path(path)
        self._key = key
        self._register_id = register_id
        self._mirror = mirror

    def _mac(self, body: dict[str, Any]) -> str:
        text = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
        return hmac.new(self._key, text, hashlib.sha256).hexdigest()

    def read(self) -> tuple[Head | None, str | None]:
        """(head, problem); problem is MISSING or UNAUTHENTICATED when there is no usable head."""
        if not self.path.exists():
            return None, MISSING
        try:
            return self._parse(self.path.read_text(encoding="utf-8"))
        except OSError:
            return None, UNAUTHENTICATED

    def _mirrored(self) -> Head | None:
        if self._mirror is None:
            return None
        text = self._mirror.get()
        return None if text is None else self._parse(text)[0]

    def _parse(self, text: str) -> tuple[Head | None, str | None]:
        try:
            raw = json.loads(text)
            body, mac = raw["body"], raw["mac"]
            if raw.get("format") != FORMAT or not hmac.compare_digest(str(mac), self._mac(body)):
                return None, UNAUTHENTICATED
            if body["register_id"] != self._register_id:
                return None, UNAUTHENTICATED
            return Head(int(body["seq"]), bytes.fromhex(body["hash"])), None
        except (ValueError, KeyError, TypeError):
            return None, UNAUTHENTICATED

    def write(self, head: Head) -> None:
        body = {"register_id": self._register_id, "seq": head.seq, "hash": head.entry_hash.hex()}
        text = json.dumps({"format": FORMAT, "body": body, "mac": self._mac(body)})
        write_atomic(self.path, text.encode("utf-8"))
        if self._mirror is not None:
            self._mirror.put(text)

    # --- against the database --------------------------------------------------------------

    def compare(self, conn: db.Connection) -> HeadCheck:
        """Does the database's chain reach the recorded head? (Run after ``verify_chain``.)"""
        last = audit.last_link(conn)
        db_seq = 0 if last is None else last[0]
        head, problem = self.read()
        if head is None:
            mirrored = self._mirrored()
            return HeadCheck(problem, None if mirrored is None else mirrored.seq, db_seq)
        if head.seq > db_seq:
            return HeadCheck(DB_BEHIND, head.seq, db_seq)
        at = audit.hash_at(conn, head.seq)
        if at is None or not hmac.compare_digest(at, head.entry_hash):
            return HeadCheck(DIVERGED, head.seq, db_seq)
        return HeadCheck(None, head.seq, db_seq)

    def advance(self, conn: db.Connection) -> None:
        """Move the head to the database's last entry, only along the chain (see module doc)."""
        with filelock.exclusive(self.path):
            last = audit.last_link(conn)
            if last is None:
                return
            head, problem = self.read()
            if head is not None:
                if head.seq == last[0] and head.entry_hash == last[1]:
                    return
                if self.compare(conn).problem is not None:
                    return  # keep the evidence for `audit verify`
            elif problem != MISSING or self._mirrored() is not None:
                return  # an unreadable or deleted head is evidence too
            self.write(Head(last[0], last[1]))

    def reset(self, conn: db.Connection) -> None:
        """Record the database's current end as the head (restore, terminal re-binding, init)."""
        with filelock.exclusive(self.path):
            last = audit.last_link(conn)
            if last is not None:
                self.write(Head(last[0], last[1]))


def track(conn: db.Connection, head_file: AuditHeadFile) -> None:
    """Advance the head after every commit on ``conn`` (until ``db.set_commit_hook(conn, None)``)."""

    def after_commit(committed: db.Connection) -> None:
        try:
            head_file.advance(committed)
        except Exception as exc:  # the action is committed; `audit verify` reports a stale head
            log.warning("audit head not updated: %s", type(exc).__name__)

    db.set_commit_hook(conn, after_commit)
