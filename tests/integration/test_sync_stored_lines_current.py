"""Package lines stored when a change is queued (migration 0009, app/store/outbox_lines.py), kept
current: the export sends the stored line instead of reading the changed row, the lines of
packaged changes are not sent again, and a stored line is never stale: after every write to the
row (or to what its line names) the export sends the record as ``to_envelope`` makes it from the
current row; every synced table but personal numbers has the triggers that drop its lines. When
a stored line is trusted (the MAC of the checked queue path): test_sync_stored_lines_checked.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from app.security.session import Session
from app.services import results, sync_export
from app.services._line_check import line_check
from app.services._sync_records import line_shapes, uid_text
from app.services.sync_import import import_package
from app.store import db, outbox_lines, stamps, sync_outbox
from tests.support.registers import login_as
from tests.support.stored_lines import _current, _export, _stored, _tamper_lot, _vaccination_uid
from tests.support.sync_env import SyncEnv, local_envelope, record_dose, server_edit


def test_the_queued_change_stores_its_line_and_the_export_sends_it(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    conn = number.register.conn
    uid = _vaccination_uid(conn)
    [(rtype, stored_uid, outbox_id, line)] = _stored(conn)
    assert (rtype, stored_uid) == ("vaccination", uid)
    assert outbox_id == conn.execute("SELECT max(id) FROM outbox").fetchone()[0]
    assert orjson.loads(line) == _current(conn, "vaccination", uid)
    assert outbox_lines.triggers_in_place(conn)
    assert conn.execute("SELECT length(mac) FROM outbox_lines").fetchone()[0] == 16
    _tamper_lot(conn, "MR00X")  # the export must be reading the stored line, not the row
    result, sent = _export(env, number, tmp_path / "m")
    assert result.records == 1
    assert [r["data"]["lot_no"] for r in sent["vaccination"]] == ["MR00X"]


def test_lines_of_packaged_changes_are_not_sent_again_and_go_with_later_changes(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    conn = number.register.conn
    first = sync_export.export_changes(number, tmp_path / "m1")
    assert first.records == 1
    [(_, old_uid, old_id, _)] = _stored(conn)  # packaged: kept, no longer used
    nurse = login_as(env.directory, "nurse")
    try:
        record_dose(nurse, date(2026, 6, 20))
    finally:
        nurse.register.close()
    [(_, new_uid, new_id, _)] = _stored(conn)  # the packaged one went with the new change
    assert new_uid != old_uid and new_id > old_id
    second, sent = _export(env, number, tmp_path / "m2")
    assert second.records == 1
    assert [r["uid"] for r in sent["vaccination"]] == [uid_text(new_uid)]


def _sql_update(session: Session, uid: bytes) -> None:
    """Any write that does not queue (an import's apply, retention, a repair)."""
    conn = session.register.conn
    with db.transaction(conn):
        conn.execute("UPDATE vaccinations SET lot_no = 'MR777', doctor = 'X' WHERE uid = ?", (uid,))


def _service_correct(session: Session, uid: bytes) -> None:
    row_id = session.register.conn.execute(
        "SELECT id FROM vaccinations WHERE uid = ?", (uid,)
    ).fetchone()[0]
    nurse = login_as(session.register.directory, "nurse")
    try:
        results.correct(nurse, int(row_id), {"lot_no": "MR778"}, "訂正の試験")
    finally:
        nurse.register.close()


def _service_void(session: Session, uid: bytes) -> None:
    row_id = session.register.conn.execute(
        "SELECT id FROM vaccinations WHERE uid = ?", (uid,)
    ).fetchone()[0]
    nurse = login_as(session.register.directory, "nurse")
    try:
        results.void(nurse, int(row_id), "取消の試験")
    finally:
        nurse.register.close()


def _person_uid_changed(session: Session, uid: bytes) -> None:
    """What the line names of another record (the person's uid) changes."""
    conn = session.register.conn
    with db.transaction(conn):
        conn.execute(
            "UPDATE persons SET uid = ? WHERE id = (SELECT person_id FROM vaccinations"
            " WHERE uid = ?)",
            (bytes.fromhex("0190000000007000800000000000abcd"), uid),
        )


def _outcome_postponed(session: Session, uid: bytes) -> None:
    conn = session.register.conn
    with db.transaction(conn):
        conn.execute(
            "UPDATE vaccinations SET outcome = 'postponed', postpone_reason = '発熱' WHERE uid = ?",
            (uid,),
        )


@pytest.mark.parametrize(
    "write",
    [_sql_update, _service_correct, _service_void, _person_uid_changed, _outcome_postponed],
)
def test_a_write_after_queueing_never_leaves_a_stale_line(
    env: SyncEnv, number: Session, tmp_path: Path, write: Any
) -> None:
    conn = number.register.conn
    uid = _vaccination_uid(conn)
    nurse = login_as(env.directory, "nurse")
    try:
        record_dose(nurse, date(2026, 6, 20))  # a second record, not written again
    finally:
        nurse.register.close()
    write(number, uid)
    expected = {
        r["uid"]: r
        for r in (
            _current(conn, "vaccination", bytes(u[0]))
            for u in conn.execute("SELECT uid FROM vaccinations")
        )
    }
    result, sent = _export(env, number, tmp_path / "m", ("vaccination", "postponement"))
    got = {r["uid"]: r for r in sent["vaccination"] + sent["postponement"]}
    assert result.records == 2
    assert got == expected
    assert uid_text(uid) in got  # the written record itself was sent


def test_the_stored_line_of_the_written_row_is_deleted_by_the_write(
    env: SyncEnv, number: Session
) -> None:
    conn = number.register.conn
    uid = _vaccination_uid(conn)
    assert len(_stored(conn)) == 1
    _sql_update(number, uid)
    assert _stored(conn) == []


@pytest.mark.parametrize("table", ["vaccinations", "persons"])
def test_a_changed_uid_takes_the_line_of_the_old_uid(
    env: SyncEnv, number: Session, table: str
) -> None:
    conn = number.register.conn
    uid = _vaccination_uid(conn)
    assert [u for _, u, _, _ in _stored(conn)] == [uid]
    row = "(SELECT id FROM vaccinations WHERE uid = ?)"
    if table == "persons":
        row = "(SELECT person_id FROM vaccinations WHERE uid = ?)"
    with db.transaction(conn):
        conn.execute(
            f"UPDATE {table} SET uid = ? WHERE id = {row}",
            (bytes.fromhex("0190000000007000800000000000abce"), uid),
        )
    assert _stored(conn) == []


def test_a_deleted_row_is_not_sent_from_its_stored_line(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    conn = number.register.conn
    uid = _vaccination_uid(conn)
    with db.transaction(conn):
        conn.execute("DELETE FROM vaccinations WHERE uid = ?", (uid,))
    assert _stored(conn) == []
    result, sent = _export(env, number, tmp_path / "m")
    assert (result.records, sent["vaccination"]) == (0, [])


def test_a_server_update_overwriting_a_pending_person_change_is_sent_as_applied(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    """A server-owned record with a local change waiting: the server's version is applied (the
    local one kept for review) without queueing; the export then sends the applied row."""
    conn = number.register.conn
    uid = bytes(conn.execute("SELECT uid FROM persons WHERE atena_no = '0000000003'").fetchone()[0])
    server_copy = local_envelope(conn, "person", uid)
    with db.transaction(conn):
        conn.execute("UPDATE persons SET phone = '000-0000' WHERE uid = ?", (uid,))
        shapes = line_shapes(conn, "person")
        stamps.queue_outbox(conn, "person", uid, "x", shapes=shapes, check=line_check("person"))
    assert ("person", uid) in {(t, u) for t, u, _, _ in _stored(conn)}
    pkg = tmp_path / "u1.vxpkg"
    env.build_update(pkg, {"person": [server_edit(server_copy, address="テスト市新町1")]})
    assert import_package(number, pkg).applied == 1
    assert ("person", uid) not in {(t, u) for t, u, _, _ in _stored(conn)}
    _, sent = _export(env, number, tmp_path / "m", ("person",))
    [person] = sent["person"]
    assert person == _current(conn, "person", uid)
    assert person["data"]["address"] == "テスト市新町1" and person["data"]["phone"] is None


def test_the_latest_change_of_a_record_wins(env: SyncEnv, number: Session, tmp_path: Path) -> None:
    conn = number.register.conn
    uid = _vaccination_uid(conn)
    _service_correct(number, uid)
    _service_correct(number, uid)  # queued three times: one line, of the latest entry
    [(_, _, outbox_id, line)] = _stored(conn)
    assert outbox_id == conn.execute("SELECT max(id) FROM outbox").fetchone()[0]
    assert orjson.loads(line) == _current(conn, "vaccination", uid)
    result, sent = _export(env, number, tmp_path / "m")
    assert result.records == 1 and sent["vaccination"] == [_current(conn, "vaccination", uid)]


@pytest.mark.parametrize("how", ["older entry", "other shape", "trigger missing", "party"])
def test_a_line_that_may_not_be_current_is_not_used(
    env: SyncEnv, number: Session, tmp_path: Path, how: str
) -> None:
    conn = number.register.conn
    uid = _vaccination_uid(conn)
    _tamper_lot(conn, "MR00X")
    with db.transaction(conn):
        if how == "older entry":  # queued again without a line (e.g. an older app's bulk path)
            conn.execute(
                "INSERT INTO outbox (record_type, record_uid, version, queued_at)"
                " VALUES ('vaccination', ?, 'x', datetime('now'))",
                (uid,),
            )
        elif how == "other shape":  # a line written for another table shape or SQLite
            conn.execute("UPDATE outbox_lines SET shape_key = shape_key + 1")
        elif how == "trigger missing":
            conn.execute("DROP TRIGGER outbox_lines_persons_ref")
        else:  # this terminal's party id row written: every line goes
            conn.execute("UPDATE sync_identity SET created_at = created_at")
    if how == "party":
        assert _stored(conn) == []
    result, sent = _export(env, number, tmp_path / "m")
    assert result.records == 1
    assert sent["vaccination"] == [_current(conn, "vaccination", uid)]
    assert sent["vaccination"][0]["data"]["lot_no"] == "MR001"


def test_every_synced_table_but_personal_numbers_has_its_triggers(number: Session) -> None:
    conn = number.register.conn
    names = {
        str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    for table in set(sync_outbox.RECORD_TABLES.values()) - {"person_numbers"}:
        assert {f"outbox_lines_{table}_update", f"outbox_lines_{table}_delete"} <= names
    assert names >= outbox_lines.TRIGGERS
