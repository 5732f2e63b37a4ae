"""The one-pass chunk insert of an ``initial`` load (``initial_load._streaming``): the chunk laid
out by column on the read-ahead side (``Positions``), then inserted without materializing it.
It must give exactly the rows the exact statement gives (same values, same SQL types: numbers
as written in the line, booleans, nulls, escapes, a voided record), and hand every chunk it
cannot take whole (a reference not in the register, a uid seen twice, a line SQLite cannot
read) to the exact statement, which cuts the chunk or refuses it as before."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import sqlcipher3

from app.services._initial_lines import LinePath, column_sources
from app.services._sync_initial import _RowBuilder
from app.store import initial_load, migrate
from tests.support.sync_env import envelope, person_env


def _connect() -> Any:
    conn = sqlcipher3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    for step in migrate.available_migrations():
        conn.executescript(step.sql)
    return conn


def _path(conn: Any, rtype: str, streaming: bool = True) -> LinePath:
    b = _RowBuilder(conn, rtype)
    path = LinePath(
        conn, rtype, column_sources(rtype, b.plain, b.bools, b.ref_fields, b.ref_columns)
    )
    if not streaming:
        path.inserter.streaming, path.inserter.positions = None, None
    return path


def _refused(rtype: str, envelopes: list[dict[str, Any]]) -> None:
    raise AssertionError(f"{rtype}: {len(envelopes)} records left to the general path")


@pytest.fixture
def conn() -> Iterator[Any]:
    c = _connect()
    yield c
    c.close()


def _person(conn: Any, env: dict[str, Any] | None = None) -> str:
    env = env or person_env("0000000001")
    assert _path(conn, "person").insert([orjson.dumps(env)], _refused, _refused) == 1
    return str(env["uid"])


def _vaccination(person_uid: str, **data: Any) -> dict[str, Any]:
    fields = {
        "person_uid": person_uid,
        "series_id": "flu65",
        "category": "routine",
        "vaccinated_on": "2026-11-02",
        "follow_up": False,
        **data,
    }
    return envelope("vaccination", {k: v for k, v in fields.items() if v is not None})


def _tricky(person_uid: str) -> list[bytes]:
    """Lines with values whose conversion could drift: 17-digit floats, integers, booleans,
    escapes written as such, quotes and backslashes, absent fields, a voided record."""
    envs = [
        _vaccination(person_uid, dose_amount_ml=0.30000000000000004, dose_no=2),
        _vaccination(person_uid, dose_amount_ml=1e-7, follow_up=True, lot_no='A"B\\C'),
        _vaccination(person_uid, dose_amount_ml=5, dose_label="1回目", doctor=None),
        _vaccination(person_uid, receipt_no="0012", special_rule="長期療養特例"),
    ]
    voided = _vaccination(person_uid, place="会場")
    voided["voided"] = {"at": "2026-11-03T09:00:00Z", "reason": "入力誤り"}
    envs.append(voided)
    lines = [orjson.dumps(e) for e in envs]
    # a name written with \\u escapes, as another JSON writer may send it
    lines.append(
        orjson.dumps(_vaccination(person_uid, doctor="池田")).replace(
            "池田".encode(), b"\\u6c60\\u7530"
        )
    )
    return lines


def _columns(conn: Any) -> list[str]:
    return [str(r[1]) for r in conn.execute("PRAGMA table_info(vaccinations)")]


def _rows(conn: Any) -> list[tuple[Any, ...]]:
    """Every vaccination row as (SQL type, value) pairs, column by column."""
    cols = _columns(conn)
    typed = ", ".join(f"typeof({c}), {c}" for c in cols)
    return [tuple(r) for r in conn.execute(f"SELECT {typed} FROM vaccinations ORDER BY id")]


def test_one_pass_gives_the_exact_statements_rows() -> None:
    got = []
    person_line = person_env("0000000001")
    lines = _tricky(str(person_line["uid"]))
    for streaming in (True, False):
        conn = _connect()
        try:
            _person(conn, person_line)
            before = initial_load.COUNTS.streamed
            path = _path(conn, "vaccination", streaming)
            assert path.insert(lines, _refused, _refused) == len(lines)
            assert initial_load.COUNTS.streamed - before == (1 if streaming else 0)
            got.append(_rows(conn))
        finally:
            conn.close()
    one_pass, exact = got
    assert len(one_pass) == 6
    assert one_pass == exact
    cols = _columns(_connect())
    at = 2 * cols.index("dose_amount_ml")
    assert [r[at : at + 2] for r in one_pass[:3]] == [
        ("real", 0.30000000000000004),
        ("real", 1e-7),
        ("real", 5.0),  # the column's REAL affinity, in both
    ]
    doctor = 2 * cols.index("doctor") + 1
    assert one_pass[5][doctor] == "池田"
    voided = 2 * cols.index("voided_at") + 1
    assert one_pass[4][voided : voided + 3 : 2] == ("2026-11-03 09:00:00", "入力誤り")


def test_a_missing_reference_goes_to_the_exact_statement_which_cuts(conn: Any) -> None:
    person = _person(conn)
    lines = [orjson.dumps(_vaccination(person)) for _ in range(6)]
    lines[3] = orjson.dumps(_vaccination("01a2348b-8c18-7341-8548-4590fd1e1ee1"))  # not here
    left: list[dict[str, Any]] = []
    before = (initial_load.COUNTS.streamed, initial_load.COUNTS.exact, initial_load.COUNTS.cut)
    done = _path(conn, "vaccination").insert(lines, lambda _t, envs: left.extend(envs), _refused)
    after = (initial_load.COUNTS.streamed, initial_load.COUNTS.exact, initial_load.COUNTS.cut)
    assert done == 3
    assert [e["uid"] for e in left] == [orjson.loads(x)["uid"] for x in lines[3:]]
    assert conn.execute("SELECT count(*) FROM vaccinations").fetchone()[0] == 3
    assert tuple(a - b for a, b in zip(after, before, strict=True)) == (0, 1, 1)


def test_a_uid_seen_twice_refuses_the_whole_chunk(conn: Any) -> None:
    person = _person(conn)
    lines = [orjson.dumps(_vaccination(person)) for _ in range(4)]
    lines.append(lines[1])
    whole: list[dict[str, Any]] = []
    done = _path(conn, "vaccination").insert(lines, _refused, lambda _t, e: whole.extend(e))
    assert done == 0
    assert len(whole) == 5
    assert conn.execute("SELECT count(*) FROM vaccinations").fetchone()[0] == 0


def test_the_layout_refuses_what_it_cannot_read(conn: Any) -> None:
    path = _path(conn, "vaccination")
    positions = path.inserter.positions
    assert positions is not None
    good = b"[" + orjson.dumps(_vaccination("01a2348b-8c18-7341-8548-4590fd1e1ee1")) + b"]"
    assert positions(good, 1) is not None
    assert positions(good, 2) is None  # not as many records as the chunk holds
    assert positions(b'[{"uid": ', 1) is None  # not JSON
    # then the exact statement meets the fault where the load would
    with pytest.raises(sqlcipher3.Error):
        path.insert([b'{"uid": '], _refused, _refused)
    assert conn.execute("SELECT count(*) FROM vaccinations").fetchone()[0] == 0
    path.close()


def test_types_naming_their_own_type_take_the_exact_statement(conn: Any) -> None:
    assert _path(conn, "person").inserter.streaming is None  # a guardian earlier in the chunk
    assert _path(conn, "household").inserter.streaming is not None
