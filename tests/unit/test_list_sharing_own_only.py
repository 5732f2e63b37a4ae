"""A person whose doses of a shared product are all recorded under the list's series as routine
and dated where only its windows hold them (``lists_shared.own_cohort``'s mark 2) is split
without replaying the engine (``Sharing.own_only``): the answer must be ``split``'s — the same
history, and complete exactly when ``split`` finds so."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.domain.schedule import Person
from app.services._list_sharing import Sharing
from app.store.catalog_files import load_catalog


def _sharing(series_id: str) -> Sharing:
    full = load_catalog()
    group = full.sharing_with(series_id)
    return Sharing(full.restricted_to(series_id, *group), series_id, group)


def _alone_days(sharing: Sharing, dob: date) -> list[str]:
    """Every fifth day only the series' windows hold, for a person born on ``dob``."""
    ranges = sharing.days([(dob, dob)], "M")[0][dob.isoformat()]
    out = []
    for a, b in ranges:
        d = date.fromisoformat(a)
        while d <= date.fromisoformat(b):
            out.append(d.isoformat())
            d += timedelta(days=5)
    return out


@pytest.mark.parametrize(
    ("series_id", "product", "dob"),
    [
        ("je1", "je", date(2020, 8, 31)),
        ("je1", "je", date(2020, 2, 29)),
        ("je2", "je", date(2015, 6, 15)),
        ("mr1", "mr", date(2024, 2, 29)),
        ("mr2", "mr", date(2020, 6, 1)),
        ("pcv", "pcv20", date(2024, 10, 31)),
    ],
)
def test_own_only_is_what_split_finds(series_id: str, product: str, dob: date) -> None:
    sharing = _sharing(series_id)
    days = _alone_days(sharing, dob)
    assert days, series_id  # the case has days only the series' windows hold
    person = Person(dob, "M")

    def code(p: str | None, sid: str) -> str:
        return p or sid

    checked = 0
    for count in (1, 2, 3, 4):
        for start in range(0, len(days), max(1, len(days) // 7)):
            chosen = days[start : start + count * 40 : 40][:count]
            # repeated on one day too: it counts once
            doses = [(d, product, series_id, 1) for d in [*chosen, chosen[0]]]
            got = sharing.own_only(doses)
            want = sharing.split(person, doses, code)
            assert got is not None and want is not None
            assert got[1] == want[1], (series_id, chosen)
            if not want[1]:
                assert got[0] == want[0], (series_id, chosen)
            checked += 1
    assert checked >= 8
