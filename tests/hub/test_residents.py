"""`vaxdesk hub import-residents` on both engines: diffs, bad rows by line, encodings, refusals."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select

from app.cli import main
from app.hub.csv_rows import RowError
from app.hub.errors import HubInvalidInput
from app.hub.hub import Hub, init_hub
from app.hub.residents import import_residents
from app.hub.residents_csv import COLUMNS, Resident, read_residents
from app.hub.sample import mynumber, resident_rows, write_residents_csv
from app.hub.store import residents as rstore
from app.hub.store.schema import person_numbers, persons
from tests.hub.helpers import HUB_ID

TODAY = date(2026, 12, 1)


def _csv(
    tmp_path: Path, rows: list[list[str]], name: str = "r.csv", encoding: str = "utf-8"
) -> Path:
    path = tmp_path / name
    write_residents_csv(path, rows, encoding=encoding)
    return path


def _register(hub: Hub) -> dict[str, dict[str, Any]]:
    with hub.store.begin() as conn:
        return {r["atena_no"]: dict(r) for r in conn.execute(select(persons)).mappings()}


def _numbers(hub: Hub) -> dict[bytes, tuple[bytes, bytes]]:
    with hub.store.begin() as conn:
        rows: Iterable[tuple[Any, ...]] = conn.execute(
            select(
                person_numbers.c.person_uid,
                person_numbers.c.number_ct,
                person_numbers.c.blind_index,
            )
        )
        return {bytes(u): (bytes(c), bytes(b)) for u, c, b in rows}


def test_import_holds_every_row_and_encrypts_numbers(hub: Hub, tmp_path: Path) -> None:
    rows = list(resident_rows(300, seed=3))
    result = import_residents(hub, _csv(tmp_path, rows), today=TODAY)
    assert (result.rows, result.inserted, result.updated, result.unchanged, result.rejected) == (
        300,
        300,
        0,
        0,
        0,
    )
    reg = _register(hub)
    numbers = _numbers(hub)
    cipher = hub.numbers()
    assert len(reg) == 300
    for row in rows:
        got = reg[row[0]]
        assert (
            got["name"],
            got["name_kana"],
            got["birth_date"],
            got["address"],
            got["household_no"],
            got["relationship"],
        ) == (row[1], row[2], row[3], row[5], row[6], row[7])
        assert got["sex"] == ("M" if row[4] == "男" else "F")
        assert got["status"] == "active" and got["origin"] == HUB_ID
        if row[8]:
            ct, _blind = numbers[bytes(got["uid"])]
            assert row[8].encode() not in ct
            assert cipher.decrypt(bytes(got["uid"]), ct) == row[8]
            with hub.store.begin() as conn:
                assert rstore.persons_by_blind_index(conn, cipher.blind_index(row[8])) == [
                    bytes(got["uid"])
                ]
        else:
            assert bytes(got["uid"]) not in numbers
    assert len({r["version"] for r in reg.values()}) == 300


def test_repeated_import_applies_only_differences(hub: Hub, tmp_path: Path) -> None:
    rows = list(resident_rows(200, seed=5))
    import_residents(hub, _csv(tmp_path, rows), today=TODAY)
    before = _register(hub)
    numbers_before = _numbers(hub)
    again = import_residents(hub, _csv(tmp_path, rows, "again.csv"), today=TODAY)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 200)
    assert _register(hub) == before

    changed = [list(r) for r in rows]
    changed[0][1] = "変更 後子"  # 氏名変更
    changed[0][9:11] = ["氏名変更", "2026-11-01"]
    changed[1][9:11] = ["転出", "2026-10-15"]
    changed[2][9:11] = ["死亡", "2026-09-30"]
    with_number = next(i for i, r in enumerate(changed) if r[8] and i > 2)
    changed[with_number][8] = mynumber(999_999)
    added = list(resident_rows(2, seed=9, start=1000))
    result = import_residents(hub, _csv(tmp_path, changed + added, "diff.csv"), today=TODAY)
    assert (result.inserted, result.updated, result.unchanged) == (2, 4, 196)
    after = _register(hub)
    touched = {rows[0][0], rows[1][0], rows[2][0], rows[with_number][0]}
    for atena, row in before.items():
        if atena not in touched:
            assert after[atena] == row
    assert (
        after[rows[0][0]]["name"] == "変更 後子" and after[rows[0][0]]["last_event"] == "氏名変更"
    )
    assert (after[rows[1][0]]["status"], after[rows[1][0]]["moved_out_date"]) == (
        "moved_out",
        "2026-10-15",
    )
    assert (after[rows[2][0]]["status"], after[rows[2][0]]["deceased_date"]) == (
        "deceased",
        "2026-09-30",
    )
    uid = bytes(after[rows[with_number][0]]["uid"])
    assert hub.numbers().decrypt(uid, _numbers(hub)[uid][0]) == mynumber(999_999)
    assert numbers_before[uid] != _numbers(hub)[uid]
    assert after[rows[with_number][0]]["version"] == before[rows[with_number][0]]["version"]
    for atena in (rows[0][0], rows[1][0], rows[2][0]):
        assert after[atena]["version"] > before[atena]["version"]
        assert after[atena]["change_seq"] > max(r["change_seq"] for r in before.values())


def test_bad_rows_are_reported_by_line_and_change_nothing(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = list(resident_rows(20, seed=7))
    import_residents(hub, _csv(tmp_path, rows), today=TODAY)
    before = _register(hub)
    bad = [list(r) for r in rows[:10]]
    for r in bad:
        r[1] = "書き換え 禁止"
    bad[0][8] = bad[0][8][:11] + str((int(bad[0][8][11]) + 1) % 10) if bad[0][8] else "123456789019"
    bad[1][3] = "2026-02-30"
    bad[2][9:11] = ["出生", "2026-01-01"]
    bad[3][4] = "X"
    bad[4][2] = "abc"
    bad[5] = bad[5][:5]
    bad[6][9:11] = ["転出", ""]
    bad[7][0] = "12345"
    bad[8][3] = "2030-01-01"
    bad[9][6] = "世帯"
    newcomer = next(iter(resident_rows(1, seed=8, start=500)))
    dup = list(newcomer)
    path = _csv(tmp_path, [*bad, newcomer, dup], "bad.csv")
    code = main(["hub", "import-residents", "--dir", str(hub.layout.root), str(path), "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    report = json.loads(out)
    got = [(e["line"], e["code"]) for e in report["errors"]]
    assert got == [
        (2, "E_MYNUMBER_CHECK_DIGIT"),
        (3, "E_RESIDENT_DATE"),
        (4, "E_RESIDENT_EVENT"),
        (5, "E_RESIDENT_SEX"),
        (6, "E_RESIDENT_KANA"),
        (7, "E_RESIDENT_COLUMNS"),
        (8, "E_RESIDENT_REQUIRED"),
        (9, "E_ATENA_LENGTH"),
        (10, "E_RESIDENT_DATE"),
        (11, "E_RESIDENT_HOUSEHOLD"),
        (13, "E_RESIDENT_DUPLICATE"),
    ]
    assert report["inserted"] == 1 and report["updated"] == 0
    for line in err.splitlines():
        assert "書き換え" not in line and "後子" not in line and newcomer[1] not in line
    after = _register(hub)
    assert {k: v for k, v in after.items() if k != newcomer[0]} == before
    assert after[newcomer[0]]["name"] == newcomer[1]


def test_cp932_and_utf8_files_import_the_same(tmp_path: Path, hub: Hub) -> None:
    rows = list(resident_rows(50, seed=11))
    result = import_residents(hub, _csv(tmp_path, rows, "sjis.csv", encoding="cp932"), today=TODAY)
    assert (result.inserted, result.rejected) == (50, 0)
    again = import_residents(
        hub, _csv(tmp_path, rows, "utf8.csv", encoding="utf-8-sig"), today=TODAY
    )
    assert (again.unchanged, again.inserted, again.updated) == (50, 0, 0)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (",".join(COLUMNS).encode("cp932") + b"\nabc\x82\x20\x82\n", "E_RESIDENT_ENCODING"),
        ("宛名番号,氏名\n0000000001,試験\n".encode(), "E_RESIDENT_HEADER"),
        (b"", "E_RESIDENT_HEADER"),
        (",".join(COLUMNS).encode() + b'\n0000000009,"unterminated,x\n', "E_RESIDENT_CSV"),
    ],
    ids=["encoding", "missing-columns", "empty", "quoting"],
)
def test_unreadable_files_are_refused_whole(
    tmp_path: Path, hub: Hub, content: bytes, code: str
) -> None:
    good = list(resident_rows(5, seed=12))
    import_residents(hub, _csv(tmp_path, good), today=TODAY)
    before = _register(hub)
    path = tmp_path / "broken.csv"
    if code == "E_RESIDENT_CSV":
        buf = io.StringIO()
        csv.writer(buf).writerows([COLUMNS, *resident_rows(3, seed=13, start=100)])
        content = buf.getvalue().encode() + content.split(b"\n", 1)[1]
    path.write_bytes(content)
    with pytest.raises(HubInvalidInput) as err:
        import_residents(hub, path, today=TODAY)
    assert err.value.code == code
    assert _register(hub) == before


def _index_names(hub: Hub) -> set[str | None]:
    with hub.store.begin() as conn:
        found: set[str | None] = set()
        for table in ("persons", "person_numbers"):
            found |= {i["name"] for i in inspect(conn).get_indexes(table)}
        return found


def test_first_import_rebuilds_the_indexes_and_a_failed_one_keeps_them(
    tmp_path: Path, hub: Hub
) -> None:
    """Into an empty register the plain indexes are dropped and built once at the end, in the
    import's transaction: after a refused first import they are all still there, after a good
    one too (and the register is searchable through them)."""
    wanted = {i.name for t in (persons, person_numbers) for i in t.indexes}
    assert wanted and wanted <= _index_names(hub)
    buf = io.StringIO()
    csv.writer(buf).writerows([COLUMNS, *resident_rows(30, seed=15)])
    broken = tmp_path / "broken.csv"
    broken.write_bytes(buf.getvalue().encode() + b'0000000999,"unterminated,x\n')
    with pytest.raises(HubInvalidInput) as err:
        import_residents(hub, broken, today=TODAY)
    assert err.value.code == "E_RESIDENT_CSV"
    assert wanted <= _index_names(hub)
    assert _register(hub) == {}
    rows = list(resident_rows(30, seed=15))
    result = import_residents(hub, _csv(tmp_path, rows), today=TODAY)
    assert result.inserted == 30
    assert wanted <= _index_names(hub)
    with hub.store.begin() as conn:
        one = conn.execute(select(persons.c.atena_no).order_by(persons.c.change_seq)).first()
        kana: str = conn.execute(select(persons.c.kana_key).limit(1)).scalar_one()
        by_kana = conn.execute(select(persons.c.uid).where(persons.c.kana_key == kana)).all()
    assert one is not None and by_kana


def test_quoted_fields_with_commas_and_line_breaks_keep_line_numbers(tmp_path: Path) -> None:
    rows = list(resident_rows(3, seed=14))
    rows[0][5] = '甲府市丸の内1,2丁目 "北"'  # comma and quotes inside a quoted field: accepted
    rows[1][5] = "甲府市丸の内1\n2丁目"  # a line break inside a field: refused, spans two lines
    rows[2][4] = "?"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([COLUMNS, *rows])
    items = list(read_residents(io.StringIO(buf.getvalue(), newline=""), 10, TODAY))
    assert isinstance(items[0], Resident) and items[0].address == '甲府市丸の内1,2丁目 "北"'
    assert items[1:] == [
        RowError(3, "E_RESIDENT_TEXT", "住所"),
        RowError(5, "E_RESIDENT_SEX", "性別"),
    ]


_cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "男",
            "女",
            "転出",
            "転入",
            "死亡",
            "氏名変更",
            "R7.4.10",
            "2025-02-29",
            "123456789018",
            "0000000001",
            "ヤマダ タロウ",
            "\x00",
            '"',
            "\r\n",
        ]
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_cell, min_size=0, max_size=13), max_size=8), st.binary(max_size=40))
def test_fuzzed_rows_never_crash_the_reader(rows: list[list[str]], tail: bytes) -> None:
    buf = io.StringIO()
    csv.writer(buf).writerows([COLUMNS, *rows])
    text = buf.getvalue() + tail.decode("latin-1")
    try:
        items = list(read_residents(io.StringIO(text, newline=""), 10, TODAY))
    except HubInvalidInput as exc:
        assert exc.code in ("E_RESIDENT_CSV", "E_RESIDENT_HEADER")
        return
    lines = [i.line for i in items]
    assert lines == sorted(lines)
    for item in items:
        assert isinstance(item, Resident | RowError)
        if isinstance(item, Resident):
            assert len(item.atena_no) == 10 and item.sex in ("M", "F")


@pytest.mark.slow
def test_a_million_rows_with_bad_ones_report_their_lines_and_skip_only_them(
    tmp_path: Path,
) -> None:
    """The resident master at the scale of the issue (1,000,000 rows, embedded engine): bad rows
    at the start, the middle and the end are reported by line and code and only they are
    skipped."""
    total = 1_000_000
    bad_at = {0: (3, "2026-02-30"), 499_999: (4, "X"), total - 1: (8, "123456789019")}

    def rows() -> Any:
        for i, row in enumerate(resident_rows(total, seed=11)):
            if i in bad_at:
                column, value = bad_at[i]
                row = list(row)
                row[column] = value
            yield row

    path = tmp_path / "million.csv"
    write_residents_csv(path, rows())
    bad_atena = [f"{i + 1:010d}" for i in sorted(bad_at)]
    hub = init_hub(tmp_path / "hub", HUB_ID)
    try:
        result = import_residents(hub, path, today=TODAY)
        assert [(e.line, e.code) for e in result.errors] == [
            (2, "E_RESIDENT_DATE"),
            (500_001, "E_RESIDENT_SEX"),
            (total + 1, "E_MYNUMBER_CHECK_DIGIT"),
        ]
        assert (result.inserted, result.updated) == (total - 3, 0)
        with hub.store.begin() as conn:
            count = conn.execute(select(func.count()).select_from(persons)).scalar_one()
            stored = conn.execute(
                select(persons.c.atena_no).where(persons.c.atena_no.in_(bad_atena))
            ).fetchall()
            held = conn.execute(
                select(persons.c.atena_no).where(persons.c.atena_no.in_(["0000000002"]))
            ).fetchall()
        assert count == total - 3 and stored == [] and len(held) == 1
    finally:
        hub.close()
