"""Helpers for the tests of package lines stored when a change is queued
(tests/integration/test_sync_stored_lines_current.py, test_sync_stored_lines_checked.py and
test_sync_export_two_cores.py): the stored lines, the record as ``to_envelope`` makes it from the
current row, an export opened as the server, MACs made as the checked queue path makes them, a
stored line changed under its MAC, and a malformed row queued as the app queues a change. The
names are those the tests have always used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.security.session import Session
from app.services import _sync_identity, sync_export
from app.services._line_check import line_check
from app.services._sync_records import line_shapes, to_envelope
from app.store import db, outbox_lines, stamps, sync_outbox
from tests.support.sync_env import SyncEnv


def _stored(conn: db.Connection) -> list[tuple[str, bytes, int, bytes]]:
    return [
        (str(r[0]), bytes(r[1]), int(r[2]), bytes(r[3]))
        for r in conn.execute(
            "SELECT record_type, record_uid, outbox_id, line FROM outbox_lines ORDER BY 1, 2"
        )
    ]


def _current(conn: db.Connection, record_type: str, uid: bytes) -> dict[str, Any]:
    party = _sync_identity.identity_keys(conn).party_id
    row = next(sync_outbox.read_records(conn, record_type, [uid]))
    return to_envelope(row, party_id=party, cipher=None)[1]


def _vaccination_uid(conn: db.Connection) -> bytes:
    return bytes(conn.execute("SELECT uid FROM vaccinations ORDER BY id LIMIT 1").fetchone()[0])


def _export(
    env: SyncEnv, session: Session, out: Path, types: tuple[str, ...] = ("vaccination",)
) -> tuple[sync_export.ExportResult, dict[str, list[dict[str, Any]]]]:
    result = sync_export.export_changes(session, out)
    with env.open_as_server(result.path) as opened:
        return result, {t: list(opened.records(t)) for t in types}


def _sign(conn: db.Connection, register_key: bytes | None = None, tag: bytes | None = None) -> None:
    """MACs for every stored line as the checked queue path makes them (with ``register_key``:
    as another register would make them; with ``tag``: as a check by other schemas would).
    Test-only: nothing in the app MACs a line it did not check."""
    key = register_key or outbox_lines._register_key(conn, create=False)
    assert key is not None
    rows = conn.execute(
        "SELECT outbox_id, record_type, record_uid, shape_key, line FROM outbox_lines"
    ).fetchall()
    with db.transaction(conn):
        for outbox_id, rtype, uid, shape_key, line in rows:
            type_key = outbox_lines._type_key(key, rtype, tag or line_check(rtype).tag)
            mac = outbox_lines._mac(type_key, bytes(uid), outbox_id, shape_key, bytes(line))
            conn.execute("UPDATE outbox_lines SET mac = ? WHERE outbox_id = ?", (mac, outbox_id))


def _tamper_lot(conn: db.Connection, lot: str, *, sign: bool = True) -> None:
    """A valid line that differs from the row (only to see which of the two the export sends),
    with the MAC of the checked queue path (``sign``) or with the MAC of the line before."""
    with db.transaction(conn):
        conn.execute(
            "UPDATE outbox_lines SET line = CAST(replace(line, 'MR001', ?) AS BLOB)", (lot,)
        )
    if sign:
        _sign(conn)


def _malformed_row_queued(conn: db.Connection, uid: bytes) -> None:
    """A row whose line breaks the schema (lot_no longer than 32), queued as the app queues a
    change (``WriteContext.queue``): the queue path's check refuses to store its line."""
    with db.transaction(conn):
        conn.execute("UPDATE vaccinations SET lot_no = ? WHERE uid = ?", ("X" * 40, uid))
        shapes = line_shapes(conn, "vaccination", cached=True)
        assert shapes is not None
        stamps.queue_outbox(
            conn, "vaccination", uid, "x", shapes=shapes, check=line_check("vaccination")
        )
