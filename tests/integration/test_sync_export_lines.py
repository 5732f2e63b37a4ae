"""The export's package lines, built by SQLite (app/store/sync_lines.py), are the envelopes of
``_sync_records.to_envelope`` for every record type, including stored values that need the
envelope rules (non-party origins and versions, voided rows, empty reasons, nulls, booleans,
floats, quoting); and a malformed stored record refuses the export, changing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from app.services import sync_export
from app.services._sync_records import line_shape, to_envelope, uid_text
from app.services.demo import create_demo_register
from app.services.recovery import open_with_recovery_code
from app.store import db, sync_lines, sync_outbox
from app.sync.errors import PackageError
from tests.support.registers import login_as
from tests.support.sync_env import SyncEnv, dump_tables, record_dose

PARTY = "192015-T9"
TYPES = ("household", "person", "institution", "vaccine", "lot", "issuance", "vaccination")


@pytest.fixture(scope="module")
def demo_conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[db.Connection]:
    directory = tmp_path_factory.mktemp("lines") / "demo"
    info = create_demo_register(directory, persons=40, seed=3)
    access = open_with_recovery_code(directory, info.recovery_code)
    conn = access.register.conn
    _odd_values(conn)
    try:
        yield conn
    finally:
        access.register.close()


def _odd_values(conn: db.Connection) -> None:
    """Stored values that take the envelope's rules (written as an older register or a test
    might have left them)."""
    ids = [r[0] for r in conn.execute("SELECT id FROM vaccinations ORDER BY id LIMIT 8")]
    edits: list[tuple[str, tuple[Any, ...]]] = [
        ("origin = 'T1', version = '1700000000000.00001.T1'", ()),
        ("origin = '192015-abc', version = '1700000000000.00002.192015-abc'", ()),
        (
            "origin = '192015-ABCDEFGHIJKLMNOPQ', version = '1700000000000.00003.1920151-A',"
            " voided_at = '2026-06-01 10:11:12', void_reason = ''",
            (),
        ),
        (
            "voided_at = '2026-06-02T01:02:03.456', void_reason = ?, follow_up = 2,"
            " dose_amount_ml = 0.1, institution_id = NULL",
            ('理由 "引用" \\ と\n改行',),
        ),
        (
            "doctor = ?, place = ?, dose_amount_ml = 1e-7, issuance_id = NULL",
            ("\x01\t\u2028", "日本"),
        ),
        ("origin = '192015-A\n', version = '1700000000000.00004.192015-A B'", ()),
        ("outcome = 'postponed', postpone_reason = ''", ()),
        ("outcome = 'postponed', postpone_reason = NULL, voided_at = '2026-01-01 00:00:00'", ()),
    ]
    with db.transaction(conn):
        for row_id, (sets, params) in zip(ids, edits, strict=True):
            conn.execute(f"UPDATE vaccinations SET {sets} WHERE id = ?", (*params, row_id))
        conn.execute("UPDATE persons SET origin = 'OLD', moved_out = 1 WHERE id = 1")


def _python_envelopes(conn: db.Connection, record_type: str, package_type: str) -> list[Any]:
    table = sync_outbox.RECORD_TABLES[record_type]
    uids = [bytes(r[0]) for r in conn.execute(f"SELECT uid FROM {table} ORDER BY id")]
    out = []
    for row in sync_outbox.read_records(conn, record_type, uids):
        ptype, env = to_envelope(row, party_id=PARTY, cipher=None)
        if ptype == package_type:
            out.append(env)
    return out


def _sql_lines(conn: db.Connection, record_type: str, package_type: str) -> list[bytes]:
    """The lines of every row of ``package_type``; vaccination rows are read in one pass with
    the postponed ones (as the export does) and the postponed ones once more on their own (as
    when there are too many to keep): both must agree."""
    table = sync_outbox.RECORD_TABLES[record_type]
    ids = [int(r[0]) for r in conn.execute(f"SELECT id FROM {table} ORDER BY id")]
    names = sync_outbox.export_names(conn, record_type)
    shape = line_shape(record_type, names, record_type)
    assert shape is not None
    if record_type != "vaccination":
        return [row[3] for row in sync_lines.json_lines(conn, shape, ids, PARTY, batch=7)]
    alternate = line_shape(record_type, names, "postponement")
    assert alternate is not None
    rows = list(sync_lines.json_lines(conn, shape, ids, PARTY, alternate=alternate, batch=7))
    postponed_ids = [row[0] for row in rows if row[1]]
    again = sync_lines.json_lines(conn, alternate, postponed_ids, PARTY, batch=3)
    assert [row[3] for row in rows if row[1]] == [row[3] for row in again]
    want = 1 if package_type == "postponement" else 0
    return [row[3] for row in rows if row[1] == want]


@pytest.mark.parametrize(
    ("record_type", "package_type"),
    [(t, t) for t in TYPES] + [("vaccination", "postponement")],
)
def test_sql_lines_are_the_envelopes_of_to_envelope(
    demo_conn: db.Connection, record_type: str, package_type: str
) -> None:
    expected = _python_envelopes(demo_conn, record_type, package_type)
    lines = _sql_lines(demo_conn, record_type, package_type)
    assert len(expected) >= 2  # the demo register has rows of every type
    assert [orjson.loads(line) for line in lines] == expected
    assert all(b"\n" not in line for line in lines)


def test_the_odd_values_took_the_envelope_rules(demo_conn: db.Connection) -> None:
    """The rules were exercised, not only agreed on (spot checks of the edited rows)."""
    given = [orjson.loads(x) for x in _sql_lines(demo_conn, "vaccination", "vaccination")]
    postponed = [orjson.loads(x) for x in _sql_lines(demo_conn, "vaccination", "postponement")]
    first, second, third, fourth, fifth, sixth = given[:6]
    assert (first["origin"], first["version"]) == (PARTY, f"1700000000000.00001.{PARTY}")
    assert (second["origin"], second["version"]) == (PARTY, f"1700000000000.00002.{PARTY}")
    assert third["origin"] == PARTY and third["version"] == f"1700000000000.00003.{PARTY}"
    assert third["voided"] == {"at": "2026-06-01T10:11:12Z", "reason": "-"}
    assert fourth["voided"] == {"at": "2026-06-02T01:02:03Z", "reason": '理由 "引用" \\ と\n改行'}
    assert fourth["data"]["follow_up"] is True and fourth["data"]["institution_uid"] is None
    assert fourth["data"]["dose_amount_ml"] == 0.1
    assert fifth["data"]["doctor"] == "\x01\t\u2028" and fifth["data"]["place"] == "日本"
    assert sixth["origin"] == PARTY and sixth["version"] == f"1700000000000.00004.{PARTY}"
    assert [p["data"]["postpone_reason"] for p in postponed[:2]] == ["-", "-"]
    assert postponed[1]["voided"] == {"at": "2026-01-01T00:00:00Z", "reason": "-"}
    assert "vaccinated_on" not in postponed[0]["data"] and "postponed_on" in postponed[0]["data"]


def test_personal_numbers_take_the_general_path() -> None:
    assert line_shape("person_number", ("uid", "number_ct"), "person_number") is None


@pytest.mark.parametrize(
    ("column", "value"),
    [("series_id", "BAD ID"), ("updated_time", "25時"), ("doctor", b"\x00\x01")],
)
def test_a_malformed_stored_record_refuses_the_export(
    env: SyncEnv, tmp_path: Path, column: str, value: Any
) -> None:
    access = open_with_recovery_code(env.directory, env.recovery)
    try:
        with db.transaction(access.register.conn):
            access.register.conn.execute(f"UPDATE vaccinations SET {column} = ?", (value,))
    finally:
        access.register.close()
    out = tmp_path / "medium"
    number = login_as(env.directory, "number")
    try:
        before = dump_tables(number.register.conn)
        with pytest.raises(PackageError) as caught:
            sync_export.export_changes(number, out)
        assert dump_tables(number.register.conn) == before
    finally:
        number.register.close()
    assert caught.value.code == "E_RECORD_SCHEMA"
    assert "vaccination" in str(caught.value)
    assert not out.exists() or not any(out.iterdir())
    assert not any((env.directory / "sync-sent").iterdir())


def _outbox(conn: db.Connection) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in conn.execute("SELECT record_type, record_id, record_uid FROM outbox ORDER BY id")
    ]


@pytest.mark.parametrize("record_id", ["NULL", "999999", "(SELECT min(id) FROM vaccinations)"])
def test_an_entry_without_or_with_a_wrong_row_id_still_exports_its_record(
    env: SyncEnv, tmp_path: Path, record_id: str
) -> None:
    """Entries queued before migration 0007 have no row id; a wrong one (never written by the
    app) must not lose or misplace the change: the record is found by its uid."""
    nurse = login_as(env.directory, "nurse")
    try:
        record_dose(nurse, date(2026, 6, 20))  # a second vaccination, queued after the first
        conn = nurse.register.conn
        entries = _outbox(conn)
        rows = dict(conn.execute("SELECT id, uid FROM vaccinations").fetchall())
    finally:
        nurse.register.close()
    # the app names each changed row
    assert [(t, rows[i] == u) for t, i, u in entries] == [("vaccination", True)] * 2
    access = open_with_recovery_code(env.directory, env.recovery)
    try:
        with db.transaction(access.register.conn):
            access.register.conn.execute(
                f"UPDATE outbox SET record_id = {record_id} WHERE id = (SELECT max(id) FROM outbox)"
            )
    finally:
        access.register.close()
    number = login_as(env.directory, "number")
    try:
        result = sync_export.export_changes(number, tmp_path / "medium")
    finally:
        number.register.close()
    with env.open_as_server(result.path) as opened:
        sent = sorted(r["uid"] for r in opened.records("vaccination"))
    assert result.records == 2
    assert sent == sorted(uid_text(u) for _, _, u in entries)


def test_person_uids_come_from_the_narrow_index(demo_conn: db.Connection) -> None:
    """The lines read a person's uid from persons_id_uid (migration 0007), not the row."""
    names = sync_outbox.export_names(demo_conn, "vaccination")
    shape = line_shape("vaccination", names, "vaccination")
    assert shape is not None
    sql = sync_lines.line_sql(demo_conn, shape)
    plan = [
        str(r[3])
        for r in demo_conn.execute(f"EXPLAIN QUERY PLAN {sql}", {"ids": "[1]", "party": PARTY})
    ]
    assert any("COVERING INDEX persons_id_uid" in step for step in plan), plan
