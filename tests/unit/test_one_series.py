"""``one_series.evaluate_series`` finds exactly what ``evaluate`` finds for the series, for
random persons and histories (combined products, shared products, live doses, doses recorded by
series only, same-day doses), with the dependency statuses kept across persons as a list keeps
them (issue 12 item 20)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest

from app.domain.schedule import HistoryEntry, Person, SeriesStatus, evaluate
from app.domain.schedule.one_series import evaluate_series
from app.store.catalog_files import load_catalog

CATALOG = load_catalog()
DAYS = (date(2025, 12, 1), date(2026, 11, 27))
# Series a list judges, with the codes their histories draw from (products of theirs, of their
# dependencies and of the series sharing their products, and series ids alone).
CODES = {
    "hib": ("hib", "dpt_ipv_hib", "dpt_ipv", "hib", "dpt_ipv"),
    "dpt_ipv": ("dpt_ipv", "dpt_ipv_hib", "dpt_ipv", "hib"),
    "pcv": ("pcv13", "pcv15", "pcv20", "pcv"),
    "je1": ("je", "je1", "je2"),
    "mr1": ("mr", "mr1", "varicella", "mr2"),
    "varicella": ("varicella", "mr"),
}
# A few birth dates (month ends, a leap day) shared by many persons: the kept dependency
# statuses are reused across persons as in a list.
BORN = (
    date(2020, 2, 29),
    date(2021, 8, 31),
    date(2022, 1, 31),
    date(2023, 4, 1),
    date(2024, 2, 29),
    date(2024, 5, 10),
    date(2025, 3, 31),
)
GAPS = (0, 0, 1, 6, 20, 27, 28, 60, 139, 183, 365)


def _history(rng: random.Random, series: str, born: date) -> list[HistoryEntry]:
    out: list[HistoryEntry] = []
    day = born + timedelta(days=rng.randrange(40, 900))
    for _ in range(rng.randrange(0, 6)):
        out.append(HistoryEntry(rng.choice(CODES[series]), day))
        day += timedelta(days=rng.choice(GAPS))
    return out


@pytest.mark.parametrize("series", sorted(CODES))
def test_one_series_equals_the_whole_evaluation(series: str) -> None:
    catalog = CATALOG.restricted_to(series, *CATALOG.sharing_with(series))
    rng = random.Random(f"one-series-{series}")
    compared = kept_used = 0
    for on in DAYS:
        kept: dict[Any, SeriesStatus] = {}
        for _ in range(600):
            born = rng.choice(BORN)
            person = Person(born, rng.choice(("F", "M")))
            history = _history(rng, series, born)
            want = evaluate(catalog, person, history, on).get(series)
            before = len(kept)
            got = evaluate_series(catalog, person, history, on, series, kept)
            assert got == want, (series, on, born, history)
            compared += 1
            kept_used += len(kept) == before and bool(catalog.depends_on(series))
    assert compared == 1200
    if catalog.depends_on(series):
        assert kept_used > 0  # the kept statuses were reused, and still equal


def test_a_dependency_status_is_kept_per_birth_date_sex_and_day() -> None:
    catalog = CATALOG.restricted_to("hib")
    kept: dict[Any, SeriesStatus] = {}
    person = Person(date(2024, 5, 10), "M")
    standalone = [HistoryEntry("hib", date(2024, 7, 10))]
    evaluate_series(catalog, person, standalone, DAYS[1], "hib", kept)
    assert [k[1:] for k in kept] == [("dpt_ipv", person.dob, "M", DAYS[1])]
    # a 5種混合 dose gives DPT-IPV a dose: judged with it, nothing kept
    combined = [HistoryEntry("dpt_ipv_hib", date(2024, 7, 10))]
    evaluate_series(catalog, person, combined, DAYS[1], "hib", kept)
    assert len(kept) == 1
    assert evaluate_series(catalog, person, combined, DAYS[1], "hib", kept) == (
        evaluate(catalog, person, combined, DAYS[1]).get("hib")
    )


def test_a_kept_status_is_never_given_to_a_person_whose_doses_decide_it() -> None:
    """Between 生後60月 and 90月 Hib stays open only as 5種混合, i.e. while DPT-IPV has doses due:
    a child of that age with DPT-IPV complete has Hib missed, a child of the same birth date
    with no dose has it open. Each is judged as ``evaluate`` does, in either order of the list
    (the second never gets the first's kept DPT-IPV status)."""
    catalog = CATALOG.restricted_to("hib")
    born, on = date(2020, 4, 15), date(2026, 1, 15)
    dpt_done = [
        HistoryEntry("dpt_ipv", date(2020, 7, 1)),
        HistoryEntry("dpt_ipv", date(2020, 8, 1)),
        HistoryEntry("dpt_ipv", date(2020, 9, 1)),
        HistoryEntry("dpt_ipv", date(2021, 9, 1)),
    ]
    person = Person(born, "F")
    want = {
        name: evaluate(catalog, person, h, on).get("hib")
        for name, h in (("done", dpt_done), ("none", []))
    }
    assert want["done"] is not None and want["none"] is not None
    assert (want["done"].status, want["none"].status) == ("missed", "due")
    for order in (("done", "none"), ("none", "done")):
        kept: dict[Any, SeriesStatus] = {}
        for name in order:
            history = dpt_done if name == "done" else []
            assert evaluate_series(catalog, person, history, on, "hib", kept) == want[name]
