"""The common frame of every write: one transaction, version stamp, outbox entry, audit entry."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from app.security.session import Session
from app.services._line_check import line_check
from app.services._sync_records import line_shapes
from app.store import db, stamps


@dataclass(frozen=True, slots=True)
class WriteContext:
    conn: db.Connection
    version: str
    origin: str
    stamp: stamps.Stamp

    def queue(self, record_type: str, uid: bytes) -> None:
        """The outbox entry of the changed record (after its row is written), with the
        record's package line as it is now, schema-checked once here (app/store/outbox_lines.py,
        app/services/_line_check.py)."""
        shapes = line_shapes(self.conn, record_type, cached=True)
        check = line_check(record_type) if shapes is not None else None
        stamps.queue_outbox(self.conn, record_type, uid, self.version, shapes=shapes, check=check)


@contextmanager
def write(session: Session) -> Iterator[WriteContext]:
    """BEGIN IMMEDIATE … COMMIT with a fresh version stamp from the register's hybrid clock."""
    conn = session.register.conn
    session.touch()
    with db.transaction(conn):
        clock = stamps.HybridClock.load(conn, session.register.terminal_id)
        version = clock.next()
        clock.persist(conn, version)
        yield WriteContext(
            conn, version, session.register.terminal_id, stamps.Stamp.now(session.staff_no)
        )
