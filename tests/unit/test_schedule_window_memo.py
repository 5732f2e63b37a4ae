"""The engine keeps a series' windows per birth date (``person_windows.windows_for``) and
closes a list's birth-date probes without walking a plan when no window holds the date
(``person_windows.window_holds``). Both are speed only: every judgement must be what the engine
computes from scratch, for every series of the catalog, birth dates on month ends and leap
days, doses in and outside the windows, a rule needing a dose by a date (HPV's 経過措置) and
facts (which are never kept)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

import pytest

from app.domain.schedule import Facts, HistoryEntry, Person, evaluate, person_windows
from app.domain.schedule.model import NO_FACTS, OPEN_STATUSES
from app.store.catalog_files import load_catalog

ON = date(2026, 11, 27)
BIRTHS = (
    date(2024, 2, 29),  # leap day
    date(2020, 8, 31),  # month end: 6 months is 2021-02-28
    date(2019, 5, 31),
    date(2007, 4, 1),  # 日本脳炎 特例's last birth day
    date(2010, 4, 2),  # HPV 経過措置 cohort
    date(1961, 11, 15),  # 65 during the season
)
SEXES: tuple[Literal["F", "M"], ...] = ("F", "M")
# (code, years and days after birth) for doses: in the windows of the childhood series, and far
# outside them (before six months, after the windows closed)
DOSES = (
    ("je", 1, 0),
    ("je", 1, 20),
    ("je", 0, 40),
    ("mr", 1, 30),
    ("hpv9", 13, 0),
    ("hpv2", 11, 100),
    ("pcv20", 0, 70),
    ("pcv15", 0, 130),
    ("dpt_ipv_hib", 0, 75),
    ("flu", 65, 10),
)


def _histories(dob: date) -> list[list[HistoryEntry]]:
    entries = [
        HistoryEntry(code, dob.replace(year=dob.year + y) + timedelta(days=d))
        if not (dob.month == 2 and dob.day == 29)
        else HistoryEntry(code, date(dob.year + y, 3, 1) + timedelta(days=d))
        for code, y, d in DOSES
    ]
    return [[], entries[:2], entries[2:4], entries[4:6], entries[6:9], entries]


def test_kept_windows_give_the_judgements_computed_from_scratch() -> None:
    """Every series (on the catalog, and on the catalog restricted to it as a list evaluates
    it), birth dates and the days beside them, both sexes, several histories, with and without
    facts: judged with the windows cleared before each evaluation, then again with the windows
    kept from all the others."""
    full = load_catalog()
    catalogs = [full, *(full.restricted_to(s.id) for s in full.series)]
    # 長期療養特例 ended 200 days ago: the windows of most childhood series reopen
    facts = Facts(
        long_term_illness_end=ON - timedelta(days=200),
        flags=frozenset({"rubella5_eligible", "disability_60_64"}),
    )
    cases = [
        (catalog, Person(dob, sex), history, with_facts)
        for born in BIRTHS
        for dob in (born - timedelta(days=1), born, born + timedelta(days=1))
        for catalog in catalogs
        for sex in SEXES
        for history in _histories(dob)
        for with_facts in (NO_FACTS, facts)
    ]
    fresh = []
    for catalog, person, history, with_facts in cases:
        person_windows._WINDOWS.clear()
        fresh.append(evaluate(catalog, person, history, ON, with_facts))
    kept = [evaluate(c, p, h, ON, f) for c, p, h, f in cases]
    assert person_windows._WINDOWS  # kept for the cases without facts
    assert kept == fresh


def test_a_rule_needing_a_dose_by_a_date_is_not_kept_across_histories() -> None:
    """HPV 経過措置 (a dose by a date keeps the window open): the windows depend on the doses, so
    a person's judgement never comes from another's kept windows."""
    catalog = load_catalog().restricted_to("hpv")
    person = Person(date(2008, 6, 1), "F")
    person_windows._WINDOWS.clear()
    without = evaluate(catalog, person, [], ON).get("hpv")
    with_dose = evaluate(catalog, person, [HistoryEntry("hpv9", date(2022, 6, 1))], ON).get("hpv")
    person_windows._WINDOWS.clear()
    assert (
        evaluate(catalog, person, [HistoryEntry("hpv9", date(2022, 6, 1))], ON).get("hpv")
        == with_dose
    )
    assert evaluate(catalog, person, [], ON).get("hpv") == without


@pytest.mark.parametrize("series_id", [s.id for s in load_catalog().series])
def test_window_holds_is_never_false_for_an_open_series(series_id: str) -> None:
    """``window_holds`` False only when the engine finds the series neither due nor waiting for
    a person with no doses: checked for a birth date every 9 days over 100 years, and on the
    list dates around the turn of a year and a leap day."""
    catalog = load_catalog().restricted_to(series_id)
    checked = closed = 0
    for on in (ON, date(2028, 2, 29), date(2027, 3, 31)):
        dob = on
        while dob > on - timedelta(days=365 * 100):
            person = Person(dob, "F")
            is_open = evaluate(catalog, person, [], on).get(series_id).status in OPEN_STATUSES
            holds = person_windows.window_holds(catalog, series_id, person, on)
            assert holds or not is_open, (series_id, dob, on)
            checked += 1
            closed += not holds
            dob -= timedelta(days=9)
    assert checked > 0
    if catalog.series_by_id(series_id).season is None:
        assert closed > 0  # the shortcut is taken somewhere
