"""The export on two cores (issue 9 "Speed"): the stored lines are read on a second connection on
the export's own snapshot while the export's connection marks the waiting entries, inside the
one write transaction of the export (app/services/_sync_export_records.py,
``stored_line_reader.snapshot_reader``). What is sent, what is marked and what a failure leaves
must be exactly as with one connection."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from app.security.session import Session
from app.services import _sync_identity, sync_export
from app.services._sync_records import to_envelope, uid_text
from app.store import db, outbox_lines, stored_line_reader, sync_outbox
from app.store.layout import RegisterLayout
from app.sync.errors import PackageError
from tests.support.stored_lines import _malformed_row_queued, _sign
from tests.support.sync_env import (
    SyncEnv,
    dump_tables,
    more_doses,
)


def _current(conn: db.Connection, uid: bytes) -> dict[str, Any]:
    party = _sync_identity.identity_keys(conn).party_id
    row = next(sync_outbox.read_records(conn, "vaccination", [uid]))
    return to_envelope(row, party_id=party, cipher=None)[1]


def _uids(conn: db.Connection) -> list[bytes]:
    return [bytes(r[0]) for r in conn.execute("SELECT uid FROM vaccinations ORDER BY id")]


def _waiting(conn: db.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM outbox WHERE package_seq IS NULL").fetchone()[0])


def test_stored_lines_are_read_on_a_second_connection_while_the_entries_are_marked(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    more_doses(env, 3)
    conn = number.register.conn
    assert (
        conn.execute("SELECT count(*) FROM outbox_lines WHERE mac IS NOT NULL").fetchone()[0] == 4
    )
    seen: dict[str, Any] = {}
    stored, assign = stored_line_reader.stored, sync_outbox.assign_package

    def spy_stored(lines_conn: db.Connection, *args: Any) -> Any:
        seen["lines_conn_is_own"] = lines_conn is conn
        return stored(lines_conn, *args)

    def spy_assign(mark_conn: db.Connection, sequence: int, up_to: int) -> int:
        seen["mark_thread"] = threading.current_thread().name
        seen["mark_in_transaction"] = mark_conn.in_transaction
        return assign(mark_conn, sequence, up_to)

    monkeypatch.setattr(stored_line_reader, "stored", spy_stored)
    monkeypatch.setattr(sync_outbox, "assign_package", spy_assign)
    result = sync_export.export_changes(number, tmp_path / "m")
    assert seen["lines_conn_is_own"] is False
    assert seen["mark_thread"].startswith("export-mark")
    assert seen["mark_in_transaction"] is True
    assert result.records == 4
    with env.open_as_server(result.path) as opened:
        sent = {r["uid"]: r for r in opened.records("vaccination")}
    assert sent == {uid_text(u): _current(conn, u) for u in _uids(conn)}
    assert _waiting(conn) == 0
    marked = conn.execute("SELECT DISTINCT package_seq FROM outbox").fetchall()
    assert [r[0] for r in marked] == [result.sequence]
    assert not conn.in_transaction


def test_the_second_connection_is_used_only_on_the_callers_snapshot(
    env: SyncEnv, number: Session
) -> None:
    conn = number.register.conn
    database = RegisterLayout(env.directory).database
    line = "SELECT record_uid, line, mac FROM outbox_lines ORDER BY outbox_id"
    # the write lock: nothing can commit in between
    with (
        db.transaction(conn),
        stored_line_reader.snapshot_reader(conn, database, number.register.dek) as reader,
    ):
        assert reader is not conn
        assert reader.execute(line).fetchall() == conn.execute(line).fetchall()
    # a read snapshot only, and a change committed by another connection after it began: the
    # second connection would see another register, so the caller's own is given instead
    conn.execute("BEGIN")
    try:
        conn.execute("SELECT count(*) FROM outbox").fetchone()
        more_doses(env, 1)
        with stored_line_reader.snapshot_reader(conn, database, number.register.dek) as reader:
            assert reader is conn
    finally:
        conn.execute("COMMIT")
    # a key that does not open the register: the caller's own connection, nothing raised
    with (
        db.transaction(conn),
        stored_line_reader.snapshot_reader(conn, database, bytes(32)) as reader,
    ):
        assert reader is conn


def test_a_refusal_after_the_marking_ran_beside_the_stored_lines_changes_nothing(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stored lines first (the entries are marked meanwhile), then a malformed row read from its
    row: E_RECORD_SCHEMA, and the marking is rolled back with everything else."""
    more_doses(env, 2)
    conn = number.register.conn
    _malformed_row_queued(conn, _uids(conn)[-1])
    assert (
        conn.execute("SELECT count(*) FROM outbox_lines WHERE mac IS NOT NULL").fetchone()[0] == 2
    )
    marked: list[int] = []
    assign = sync_outbox.assign_package

    def spy_assign(mark_conn: db.Connection, sequence: int, up_to: int) -> int:
        marked.append(assign(mark_conn, sequence, up_to))
        return marked[-1]

    monkeypatch.setattr(sync_outbox, "assign_package", spy_assign)
    before, waiting = dump_tables(conn), _waiting(conn)
    out = tmp_path / "medium"
    with pytest.raises(PackageError) as caught:
        sync_export.export_changes(number, out)
    assert caught.value.code == "E_RECORD_SCHEMA"
    assert marked == [waiting]  # the marking did run beside the stored lines ...
    assert dump_tables(conn) == before  # ... and was rolled back
    assert _waiting(conn) == waiting
    assert not conn.in_transaction
    assert not out.exists() or not any(out.iterdir())
    assert not any((env.directory / "sync-sent").iterdir())


