"""The 未接種者一覧 decided from narrow data (cohort by birth range, complete persons dropped in
SQL, one judgement per birth date without doses, the series' own doses only) lists exactly the
persons the full engine — every series, the person's whole history (``schedule.due_list``) —
finds due or waiting, with the same status, next dose and window, for every bundled list series
on several dates and both cohort strategies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.domain.schedule import OPEN_STATUSES
from app.security.session import Session
from app.services import schedule, unvaccinated
from app.services.demo import create_demo_register, demo_password
from app.services.register import login
from app.store import lists

TODAY = date(2026, 11, 27)
# The register's doses are all given by TODAY: lists for a past date would count later doses
# (the SQL drops persons holding the series' doses whatever their date), so none is checked.
DATES = (TODAY, date(2027, 1, 31), date(2027, 3, 31))
# 日本脳炎 (je1, je2) is NOT pinned here: the engine gives a je dose to the first series whose
# window holds its date (a dose recorded under je2 at 9 years in the 特例 cohort counts for
# je1), while the list reads the doses recorded under the listed series only, so the two differ
# for such persons (known, reported with branch lists2; not changed by it).
SERIES = (
    "mr1",
    "mr2",
    "dpt_ipv",
    "hib",
    "pcv",
    "varicella",
    "hpv",
    "flu65",
    "pneumo65",
    "zoster",
)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("pin") / "demo"
    create_demo_register(directory, persons=1200, seed=7, today=TODAY)
    return directory


@pytest.fixture(scope="module")
def nurse(demo_dir: Path) -> Iterator[Session]:
    session = login(demo_dir, "nurse", demo_password("nurse"))
    try:
        yield session
    finally:
        session.register.close()


@pytest.fixture(scope="module")
def full_engine(nurse: Session) -> dict[date, dict[int, dict[str, tuple[object, ...]]]]:
    """date → person → series → (status, next dose, window end, doses given) by the full engine,
    for every living resident of the register and the open series only."""
    ids = [
        int(r[0])
        for r in nurse.register.conn.execute(
            "SELECT id FROM persons WHERE moved_out = 0 AND deceased = 0 AND voided_at IS NULL"
        )
    ]
    out: dict[date, dict[int, dict[str, tuple[object, ...]]]] = {}
    for on in DATES:
        per: dict[int, dict[str, tuple[object, ...]]] = {}
        for pid in ids:
            ev = schedule.due_list(nurse, pid, on)
            per[pid] = {
                s.id: (s.status, s.next_dose, s.window_until, s.doses_given)
                for s in ev.series
                if s.status in OPEN_STATUSES
            }
        out[on] = per
    return out


@pytest.mark.parametrize("strategy", ["probed", "grouped"])
@pytest.mark.parametrize("series", SERIES)
def test_list_is_what_the_full_engine_finds_open(
    nurse: Session,
    full_engine: dict[date, dict[int, dict[str, tuple[object, ...]]]],
    series: str,
    strategy: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lists, "PROBE_UNDER", 10**9 if strategy == "probed" else 0)
    listed_somewhere = 0
    for on in DATES:
        decision = unvaccinated.decide_list(nurse, series, on)
        got = {
            r.person_id: (r.status, r.next_dose, r.window_until, r.judged.doses_given)
            for r in decision.rows
        }
        want = {pid: open_[series] for pid, open_ in full_engine[on].items() if series in open_}
        assert got == want, (series, on.isoformat())
        listed_somewhere += len(got)
    assert listed_somewhere > 0  # the register holds persons open for every series
