"""The cohort of a 未接種者一覧 (issue 12 item 20): open birth ranges found by probing every 14
days and bisecting each edge match a day-by-day scan, including disjoint ranges (MR 1期 with
its shortage-extension cohort, 日本脳炎 with its 特例, zoster's 5-year cohorts)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.domain.schedule import Person, evaluate, open_birth_ranges
from app.store.catalog_files import load_catalog

ON = date(2026, 11, 27)


def _day_by_day(series_id: str, first: date, last: date) -> list[tuple[date, date]]:
    catalog = load_catalog().restricted_to(series_id)
    out: list[tuple[date, date]] = []
    d = first
    while d <= last:
        st = evaluate(catalog, Person(d, "F"), [], ON).get(series_id).status
        if st in ("due", "waiting"):
            if out and out[-1][1] == d - timedelta(days=1):
                out[-1] = (out[-1][0], d)
            else:
                out.append((d, d))
        d += timedelta(days=1)
    return out


@pytest.mark.parametrize(
    ("series_id", "first"),
    [
        ("mr1", date(2020, 1, 1)),
        ("je1", date(2005, 1, 1)),
        ("hib", date(2018, 1, 1)),
        ("mr2", date(2017, 1, 1)),
        ("hpv", date(2009, 1, 1)),
    ],
)
def test_ranges_match_a_day_by_day_scan(series_id: str, first: date) -> None:
    catalog = load_catalog().restricted_to(series_id)
    got = [r for r in open_birth_ranges(catalog, series_id, ON) if r[1] >= first]
    assert got == _day_by_day(series_id, first, ON)


def test_disjoint_cohorts_are_separate_ranges() -> None:
    catalog = load_catalog()
    mr1 = open_birth_ranges(catalog.restricted_to("mr1"), "mr1", ON)
    assert mr1 == [(date(2022, 4, 2), date(2023, 4, 1)), (date(2024, 11, 28), date(2025, 11, 28))]
    zoster = open_birth_ranges(catalog.restricted_to("zoster"), "zoster", ON)
    assert len(zoster) == 8 and all((b - a).days in (364, 365) for a, b in zoster)


@pytest.mark.parametrize("series_id", ["je1", "je2"])
def test_a_special_cohort_closing_to_one_birth_day_is_found(series_id: str) -> None:
    """日本脳炎 特例 (born 1995-04-02 to 2007-04-01, open until 20 years): on 2027-03-31 only
    those born 2007-04-01 are still open — a one-day range between two probes 14 days apart,
    found because the rule's birth limits are probed too."""
    on = date(2027, 3, 31)
    catalog = load_catalog().restricted_to(series_id)
    got = open_birth_ranges(catalog, series_id, on)
    assert (date(2007, 4, 1), date(2007, 4, 1)) in got
    for d in (date(2007, 3, 31), date(2007, 4, 1), date(2007, 4, 2)):
        st = evaluate(catalog, Person(d, "F"), [], on).get(series_id).status
        assert (st in ("due", "waiting")) == (d == date(2007, 4, 1))
