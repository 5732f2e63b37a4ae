"""A person is left out of the 未接種者一覧 as complete only when the engine finds the series
complete: doses the engine does not count (too soon after the previous one, of a product not yet
routine on that day, of a product of another series, outside the window for the person's age)
must not make a person complete in the list either (issue 12 item 20).

The list must equal, person by person, what the full engine (``schedule.due_list``) finds due
or waiting — for the two reported persons and for a few thousand persons given random doses with
such defects, with both cohort strategies."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.domain.schedule import OPEN_STATUSES
from app.security.session import Session
from app.services import schedule, unvaccinated
from app.services._list_memo import season_counted
from app.services.demo import create_demo_register, demo_password
from app.services.register import login
from app.store import db, lists
from app.store.catalog_files import load_catalog

TODAY = date(2026, 11, 27)
DATES = (date(2025, 12, 1), TODAY)
SERIES = ("je1", "je2", "pcv", "pneumo65", "hib", "flu65", "mr1")

# (birth date, ((series recorded under, product, date given), ...)) — the reported persons.
REPORTED: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    # je1: the second dose two days after the first (6 days needed): the engine counts two
    # doses and finds 追加 due; the list used to leave the person out as complete.
    (
        "2020-08-31",
        (("je1", "je", "2021-03-01"), ("je1", "je", "2021-03-03"), ("je1", "je", "2022-04-01")),
    ),
    # PCV20 recorded as routine before 2024-10-01 (routine from that day): only the last dose
    # counts for the engine.
    (
        "2024-03-31",
        (
            ("pcv", "pcv20", "2024-06-01"),
            ("pcv", "pcv20", "2024-07-01"),
            ("pcv", "pcv20", "2024-08-01"),
            ("pcv", "pcv20", "2025-04-10"),
        ),
    ),
)

# Two different vaccines of hib on one day, entered in either order (rows in entry order): the
# engine walks them in that order — hib's next dose is 追加 after standalone Hib then 5種混合,
# 初回2回目 after the reverse — and so must the list.
SAME_DAY: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "2024-05-10",
        (
            ("hib", "hib", "2024-07-10"),
            ("hib", "dpt_ipv_hib", "2024-07-10"),
            ("dpt_ipv", "dpt_ipv_hib", "2024-07-10"),
        ),
    ),
    (
        "2024-05-10",
        (
            ("hib", "dpt_ipv_hib", "2024-07-10"),
            ("dpt_ipv", "dpt_ipv_hib", "2024-07-10"),
            ("hib", "hib", "2024-07-10"),
        ),
    ),
)

# Random persons: birth-date ranges of the series above, and doses of their products, recorded
# under the series or (as the counter accepts) under another series of the same product — a
# shared product the engine gives to one series by date (je, mr, pcv20) or a combined one
# (dpt_ipv_hib) — or by series only (no product).
BORN = (("2017-01-01", "2022-12-31"), ("2022-06-01", "2026-06-30"), ("1940-01-01", "1962-03-31"))
PRODUCTS = {
    "je1": ("je",),
    "je2": ("je",),
    "pcv": ("pcv20", "pcv15", "pcv13", "pcv20"),
    "hib": ("hib", "hib", "dpt_ipv_hib"),
    "flu65": ("flu",),
    "pneumo65": ("ppsv23", "pcv20"),
    "mr1": ("mr",),
}
# Gaps between doses, in days: the same day, too close for every interval, near the legal
# 6 days / 27 days / 6 months bounds, and long.
GAPS = (0, 1, 2, 5, 6, 7, 20, 26, 27, 28, 60, 170, 181, 182, 183, 200, 365, 400)
RANDOM_PERSONS = 2500
CATALOG = load_catalog()


def _random_person(rng: random.Random) -> tuple[str, list[tuple[str, str | None, str, str]]]:
    lo, hi = (date.fromisoformat(d) for d in rng.choice(BORN))
    born = lo + timedelta(days=rng.randrange((hi - lo).days + 1))
    series = rng.choice(tuple(PRODUCTS))
    start = born + timedelta(days=rng.randrange(30, 800 if born.year > 1990 else 30000))
    doses: list[tuple[str, str | None, str, str]] = []
    day = start
    for _ in range(rng.choice((1, 2, 3, 3, 4, 4, 5))):
        category = "voluntary" if rng.random() < 0.05 else "routine"
        if doses and doses[-1][2] == day.isoformat() and rng.random() < 0.5:
            # The same vaccine again on one day (entered twice). Otherwise a second vaccine
            # may be drawn for the same day (``hib`` then ``dpt_ipv_hib``, or the reverse): the
            # engine walks them in the order they were entered, and so must the list.
            doses.append((*doses[-1][:3], category))
        else:
            product: str | None = rng.choice(PRODUCTS[series])
            recorded = series
            if rng.random() < 0.15:
                recorded = rng.choice(CATALOG.series_by_product[str(product)])
            if rng.random() < 0.05:
                product = None
            doses.append((recorded, product, day.isoformat(), category))
        day += timedelta(days=rng.choice(GAPS))
    return born.isoformat(), doses


@pytest.fixture(scope="module")
def nurse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    directory: Path = tmp_path_factory.mktemp("validity") / "demo"
    create_demo_register(directory, persons=RANDOM_PERSONS + 400, seed=23, today=TODAY)
    session = login(directory, "nurse", demo_password("nurse"))
    conn = session.register.conn
    rng = random.Random(20261202)
    cases: list[tuple[str, list[tuple[str, str | None, str, str]]]] = [
        (b, [(*d, "routine") for d in ds]) for b, ds in (*REPORTED, *SAME_DAY)
    ]
    cases += [_random_person(rng) for _ in range(RANDOM_PERSONS)]
    spare = [
        int(r[0])
        for r in conn.execute(
            "SELECT id FROM persons WHERE moved_out = 0 AND deceased = 0 AND voided_at IS NULL"
            " AND id NOT IN (SELECT person_id FROM vaccinations) ORDER BY id LIMIT 4"
        )
    ]
    others = [
        int(r[0])
        for r in conn.execute(
            "SELECT id FROM persons WHERE moved_out = 0 AND deceased = 0 AND voided_at IS NULL"
            " AND id NOT IN (?, ?, ?, ?) ORDER BY id LIMIT ?",
            (*spare, RANDOM_PERSONS),
        )
    ]
    ids = spare + others
    assert len(ids) == len(cases)
    REPORTED_IDS[:] = spare
    template = conn.execute("SELECT id FROM vaccinations ORDER BY id LIMIT 1").fetchone()[0]
    with db.transaction(conn):
        for pid, (born, doses) in zip(ids, cases, strict=True):
            conn.execute("UPDATE persons SET birth_date = ? WHERE id = ?", (born, pid))
            for series, product, given, category in doses:
                conn.execute(
                    "INSERT INTO vaccinations (uid, version, origin, person_id, series_id,"
                    " product_id, outcome, category, vaccinated_on, voided_at, updated_date,"
                    " updated_time, updated_by) SELECT randomblob(16), version, origin, ?, ?, ?,"
                    " 'given', ?, ?, NULL, updated_date, updated_time, updated_by"
                    " FROM vaccinations WHERE id = ?",
                    (pid, series, product, category, given, template),
                )
    try:
        yield session
    finally:
        session.register.close()


REPORTED_IDS: list[int] = []


@pytest.fixture(scope="module")
def full_engine(nurse: Session) -> dict[date, dict[int, dict[str, tuple[object, ...]]]]:
    """date → person → open series → (status, next dose, window end, doses given)."""
    ids = [
        int(r[0])
        for r in nurse.register.conn.execute(
            "SELECT id FROM persons WHERE moved_out = 0 AND deceased = 0 AND voided_at IS NULL"
        )
    ]
    out: dict[date, dict[int, dict[str, tuple[object, ...]]]] = {}
    for on in DATES:
        out[on] = {
            pid: {
                s.id: (s.status, s.next_dose, s.window_until, s.doses_given)
                for s in schedule.due_list(nurse, pid, on).series
                if s.id in SERIES and s.status in OPEN_STATUSES
            }
            for pid in ids
        }
    return out


def _listed(nurse: Session, series: str, on: date) -> dict[int, tuple[object, ...]]:
    return {
        r.person_id: (r.status, r.next_dose, r.window_until, r.judged.doses_given)
        for r in unvaccinated.decide_list(nurse, series, on).rows
    }


@pytest.mark.parametrize("strategy", ["probed", "grouped"])
def test_the_reported_persons_are_listed_as_the_engine_finds_them(
    nurse: Session,
    full_engine: dict[date, dict[int, dict[str, tuple[object, ...]]]],
    strategy: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lists, "PROBE_UNDER", 10**9 if strategy == "probed" else 0)
    je_person, pcv_person = REPORTED_IDS[:2]
    engine_je1 = {s.id: s for s in schedule.due_list(nurse, je_person, TODAY).series}["je1"]
    assert (engine_je1.status, engine_je1.next_dose, engine_je1.doses_given) == ("due", "追加", 2)
    je1 = _listed(nurse, "je1", TODAY)
    assert je1.get(je_person) == full_engine[TODAY][je_person]["je1"]
    assert je1[je_person][:2] == ("due", "追加")
    for on in DATES:
        engine_pcv = {s.id: s for s in schedule.due_list(nurse, pcv_person, on).series}["pcv"]
        assert engine_pcv.doses_given == 1
        pcv = _listed(nurse, "pcv", on)
        assert pcv.get(pcv_person) == full_engine[on][pcv_person].get("pcv"), on


@pytest.mark.parametrize("strategy", ["probed", "grouped"])
def test_two_vaccines_on_one_day_are_judged_in_entry_order(
    nurse: Session,
    full_engine: dict[date, dict[int, dict[str, tuple[object, ...]]]],
    strategy: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lists, "PROBE_UNDER", 10**9 if strategy == "probed" else 0)
    hib_first, combined_first = REPORTED_IDS[2:]
    engine = {
        pid: {s.id: s for s in schedule.due_list(nurse, pid, TODAY).series}["hib"]
        for pid in (hib_first, combined_first)
    }
    assert (engine[hib_first].status, engine[hib_first].next_dose) == ("due", "追加")
    assert (engine[combined_first].status, engine[combined_first].next_dose) == (
        "due",
        "初回2回目",
    )
    hib = _listed(nurse, "hib", TODAY)
    for pid in (hib_first, combined_first):
        assert hib[pid] == full_engine[TODAY][pid]["hib"]
        assert hib[pid][1] == engine[pid].next_dose


@pytest.mark.parametrize("strategy", ["probed", "grouped"])
@pytest.mark.parametrize("series", SERIES)
def test_random_invalid_doses_list_what_the_engine_finds_open(
    nurse: Session,
    full_engine: dict[date, dict[int, dict[str, tuple[object, ...]]]],
    series: str,
    strategy: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lists, "PROBE_UNDER", 10**9 if strategy == "probed" else 0)
    listed = 0
    for on in DATES:
        got = _listed(nurse, series, on)
        want = {pid: open_[series] for pid, open_ in full_engine[on].items() if series in open_}
        assert got == want, (series, on.isoformat())
        listed += len(got)
    assert listed > 0


def test_a_seasonal_dose_counts_only_for_a_product_routine_on_its_day(nurse: Session) -> None:
    """The seasonal shortcut (one dose this season: complete) counts a dose only of a product
    of the series routine on the dose's day: with a catalog whose flu product became routine
    on 2026-11-01, a dose on 2026-10-20 leaves the person to the engine."""
    series = CATALOG.series_by_id("flu65")
    later = replace(
        series, products=tuple(replace(p, routine_from=date(2026, 11, 1)) for p in series.products)
    )
    assert season_counted(CATALOG, series) == (("flu", "0000-01-01", "9999-12-31"),)
    counted = season_counted(CATALOG, later)
    assert counted == (("flu", "2026-11-01", "9999-12-31"),)
    conn = nurse.register.conn
    pid, born = conn.execute(
        "SELECT p.id, p.birth_date FROM persons p JOIN vaccinations v ON v.person_id = p.id"
        " WHERE v.series_id = 'flu65' AND v.product_id = 'flu' AND v.category = 'routine'"
        " AND v.outcome = 'given' AND v.voided_at IS NULL AND p.moved_out = 0"
        " AND p.deceased = 0 AND p.voided_at IS NULL"
        " AND v.vaccinated_on BETWEEN '2026-10-01' AND '2026-10-31'"
        " AND p.birth_date < '1960-01-01' AND p.id NOT IN (SELECT person_id FROM vaccinations"
        " WHERE series_id = 'flu65' AND vaccinated_on BETWEEN '2026-11-01' AND '2026-11-27')"
        " LIMIT 1"
    ).fetchone()
    for under in (10**9, 0):  # probed, grouped
        kept = {}
        for name, products in (("now", season_counted(CATALOG, series)), ("later", counted)):
            lists.PROBE_UNDER, saved = under, lists.PROBE_UNDER
            try:
                members = lists.cohort(
                    conn,
                    ("flu65",),
                    [(born, born)],
                    complete_at=1,
                    counted_since="2026-10-01",
                    counted_until=TODAY.isoformat(),
                    counted=products or (),
                )
            finally:
                lists.PROBE_UNDER = saved
            kept[name] = pid in {m[0] for m in members}
        assert kept == {"now": False, "later": True}, under
    # no seasonal shortcut for a series without a season
    assert season_counted(CATALOG, CATALOG.series_by_id("je1")) is None
