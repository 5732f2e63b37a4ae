"""The export's overlaps (issue 9 "Speed"): the stored lines are read ahead on the second
connection from the start while the marking thread reads the waiting entries and then marks
them (``stored_line_reader.StoredLines``), and the package is copied to the chosen folder while
the export commits (``sync_export._CopyBesideCommit``). What is sent, what is marked and what a
failure leaves must be as without them."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from app.errors import VaxDeskError
from app.security.session import Session
from app.services import sync_export
from app.services._sync_records import uid_text
from app.store import db, outbox_lines, stored_line_reader, sync_outbox, sync_state
from app.store.layout import RegisterLayout
from tests.integration.test_sync_export_two_cores import _set_lot_in_line
from tests.support.stored_lines import _sign
from tests.support.sync_env import (
    SyncEnv,
    dump_tables,
    fail_stored_batch,
    make_sync_register,
    more_doses,
)


@pytest.fixture
def env(tmp_path: Path) -> SyncEnv:
    return more_doses(make_sync_register(tmp_path / "reg"), 5)  # and one queued before


def _waiting(conn: db.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM outbox WHERE package_seq IS NULL").fetchone()[0])


def _vaccination_uids(conn: db.Connection) -> set[str]:
    return {uid_text(bytes(r[0])) for r in conn.execute("SELECT uid FROM vaccinations")}


def test_stored_lines_are_read_ahead_while_the_waiting_entries_are_read_then_marked(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = number.register.conn
    assert (
        conn.execute("SELECT count(*) FROM outbox_lines WHERE mac IS NOT NULL").fetchone()[0] == 6
    )
    monkeypatch.setattr(stored_line_reader, "FETCH", 2)
    events: list[tuple[str, str]] = []
    first_batch = threading.Event()
    batch, latest, assign = (
        stored_line_reader._batch,
        stored_line_reader.latest_pending,
        sync_outbox.assign_package,
    )

    def spy_batch(*args: Any) -> Any:
        found = batch(*args)
        events.append(("batch", threading.current_thread().name))
        first_batch.set()
        return found

    def spy_latest(*args: Any) -> Any:
        # the stored lines are being read before the waiting entries are: the first batch
        # comes while this waits (it would not, were they read one after the other)
        events.append(("latest", threading.current_thread().name))
        events.append(("batch came meanwhile", str(first_batch.wait(10))))
        return latest(*args)

    def spy_assign(mark_conn: db.Connection, sequence: int, up_to: int) -> int:
        events.append(("mark", threading.current_thread().name))
        assert mark_conn is conn and mark_conn.in_transaction
        return assign(mark_conn, sequence, up_to)

    monkeypatch.setattr(stored_line_reader, "_batch", spy_batch)
    monkeypatch.setattr(stored_line_reader, "latest_pending", spy_latest)
    monkeypatch.setattr(sync_outbox, "assign_package", spy_assign)
    result = sync_export.export_changes(number, tmp_path / "m")
    assert ("batch came meanwhile", "True") in events
    order = [e for e, _ in events if e in ("latest", "mark")]
    assert order == ["latest", "mark"]  # the entries are read before the marking hides them
    threads = {e: t for e, t in events}
    assert threads["latest"].startswith("export-mark")
    assert threads["mark"] == threads["latest"]
    assert {t for e, t in events if e == "batch"} == {"export-lines"}
    assert result.records == 6
    with env.open_as_server(result.path) as opened:
        sent = {r["uid"] for r in opened.records("vaccination")}
    assert sent == _vaccination_uids(conn)
    assert _waiting(conn) == 0


def test_an_error_while_reading_ahead_is_raised_and_changes_nothing(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = number.register.conn
    fail_stored_batch(monkeypatch, 2)
    before, waiting = dump_tables(conn), _waiting(conn)
    out = tmp_path / "m"
    with pytest.raises(VaxDeskError) as caught:
        sync_export.export_changes(number, out)
    assert caught.value.code == "E_TEST_READ"
    assert dump_tables(conn) == before
    assert _waiting(conn) == waiting == 6
    assert not conn.in_transaction
    assert not out.exists() or not any(out.iterdir())
    assert not any((env.directory / "sync-sent").iterdir())


def test_a_failure_reading_the_waiting_entries_never_runs_the_marking(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = number.register.conn
    marked: list[int] = []

    def failing(*_args: Any) -> Any:
        raise VaxDeskError("読み取りに失敗しました。", code="E_TEST_READ")

    def spy_assign(*_args: Any) -> int:
        marked.append(1)
        return 0

    monkeypatch.setattr(stored_line_reader, "latest_pending", failing)
    monkeypatch.setattr(sync_outbox, "assign_package", spy_assign)
    before = dump_tables(conn)
    with pytest.raises(VaxDeskError) as caught:
        sync_export.export_changes(number, tmp_path / "m")
    assert caught.value.code == "E_TEST_READ"
    assert marked == []
    assert dump_tables(conn) == before
    assert not conn.in_transaction


def test_closing_a_reader_that_is_ahead_stops_it_and_gives_the_connection_back(
    env: SyncEnv, number: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = number.register.conn
    monkeypatch.setattr(stored_line_reader, "FETCH", 1)
    monkeypatch.setattr(stored_line_reader, "AHEAD", 1)
    database = RegisterLayout(env.directory).database
    key = int(conn.execute("SELECT shape_key FROM outbox_lines LIMIT 1").fetchone()[0])
    with (
        db.transaction(conn),
        stored_line_reader.snapshot_reader(conn, database, number.register.dek) as reader,
    ):
        assert reader is not conn
        ahead = stored_line_reader.stored(reader, "vaccination", key)
        first = next(ahead)
        assert len(first.outbox_ids) == 1
        try:  # (closed however this ends: the reader's connection closes after it)
            # the worker fills the queue's one place (AHEAD) and waits to put its next batch
            deadline = time.monotonic() + 10
            while not ahead._queue.full() and time.monotonic() < deadline:
                time.sleep(0.01)
            assert ahead._queue.maxsize == 1 and ahead._queue.full()
            assert ahead._worker.is_alive()
        finally:
            ahead.close()  # the worker was blocked on the full queue
        assert not ahead._worker.is_alive()
        with pytest.raises(StopIteration):
            next(ahead)
        assert reader.execute("SELECT count(*) FROM outbox_lines").fetchone()[0] == 6
    # read to the end: every line once, in queue order, and the worker ends by itself
    with db.transaction(conn):
        ahead = stored_line_reader.stored(conn, "vaccination", key)
        ids = [i for b in ahead for i in b.outbox_ids]
        ahead._worker.join(10)
        assert not ahead._worker.is_alive()
    assert ids == [int(r[0]) for r in conn.execute("SELECT outbox_id FROM outbox_lines ORDER BY 1")]


def test_the_copy_is_written_beside_the_commit_and_named_after_it(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = number.register.conn
    seen: dict[str, Any] = {}
    write = sync_export._write_copy

    def spy(source: Path, target: Path) -> Path:
        seen["thread"] = threading.current_thread().name
        seen["in_transaction"] = conn.in_transaction
        seen["target_there"] = target.exists()
        tmp = write(source, target)
        seen["tmp"] = tmp
        return tmp

    monkeypatch.setattr(sync_export, "_write_copy", spy)
    out = tmp_path / "m"
    result = sync_export.export_changes(number, out)
    assert seen["thread"].startswith("export-copy")
    assert seen["in_transaction"] is True  # before the commit
    assert seen["target_there"] is False
    assert sorted(p.name for p in out.iterdir()) == [result.path.name]  # no temporary file
    assert not seen["tmp"].exists()
    kept = env.directory / "sync-sent" / result.path.name
    assert result.path.read_bytes() == kept.read_bytes()
    with env.open_as_server(result.path) as opened:
        assert len(list(opened.records("vaccination"))) == 6


def test_a_failure_after_the_copy_began_leaves_no_file_and_changes_nothing(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = number.register.conn
    started: list[Path] = []
    write = sync_export._write_copy

    def spy(source: Path, target: Path) -> Path:
        started.append(target)
        return write(source, target)

    def failing(*_args: Any) -> None:
        raise VaxDeskError("記録に失敗しました。", code="E_TEST_RECORD")

    monkeypatch.setattr(sync_export, "_write_copy", spy)
    monkeypatch.setattr(sync_state, "record_sent", failing)
    before, waiting = dump_tables(conn), _waiting(conn)
    out = tmp_path / "m"
    with pytest.raises(VaxDeskError) as caught:
        sync_export.export_changes(number, out)
    assert caught.value.code == "E_TEST_RECORD"
    assert len(started) == 1  # the copy had begun ...
    assert list(out.iterdir()) == []  # ... and neither it nor its temporary file is left
    assert dump_tables(conn) == before
    assert _waiting(conn) == waiting
    assert not conn.in_transaction


def _stored_lines_marked(conn: db.Connection) -> None:
    """Every stored line says lot MR00S (re-MAC'd as the checked queue path would): a record
    sent with lot MR001 was read from its row."""
    _set_lot_in_line(conn, None, "MR00S")
    _sign(conn)


@pytest.mark.parametrize("entries_after", ["first batch", "last batch"])
def test_macs_checked_before_the_waiting_entries_are_there_give_the_same_package(
    env: SyncEnv,
    number: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    entries_after: str,
) -> None:
    """The waiting entries come after the first batch (or after every batch) was read and its
    MACs checked: the same lines are sent as stored, a line whose MAC does not match is sent
    from its row, nothing is sent twice."""
    conn = number.register.conn
    _stored_lines_marked(conn)
    bad = int(conn.execute("SELECT min(outbox_id) FROM outbox_lines").fetchone()[0])
    bad_uid = uid_text(
        bytes(conn.execute("SELECT record_uid FROM outbox WHERE id = ?", (bad,)).fetchone()[0])
    )
    with db.transaction(conn):  # its MAC no longer matches
        conn.execute("UPDATE outbox_lines SET mac = zeroblob(16) WHERE outbox_id = ?", (bad,))
    monkeypatch.setattr(stored_line_reader, "FETCH", 2)
    checked = threading.Event()
    read_all = threading.Event()
    order: list[str] = []
    batch, latest, verifier = (
        stored_line_reader._batch,
        stored_line_reader.latest_pending,
        outbox_lines.verifier,
    )

    def spy_batch(*args: Any) -> Any:
        found = batch(*args)
        if found is None:
            read_all.set()
        return found

    def spy_verifier(*args: Any) -> Any:
        verify = verifier(*args)
        assert verify is not None

        def counted(*line: Any) -> bool:
            order.append("mac")
            if order.count("mac") >= 2:
                checked.set()
            return verify(*line)

        return counted

    def spy_latest(*args: Any) -> Any:
        assert (checked if entries_after == "first batch" else read_all).wait(10)
        if entries_after == "last batch":
            assert checked.wait(10)
        order.append("entries")
        return latest(*args)

    monkeypatch.setattr(stored_line_reader, "_batch", spy_batch)
    monkeypatch.setattr(outbox_lines, "verifier", spy_verifier)
    monkeypatch.setattr(stored_line_reader, "latest_pending", spy_latest)
    result = sync_export.export_changes(number, tmp_path / "m")
    assert order.index("entries") >= 2  # MACs were checked before the entries were read
    with env.open_as_server(result.path) as opened:
        sent = [(r["uid"], r["data"]["lot_no"]) for r in opened.records("vaccination")]
    assert result.records == 6 == len(sent)
    lots = dict(sent)
    assert len(lots) == 6  # each record once
    assert lots.pop(bad_uid) == "MR001"  # its MAC did not match: from its row
    assert set(lots.values()) == {"MR00S"}  # the others as stored
    assert set(lots) | {bad_uid} == _vaccination_uids(conn)
    assert _waiting(conn) == 0


def test_lines_of_one_record_type_are_read_along_the_table_with_the_same_batches(
    env: SyncEnv, number: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = number.register.conn
    monkeypatch.setattr(stored_line_reader, "FETCH", 4)
    key = int(conn.execute("SELECT shape_key FROM outbox_lines LIMIT 1").fetchone()[0])

    def batches(scan: bool) -> list[tuple[list[int], bytes, bytes, list[bytes] | None]]:
        out, after = [], -1
        while (b := stored_line_reader._batch(conn, "vaccination", key, after, scan)) is not None:
            out.append((b.outbox_ids, b.uids, b.macs, b.lines))
            after = b.last
        return out

    plan = " ".join(
        str(r[3])
        for r in conn.execute(
            "EXPLAIN QUERY PLAN " + stored_line_reader._BATCH_SCAN_SQL,
            {"type": "vaccination", "key": key, "after": -1, "n": 4},
        )
    )
    assert "outbox_lines_type" not in plan and "rowid>?" in plan
    assert stored_line_reader._only_type(conn, "vaccination") is True
    assert stored_line_reader._only_type(conn, "person") is False
    by_index = batches(False)
    assert [len(b[0]) for b in by_index] == [4, 2]
    assert batches(True) == by_index
    # a line of another record type: the index is used again, the batches are the same
    with db.transaction(conn):
        conn.execute(
            "INSERT INTO outbox_lines (outbox_id, record_type, record_uid, shape_key, line, mac)"
            " SELECT outbox_id + 1000, 'person', record_uid, shape_key, line, mac"
            " FROM outbox_lines ORDER BY outbox_id LIMIT 1"
        )
    assert stored_line_reader._only_type(conn, "vaccination") is False
    assert batches(False) == by_index == batches(True)


def _row_by_row(conn: db.Connection, up_to: int) -> dict[bytes, tuple[int, int | None]]:
    rows = conn.execute(
        "SELECT record_uid, id, record_id FROM outbox WHERE acked = 0 AND package_seq IS NULL"
        " AND record_type = 'vaccination' AND id <= ? ORDER BY id",
        (up_to,),
    )
    return {uid: (outbox_id, row_id) for uid, outbox_id, row_id in rows}


def test_the_waiting_entries_read_in_one_step_are_those_read_row_by_row(
    env: SyncEnv, number: Session
) -> None:
    conn = number.register.conn
    first = bytes(conn.execute("SELECT uid FROM vaccinations ORDER BY id").fetchone()[0])
    with db.transaction(conn):  # the same record queued again, that later entry put in a
        # package, and an entry without a row id (queued before migration 0007)
        conn.execute(
            "INSERT INTO outbox (record_type, record_uid, version, queued_at, record_id)"
            " SELECT record_type, record_uid, version, queued_at, record_id FROM outbox"
            " WHERE record_uid = ? ORDER BY id LIMIT 1",
            (first,),
        )
        conn.execute(
            "UPDATE outbox SET record_id = NULL WHERE id = (SELECT min(id) FROM outbox"
            " WHERE record_type = 'vaccination' AND record_uid != ?)",
            (first,),
        )
        conn.execute("UPDATE outbox SET package_seq = 7 WHERE id = (SELECT max(id) FROM outbox)")
    up_to = sync_outbox.max_pending_id(conn) + 100
    waiting = stored_line_reader.latest_pending(conn, "vaccination", up_to)
    assert waiting == _row_by_row(conn, up_to)
    assert len(waiting) == 6
    oldest = conn.execute("SELECT min(id) FROM outbox WHERE record_uid = ?", (first,)).fetchone()
    assert waiting[first][0] == oldest[0]  # its later entry is in a package already
    assert None in {row_id for _, row_id in waiting.values()}
    assert stored_line_reader.latest_pending(conn, "person", up_to) == {}
    # a uid of another length: the concatenation could not be cut, so it is read row by row
    with db.transaction(conn):
        conn.execute(
            "INSERT INTO outbox (record_type, record_uid, version, queued_at, record_id)"
            " VALUES ('vaccination', x'0102', 'v', '2026-07-01T00:00:00Z', NULL)"
        )
    up_to = sync_outbox.max_pending_id(conn)
    waiting = stored_line_reader.latest_pending(conn, "vaccination", up_to)
    assert waiting == _row_by_row(conn, up_to)
    assert b"\x01\x02" in waiting and len(waiting) == 7
