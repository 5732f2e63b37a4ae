"""The 未接種者一覧 of a series with an injected live vaccine (MR, 水痘) reads the other series'
live doses as the engine's 27-day rule does (``_list_live``): a 水痘 dose 12 days after MR does not
count, a recent MR dose pushes the next 水痘 dose, and the list says what the person view says."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.domain.schedule import OPEN_STATUSES
from app.security.session import Session
from app.services import _list_kept, _list_memo, schedule, unvaccinated
from app.services.demo import create_demo_register, demo_password
from app.services.register import login
from app.store import db, lists

TODAY = date(2026, 11, 27)
DATES = (date(2025, 3, 1), date(2025, 9, 20), TODAY)
SERIES = ("varicella", "mr1", "mr2")
# the reported child: MR on 2025-01-20, 水痘 12 days later and again in August
REPORTED = (
    "2024-01-15",
    (
        ("mr1", "mr", "2025-01-20"),
        ("varicella", "varicella", "2025-02-01"),
        ("varicella", "varicella", "2025-08-01"),
    ),
)
# a child given MR 10 days before the list date, 水痘 due: the engine pushes 水痘 past the MR
RECENT = ("2025-06-10", (("mr1", "mr", (TODAY - timedelta(days=10)).isoformat()),))
GAPS = (0, 1, 5, 12, 20, 26, 27, 28, 29, 30, 40, 90, 200)
RANDOM_PERSONS = 500
PICKED: list[int] = []


def _random_person(rng: random.Random) -> tuple[str, list[tuple[str, str | None, str]]]:
    born = date(2019, 4, 1) + timedelta(days=rng.randrange(7 * 365))
    day = born + timedelta(days=rng.randrange(330, 900))
    doses: list[tuple[str, str | None, str]] = []
    for _ in range(rng.choice((1, 2, 3, 4))):
        series = rng.choice(("mr1", "mr2", "varicella", "varicella"))
        product: str | None = "varicella" if series == "varicella" else "mr"
        if rng.random() < 0.05:
            product = None
        doses.append((series, product, day.isoformat()))
        day += timedelta(days=rng.choice(GAPS))
    return born.isoformat(), doses


@pytest.fixture(scope="module")
def nurse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    directory: Path = tmp_path_factory.mktemp("live") / "demo"
    create_demo_register(directory, persons=1600, seed=31, today=TODAY)
    session = login(directory, "nurse", demo_password("nurse"))
    conn = session.register.conn
    rng = random.Random(20261202)
    cases = [REPORTED, RECENT] + [_random_person(rng) for _ in range(RANDOM_PERSONS)]
    ids = [
        int(r[0])
        for r in conn.execute(
            "SELECT id FROM persons WHERE moved_out = 0 AND deceased = 0 AND voided_at IS NULL"
            " AND id NOT IN (SELECT person_id FROM vaccinations) ORDER BY id LIMIT ?",
            (len(cases),),
        )
    ]
    assert len(ids) == len(cases)
    PICKED[:] = ids
    template = conn.execute("SELECT id FROM vaccinations ORDER BY id LIMIT 1").fetchone()[0]
    with db.transaction(conn):
        for pid, (born, doses) in zip(ids, cases, strict=True):
            conn.execute("UPDATE persons SET birth_date = ? WHERE id = ?", (born, pid))
            for series, product, given in doses:
                conn.execute(
                    "INSERT INTO vaccinations (uid, version, origin, person_id, series_id,"
                    " product_id, outcome, category, vaccinated_on, voided_at, updated_date,"
                    " updated_time, updated_by) SELECT randomblob(16), version, origin, ?, ?, ?,"
                    " 'given', 'routine', ?, NULL, updated_date, updated_time, updated_by"
                    " FROM vaccinations WHERE id = ?",
                    (pid, series, product, given, template),
                )
    try:
        yield session
    finally:
        session.register.close()


def _engine(nurse: Session, pid: int, series: str, on: date) -> tuple[object, ...] | None:
    st = {s.id: s for s in schedule.due_list(nurse, pid, on).series}[series]
    if st.status not in OPEN_STATUSES:
        return None
    return (st.status, st.next_dose, st.window_until, st.doses_given)


def _listed(nurse: Session, series: str, on: date) -> dict[int, tuple[object, ...]]:
    return {
        r.person_id: (r.status, r.next_dose, r.window_until, r.judged.doses_given)
        for r in unvaccinated.decide_list(nurse, series, on).rows
    }


def test_the_reported_child_is_listed_for_varicella(nurse: Session) -> None:
    pid = PICKED[0]
    engine = _engine(nurse, pid, "varicella", TODAY)
    assert engine is not None and engine[0] == "due" and engine[3] == 1
    assert _listed(nurse, "varicella", TODAY).get(pid) == engine


def test_a_recent_mr_dose_pushes_varicella_as_in_the_person_view(nurse: Session) -> None:
    pid = PICKED[1]
    st = {s.id: s for s in schedule.due_list(nurse, pid, TODAY).series}["varicella"]
    assert st.earliest is not None and st.earliest > TODAY  # pushed past the MR dose
    assert _listed(nurse, "varicella", TODAY).get(pid) == _engine(nurse, pid, "varicella", TODAY)


@pytest.mark.parametrize("strategy", ["probed", "grouped"])
@pytest.mark.parametrize("series", SERIES)
def test_random_live_doses_list_what_the_person_view_finds_open(
    nurse: Session, series: str, strategy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lists, "PROBE_UNDER", 10**9 if strategy == "probed" else 0)
    for on in DATES:
        # kept 'complete' judgements of an earlier list must not hide anyone either
        for forget in (True, False):
            if forget:
                _list_memo._JUDGED.clear()
                _list_memo._KEPT.clear()
            got = _listed(nurse, series, on)
            for pid in PICKED:
                want = _engine(nurse, pid, series, on)
                assert got.get(pid) == want, (series, on.isoformat())
    # the drawn gaps make the rule matter: some persons hold a dose it does not count
    differing = sum(
        any(
            w.startswith("W_LIVE_INTERVAL")
            for st in schedule.due_list(nurse, pid, TODAY).series
            if st.id in SERIES
            for w in st.warnings
        )
        for pid in PICKED
    )
    assert differing > 0
    assert _list_kept.rules_key(nurse.register.conn, schedule.catalog_for(nurse), series)
