"""Package lines stored when a change is queued (migration 0009, app/store/outbox_lines.py), sent
as they are only when checked: a stored line goes only with the MAC of the checked queue path
(this register's key, today's schemas, its own outbox entry); a line changed, unsigned, swapped,
signed otherwise or malformed is never sent, the line of the current row goes instead; a row
whose line breaks the schema stores none and refuses the export changing nothing; personal
numbers never get a stored line; the queue check applies the rules of a package line. Lines kept
current through every write: test_sync_stored_lines_current.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
import pytest

from app.security.session import Session
from app.services import person_numbers, results, sync_export
from app.services._line_check import line_check
from app.services._sync_records import line_shapes, uid_text
from app.store import db, outbox_lines, stamps
from app.sync.errors import PackageError
from app.sync.lines import MAX_LINE
from tests.support.registers import login_as
from tests.support.stored_lines import (
    _current,
    _export,
    _malformed_row_queued,
    _sign,
    _stored,
    _tamper_lot,
    _vaccination_uid,
)
from tests.support.sync_env import SyncEnv, dump_tables, make_sync_register, record_dose
from tests.sync.pkgkit import person, vaccination

NUMBER = "123456789018"


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