def test_a_refusal_without_a_stored_pass_never_runs_the_marking(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No stored pass (the triggers are not all in place: every line is read from its row), so
    the marking would run after the build: a refusal during the build never runs it."""
    conn = number.register.conn
    _malformed_row_queued(conn, _uids(conn)[0])
    monkeypatch.setattr(outbox_lines, "triggers_in_place", lambda _conn: False)
    calls: list[int] = []

    def spy_assign(_conn: db.Connection, _sequence: int, _up_to: int) -> int:
        calls.append(1)
        return 0

    monkeypatch.setattr(sync_outbox, "assign_package", spy_assign)
    before = dump_tables(conn)
    with pytest.raises(PackageError):
        sync_export.export_changes(number, tmp_path / "m")
    assert calls == []
    assert dump_tables(conn) == before


def test_without_a_stored_pass_the_entries_are_marked_after_the_build(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = number.register.conn
    monkeypatch.setattr(outbox_lines, "triggers_in_place", lambda _conn: False)
    threads: list[str] = []
    assign = sync_outbox.assign_package

    def spy_assign(mark_conn: db.Connection, sequence: int, up_to: int) -> int:
        threads.append(threading.current_thread().name)
        return assign(mark_conn, sequence, up_to)

    monkeypatch.setattr(sync_outbox, "assign_package", spy_assign)
    result = sync_export.export_changes(number, tmp_path / "m")
    assert result.records == 1
    assert threads == [threading.current_thread().name]
    assert _waiting(conn) == 0


def _lots_sent(env: SyncEnv, session: Session, out: Path) -> tuple[int, dict[str, str]]:
    result = sync_export.export_changes(session, out)
    with env.open_as_server(result.path) as opened:
        sent = list(opened.records("vaccination"))
    return result.records, {r["uid"]: r["data"]["lot_no"] for r in sent}


def _set_lot_in_line(conn: db.Connection, outbox_id: int | None, lot: str) -> None:
    where = "" if outbox_id is None else f" WHERE outbox_id = {int(outbox_id)}"
    with db.transaction(conn):
        conn.execute(
            "UPDATE outbox_lines SET line = CAST(replace(line, 'MR001', ?) AS BLOB)" + where,
            (lot,),
        )


def test_lines_are_read_in_batches_of_one_step_each(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    more_doses(env, 4)
    conn = number.register.conn
    _set_lot_in_line(conn, None, "MR00S")  # only to see that the stored lines are what is sent
    _sign(conn)
    monkeypatch.setattr(stored_line_reader, "FETCH", 2)
    batches: list[int] = []
    read = stored_line_reader._batch

    def spy(*args: Any) -> Any:
        batch = read(*args)
        if batch is not None:
            batches.append(len(batch.outbox_ids))
        return batch

    monkeypatch.setattr(stored_line_reader, "_batch", spy)
    records, lots = _lots_sent(env, number, tmp_path / "m")
    assert batches == [2, 2, 1]
    assert records == 5
    assert set(lots.values()) == {"MR00S"}
    assert set(lots) == {uid_text(u) for u in _uids(conn)}


def test_a_batch_whose_lines_do_not_add_up_is_sent_from_the_rows(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stored line holding a line feed (with a MAC that matches: no checked line has one) makes
    its batch's lines unattributable: every record of that batch is read from its row and checked,
    the other batches are sent as stored."""
    more_doses(env, 3)
    conn = number.register.conn
    ids = [int(r[0]) for r in conn.execute("SELECT outbox_id FROM outbox_lines ORDER BY 1")]
    _set_lot_in_line(conn, None, "MR00S")
    _set_lot_in_line(conn, ids[0], "X")  # no-op on an already changed line; then the line feed
    with db.transaction(conn):
        conn.execute(
            "UPDATE outbox_lines SET line = CAST(replace(line, 'MR00S', 'MR' || char(10) || 'S')"
            " AS BLOB) WHERE outbox_id = ?",
            (ids[0],),
        )
    _sign(conn)
    monkeypatch.setattr(stored_line_reader, "FETCH", 2)
    records, lots = _lots_sent(env, number, tmp_path / "m")
    assert records == 4
    by_line = {
        uid_text(bytes(u)): oid
        for u, oid in conn.execute("SELECT record_uid, outbox_id FROM outbox_lines")
    }
    first_batch = {uid for uid, oid in by_line.items() if oid in ids[:2]}
    assert {lot for uid, lot in lots.items() if uid in first_batch} == {"MR001"}  # rows
    assert {lot for uid, lot in lots.items() if uid not in first_batch} == {"MR00S"}  # stored
    assert all("\n" not in lot for lot in lots.values())


@pytest.mark.parametrize("column", ["mac", "record_uid"])
def test_a_stored_line_with_a_mac_or_uid_of_another_length_is_sent_from_its_row(
    env: SyncEnv, number: Session, tmp_path: Path, column: str
) -> None:
    more_doses(env, 2)
    conn = number.register.conn
    _set_lot_in_line(conn, None, "MR00S")
    _sign(conn)
    first = int(conn.execute("SELECT min(outbox_id) FROM outbox_lines").fetchone()[0])
    first_uid = uid_text(
        bytes(conn.execute("SELECT record_uid FROM outbox WHERE id = ?", (first,)).fetchone()[0])
    )
    with db.transaction(conn):
        conn.execute(
            f"UPDATE outbox_lines SET {column} = {column} || x'00' WHERE outbox_id = ?", (first,)
        )
    records, lots = _lots_sent(env, number, tmp_path / "m")
    assert records == 3
    assert lots.pop(first_uid) == "MR001"  # from its row
    assert set(lots.values()) == {"MR00S"}  # the others as stored
