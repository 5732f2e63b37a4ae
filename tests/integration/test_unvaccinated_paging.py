"""未接種者一覧 decided from narrow data, its rows fetched a page at a time: the pages put together
are exactly the whole list; a decision is audited once and its pages not at all; a CSV streamed
from a decision is the same file, reports progress and writes nothing when cancelled."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.domain.schedule import OPEN_STATUSES
from app.security.session import Session
from app.services import areas, unvaccinated
from app.services.demo import create_demo_register, demo_password
from app.services.register import login
from app.store import audit, db, lists, register_meta

TODAY = date(2026, 11, 27)
SERIES = ("mr1", "dpt_ipv", "hib", "je1", "hpv", "flu65", "zoster")


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("paging") / "demo"
    create_demo_register(directory, persons=1500, seed=3, today=TODAY)
    return directory


@pytest.fixture
def nurse(demo_dir: Path) -> Iterator[Session]:
    session = login(demo_dir, "nurse", demo_password("nurse"))
    try:
        yield session
    finally:
        session.register.close()


def _list_audits(session: Session) -> int:
    return len(list(audit.query(session.register.conn, action="list.unvaccinated")))


@pytest.mark.parametrize("series", SERIES)
def test_pages_of_a_decided_list_are_the_whole_list(nurse: Session, series: str) -> None:
    before = _list_audits(nurse)
    decision = unvaccinated.decide_list(nurse, series, TODAY)
    assert _list_audits(nurse) == before + 1
    whole = unvaccinated.build_list(nurse, series, TODAY).entries
    assert len(whole) == len(decision) > 0
    audited = _list_audits(nurse)
    pages = []
    for start in range(0, len(decision) + 37, 37):  # one page past the end is empty
        pages += unvaccinated.entries(nurse, decision, start, start + 37)
    assert tuple(pages) == whole
    chunks = list(unvaccinated.iter_entries(nurse, decision, chunk=50))
    assert tuple(e for chunk in chunks for e in chunk) == whole
    assert _list_audits(nurse) == audited  # fetching rows is not a new list
    assert [(r.birth_date, r.person_id) for r in decision.rows] == sorted(
        (e.birth_date, e.person_id) for e in whole
    )
    assert {r.status for r in decision.rows} <= set(OPEN_STATUSES)
    assert [(r.person_id, r.status, r.next_dose, r.window_until) for r in decision.rows] == [
        (e.person_id, e.status, e.next_dose, e.window_until) for e in whole
    ]


def test_an_area_decides_a_part_of_the_list(nurse: Session) -> None:
    whole = unvaccinated.decide_list(nurse, "je1", TODAY)
    area = unvaccinated.build_list(nurse, "je1", TODAY, area_code="01")
    part = unvaccinated.decide_list(nurse, "je1", TODAY, area_code="01")
    assert 0 < len(part) < len(whole)
    assert [r.person_id for r in part.rows] == [e.person_id for e in area.entries]
    assert {e.area_code for e in unvaccinated.entries(nurse, part)} == {"01"}
    assert {r.person_id for r in part.rows} <= {r.person_id for r in whole.rows}


def test_a_person_changed_after_the_decision_is_still_fetched(
    nurse: Session, demo_dir: Path
) -> None:
    decision = unvaccinated.decide_list(nurse, "je1", TODAY)
    moved = decision.rows[0].person_id
    conn = nurse.register.conn
    with db.transaction(conn):
        conn.execute("UPDATE persons SET moved_out = 1 WHERE id = ?", (moved,))
    try:
        rows = unvaccinated.entries(nurse, decision, 0, 3)
        assert [e.person_id for e in rows] == [r.person_id for r in decision.rows[:3]]
        assert moved not in {
            r.person_id for r in unvaccinated.decide_list(nurse, "je1", TODAY).rows
        }
    finally:
        with db.transaction(conn):
            conn.execute("UPDATE persons SET moved_out = 0 WHERE id = ?", (moved,))


def test_csv_streamed_from_a_decision_is_the_whole_list(nurse: Session, tmp_path: Path) -> None:
    decision = unvaccinated.decide_list(nurse, "flu65", TODAY)
    whole = unvaccinated.build_list(nurse, "flu65", TODAY)
    streamed, built = tmp_path / "streamed.csv", tmp_path / "built.csv"
    seen: list[tuple[int, int]] = []
    assert unvaccinated.export_csv(
        nurse, decision, streamed, progress=lambda d, t: seen.append((d, t))
    ) == len(decision)
    assert unvaccinated.export_csv(nurse, whole, built) == len(decision)
    assert streamed.read_bytes() == built.read_bytes()
    assert seen and seen[-1] == (len(decision), len(decision))
    table = list(csv.reader(streamed.read_text(encoding="utf-8-sig").splitlines()))
    assert table[0] == unvaccinated.CSV_HEADER and len(table) == len(decision) + 1


def test_a_cancelled_csv_writes_nothing_and_is_not_audited(nurse: Session, tmp_path: Path) -> None:
    decision = unvaccinated.decide_list(nurse, "flu65", TODAY)
    exports = len(list(audit.query(nurse.register.conn, action="list.unvaccinated.export")))
    out = tmp_path / "cancelled.csv"
    with pytest.raises(unvaccinated.ExportCancelled) as err:
        unvaccinated.export_csv(nurse, decision, out, cancelled=lambda: True)
    assert err.value.code == "E_EXPORT_CANCELLED" and "中止" in err.value.message_ja
    assert not out.exists() and list(tmp_path.iterdir()) == []
    after = len(list(audit.query(nurse.register.conn, action="list.unvaccinated.export")))
    assert after == exports


@pytest.mark.parametrize("series", SERIES)
def test_a_large_cohort_grouped_in_sql_decides_the_same_list(
    nurse: Session, series: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cohorts of ≥ PROBE_UNDER persons are checked against the series' grouped counts in one
    statement; below, person by person. Both decide the same list (here forced both ways)."""
    probed = unvaccinated.decide_list(nurse, series, TODAY)
    monkeypatch.setattr(lists, "PROBE_UNDER", 0)
    grouped = unvaccinated.decide_list(nurse, series, TODAY)
    assert grouped.rows == probed.rows and len(grouped) > 0
    area = unvaccinated.decide_list(nurse, series, TODAY, area_code="01")
    monkeypatch.setattr(lists, "PROBE_UNDER", 10**9)
    assert unvaccinated.decide_list(nurse, series, TODAY, area_code="01").rows == area.rows


def test_csv_writes_the_area_name_with_its_code(
    nurse: Session, demo_dir: Path, tmp_path: Path
) -> None:
    """The 地区 column is 「中央地区（01）」 like the printed list; a code without a name stays bare."""
    admin = login(demo_dir, "admin", demo_password("admin"))
    before = register_meta.area_names(admin.register.conn)
    try:
        areas.set_names(admin, {"01": "中央地区", "02": ""})
        decision = unvaccinated.decide_list(nurse, "je1", TODAY)
        rows = unvaccinated.entries(nurse, decision)
        out = tmp_path / "areas.csv"
        assert unvaccinated.export_csv(nurse, decision, out) == len(rows)
        table = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
        column = unvaccinated.CSV_HEADER.index("地区")
        got = [line[column] for line in table[1:]]
        assert {e.area_code for e in rows} >= {"01", "02"}
        for e, shown in zip(rows, got, strict=True):
            if e.area_code == "01":
                assert shown == "中央地区（01）"
            elif e.area_code == "02":
                assert shown == "02"
    finally:
        areas.set_names(admin, {"01": before.get("01", ""), "02": before.get("02", "")})
        admin.register.close()
