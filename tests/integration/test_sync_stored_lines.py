"""Package lines stored when a change is queued (migration 0009, app/store/outbox_lines.py): the
export sends them instead of reading the changed rows, and a stored line is never stale: after
every write to the row (or to what its line names) the export sends the record as
``to_envelope`` makes it from the current row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from app.security.session import Session
from app.services import _sync_identity, person_numbers, results, sync_export
from app.services._line_check import line_check
from app.services._sync_records import line_shapes, to_envelope, uid_text
from app.services.sync_import import import_package
from app.store import db, outbox_lines, stamps, sync_outbox
from app.sync.errors import PackageError
from app.sync.lines import MAX_LINE
from tests.support.registers import login_as
from tests.support.sync_env import (
    SyncEnv,
    dump_tables,
    local_envelope,
    make_sync_register,
    record_dose,
    server_edit,
    signed_in,
)
from tests.sync.pkgkit import person, vaccination

NUMBER = "123456789018"


@pytest.fixture
def env(tmp_path: Path) -> SyncEnv:
    return make_sync_register(tmp_path / "reg")  # one vaccination recorded and queued


@pytest.fixture
def number(env: SyncEnv) -> Iterator[Session]:
    yield from signed_in(env)


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


@pytest.mark.parametrize("line", [b'{"type":"vaccination"}', b"not json", b'{"a":1}\n{"b":2}', b""])
def test_a_malformed_stored_line_is_never_sent(
    env: SyncEnv, number: Session, tmp_path: Path, line: bytes
) -> None:
    """A stored line changed after the queue path checked it no longer matches its MAC: the
    export reads the row and sends its (checked) line instead."""
    conn = number.register.conn
    uid = _vaccination_uid(conn)
    with db.transaction(conn):
        conn.execute("UPDATE outbox_lines SET line = ?", (line,))
    result, sent = _export(env, number, tmp_path / "m")
    assert result.records == 1
    assert sent["vaccination"] == [_current(conn, "vaccination", uid)]


def _second_dose(conn: db.Connection, directory: Path) -> bytes:
    nurse = login_as(directory, "nurse")
    try:
        record_dose(nurse, date(2026, 7, 1))
    finally:
        nurse.register.close()
    return bytes(
        conn.execute("SELECT uid FROM vaccinations ORDER BY id DESC LIMIT 1").fetchone()[0]
    )


@pytest.mark.parametrize(
    "how",
    [
        "changed bytes",
        "no MAC",
        "swapped",
        "other register",
        "other schemas",
        "no key",
        "other outbox entry",
    ],
)
def test_a_stored_line_without_the_mac_of_the_checked_queue_path_is_not_sent_as_it_is(
    env: SyncEnv, number: Session, tmp_path: Path, how: str
) -> None:
    conn = number.register.conn
    first, second = _vaccination_uid(conn), _second_dose(conn, env.directory)
    assert (
        conn.execute("SELECT count(*) FROM outbox_lines WHERE mac IS NOT NULL").fetchone()[0] == 2
    )
    if how == "changed bytes":  # valid JSON, MAC of the line before
        _tamper_lot(conn, "MR00X", sign=False)
    elif how == "no MAC":
        _tamper_lot(conn, "MR00X")
        with db.transaction(conn):
            conn.execute("UPDATE outbox_lines SET mac = NULL")
    elif how == "swapped":  # each record gets the other's line with its MAC
        rows = conn.execute("SELECT outbox_id, line, mac FROM outbox_lines ORDER BY 1").fetchall()
        with db.transaction(conn):
            for (outbox_id, _, _), (_, line, mac) in zip(rows, reversed(rows), strict=True):
                conn.execute(
                    "UPDATE outbox_lines SET line = ?, mac = ? WHERE outbox_id = ?",
                    (line, mac, outbox_id),
                )
    elif how == "other register":  # the right binding, made with another register's key
        other = make_sync_register(tmp_path / "other")
        session = login_as(other.directory, "number")
        try:
            other_key = outbox_lines._register_key(session.register.conn, create=False)
        finally:
            session.register.close()
        assert other_key is not None
        assert other_key != outbox_lines._register_key(conn, create=False)
        _tamper_lot(conn, "MR00X", sign=False)
        _sign(conn, other_key)
    elif how == "other schemas":  # checked by an app whose schemas differ from today's
        _tamper_lot(conn, "MR00X", sign=False)
        _sign(conn, tag=bytes(32))
    elif how == "no key":
        _tamper_lot(conn, "MR00X")
        with db.transaction(conn):
            conn.execute("DELETE FROM outbox_line_key")
    else:  # the line and MAC of an earlier entry, the record queued again since without a line
        _tamper_lot(conn, "MR00X")
        with db.transaction(conn):
            conn.execute("UPDATE outbox_lines SET outbox_id = outbox_id - 100")
    result, sent = _export(env, number, tmp_path / "m")
    assert result.records == 2
    by_uid = {r["uid"]: r for r in sent["vaccination"]}
    assert by_uid == {uid_text(u): _current(conn, "vaccination", u) for u in (first, second)}
    assert {r["data"]["lot_no"] for r in sent["vaccination"]} == {"MR001"}


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


def test_a_malformed_row_stores_no_line_and_refuses_the_export_changing_nothing(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    conn = number.register.conn
    uid = _vaccination_uid(conn)
    _malformed_row_queued(conn, uid)
    assert _stored(conn) == []  # never stored, so never trusted
    before = dump_tables(conn)
    out = tmp_path / "medium"
    with pytest.raises(PackageError) as caught:
        sync_export.export_changes(number, out)
    assert caught.value.code == "E_RECORD_SCHEMA"
    assert dump_tables(conn) == before
    assert not out.exists() or not any(out.iterdir())
    assert not any((env.directory / "sync-sent").iterdir())


def test_a_line_stored_without_the_check_gets_no_mac_and_is_not_trusted(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    conn = number.register.conn
    uid = _vaccination_uid(conn)
    shapes = line_shapes(conn, "vaccination", cached=True)
    assert shapes is not None
    with db.transaction(conn):
        outbox_id = stamps.queue_outbox(conn, "vaccination", uid, "x")
        outbox_lines.store(conn, outbox_id, uid, *shapes)  # no check: no line at all
    assert _stored(conn) == []
    with db.transaction(conn):  # a line put there by anything but the checked queue path
        conn.execute(
            "INSERT INTO outbox_lines (outbox_id, record_type, record_uid, shape_key, line)"
            " VALUES (?, 'vaccination', ?, ?, ?)",
            (outbox_id, uid, outbox_lines.line_key(conn, *shapes), b'{"type":"vaccination"}'),
        )
    result, sent = _export(env, number, tmp_path / "m")
    assert result.records == 1
    assert sent["vaccination"] == [_current(conn, "vaccination", uid)]


def test_personal_numbers_never_get_a_stored_line(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    conn = number.register.conn
    person_id = int(conn.execute("SELECT id FROM persons ORDER BY id LIMIT 1").fetchone()[0])
    person_numbers.set_number(number, person_id, NUMBER)
    types = {t for t, _, _, _ in _stored(conn)}
    assert types == {"vaccination"}
    for table in ("outbox_lines", "outbox"):
        for row in conn.execute(f"SELECT * FROM {table}"):
            assert NUMBER not in repr(row) and NUMBER.encode() not in b"".join(
                v for v in row if isinstance(v, bytes)
            )
    result, sent = _export(env, number, tmp_path / "m", ("vaccination", "person_number"))
    assert result.records == 2
    assert [r["data"]["number"] for r in sent["person_number"]] == [NUMBER]


def test_every_synced_table_but_personal_numbers_has_its_triggers(number: Session) -> None:
    conn = number.register.conn
    names = {
        str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    for table in set(sync_outbox.RECORD_TABLES.values()) - {"person_numbers"}:
        assert {f"outbox_lines_{table}_update", f"outbox_lines_{table}_delete"} <= names
    assert names >= outbox_lines.TRIGGERS


def test_the_queue_check_applies_the_rules_of_a_package_line() -> None:
    check = line_check("vaccination")
    good = orjson.dumps(vaccination(0))
    assert check(good)
    bad = vaccination(0)
    bad["data"]["dose_no"] = 0
    for line in (
        orjson.dumps(bad),
        good + b"\n",
        good[:-1] + b"\n" + good[-1:],
        b"[1]",
        b"not json",
        b"",
        orjson.dumps(person(0)),  # valid, but another record type
        b" " * (MAX_LINE - len(good) + 1) + good,
    ):
        assert not check(line)
    assert len({line_check(t).tag for t in ("vaccination", "person", "lot")}) == 3


def test_a_checked_postponement_line_is_sent_as_it_is_beside_one_read_from_its_row(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    """Postponements queued by the service store lines checked against the postponement schema;
    in the postponement member a verified stored line goes as it is, next to one whose MAC no
    longer matches (read from its row)."""
    conn = number.register.conn
    nurse = login_as(env.directory, "nurse")
    try:
        taro = int(
            conn.execute("SELECT id FROM persons WHERE atena_no = '0000000001'").fetchone()[0]
        )
        results.record_postponement(nurse, taro, "mr2", date(2026, 6, 2), "発熱のため見合わせ")
        results.record_postponement(nurse, taro, "mr2", date(2026, 6, 9), "再度発熱のため")
    finally:
        nurse.register.close()
    rows = conn.execute(
        "SELECT outbox_id, line FROM outbox_lines WHERE mac IS NOT NULL"
        ' AND CAST(line AS TEXT) LIKE \'{"type":"postponement",%\' ORDER BY outbox_id'
    ).fetchall()
    assert len(rows) == 2
    (first, _), (second, _) = rows
    with db.transaction(conn):
        conn.execute(
            "UPDATE outbox_lines SET line = CAST(replace(CAST(line AS TEXT), '発熱のため見合わせ',"
            " '署名し直した値') AS BLOB) WHERE outbox_id = ?",
            (first,),
        )
        conn.execute(
            "UPDATE outbox_lines SET line = CAST(replace(CAST(line AS TEXT), '再度発熱のため',"
            " '署名のない値') AS BLOB) WHERE outbox_id = ?",
            (second,),
        )
    signed = conn.execute("SELECT mac FROM outbox_lines WHERE outbox_id = ?", (second,)).fetchone()
    _sign(conn)  # the first as the checked queue path would; the second keeps its old MAC
    with db.transaction(conn):
        conn.execute("UPDATE outbox_lines SET mac = ? WHERE outbox_id = ?", (signed[0], second))
    result, sent = _export(env, number, tmp_path / "m", ("vaccination", "postponement"))
    assert result.records == 3
    reasons = sorted(r["data"]["postpone_reason"] for r in sent["postponement"])
    assert reasons == sorted(["署名し直した値", "再度発熱のため"])
