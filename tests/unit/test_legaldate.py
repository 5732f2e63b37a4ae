"""Legal date arithmetic: every worked date of DOMAIN.md §1, plus properties."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.legaldate import (
    after_days_interval,
    after_months_interval,
    age_reached,
    age_years_months,
    fiscal_year,
    fiscal_year_end,
    fiscal_year_start,
    months_reached,
    school_entry,
    under_age_until,
    weeks_days_after,
)

D = date.fromisoformat

# DOMAIN.md §1 table: birth → 生後2月, 7月, 12月, 60月, 90月
MONTHS_TABLE = {
    "2025-05-10": ("2025-07-09", "2025-12-09", "2026-05-09", "2030-05-09", "2032-11-09"),
    "2020-04-01": ("2020-05-31", "2020-10-31", "2021-03-31", "2025-03-31", "2027-09-30"),
    "2024-01-31": ("2024-03-30", "2024-08-30", "2025-01-30", "2029-01-30", "2031-07-30"),
    "2024-02-29": ("2024-04-28", "2024-09-28", "2025-02-28", "2029-02-28", "2031-08-28"),
}
MONTHS = (2, 7, 12, 60, 90)


@pytest.mark.parametrize(
    ("birth", "months", "expected"),
    [
        (birth, n, expected)
        for birth, row in MONTHS_TABLE.items()
        for n, expected in zip(MONTHS, row, strict=True)
    ],
)
def test_months_reached_worked_table(birth: str, months: int, expected: str) -> None:
    assert months_reached(D(birth), months) == D(expected)


@pytest.mark.parametrize(
    ("birth", "months", "expected"),
    [
        ("2025-01-31", 1, "2025-02-28"),  # no 2/31: last day of February
        ("2024-01-31", 1, "2024-02-29"),  # leap year
        ("2025-03-31", 1, "2025-04-30"),  # no 4/31
        ("2025-03-30", 1, "2025-04-29"),  # ordinary: day before 4/30
        ("2025-03-01", 1, "2025-03-31"),  # day before 4/1 crosses the month
        ("2025-01-01", 12, "2025-12-31"),  # crosses nothing but the year end
        ("2025-05-10", 0, "2025-05-09"),
    ],
)
def test_months_reached_month_end(birth: str, months: int, expected: str) -> None:
    assert months_reached(D(birth), months) == D(expected)


@pytest.mark.parametrize(
    ("weeks", "days", "expected"),
    [
        (0, 0, "2025-05-10"),  # the birth day is 0週0日
        (6, 0, "2025-06-21"),
        (14, 6, "2025-08-22"),
        (24, 0, "2025-10-25"),
        (32, 0, "2025-12-20"),
    ],
)
def test_weeks_days_after_worked(weeks: int, days: int, expected: str) -> None:
    assert weeks_days_after(D("2025-05-10"), weeks, days) == D(expected)


@pytest.mark.parametrize(
    ("weeks", "days", "offset"), [(6, 0, 42), (14, 6, 104), (24, 0, 168), (32, 0, 224)]
)
def test_weeks_days_after_offsets(weeks: int, days: int, offset: int) -> None:
    birth = D("2024-02-29")
    assert weeks_days_after(birth, weeks, days) - birth == timedelta(days=offset)


@pytest.mark.parametrize(
    ("birth", "years", "expected"),
    [
        ("2009-04-01", 1, "2010-03-31"),  # DOMAIN.md example
        ("2009-04-02", 1, "2010-04-01"),
        ("2020-01-01", 6, "2025-12-31"),  # day before crosses the year
        ("2020-03-01", 1, "2021-02-28"),
        ("2019-03-01", 1, "2020-02-29"),  # day before 3/1 in a leap year
        ("2024-02-29", 1, "2025-02-28"),  # 2/29 birth, common year
        ("2024-02-29", 4, "2028-02-28"),  # 2/29 birth, leap year: day before 2/29
        ("1960-02-29", 65, "2025-02-28"),
        ("1960-05-10", 65, "2025-05-09"),
    ],
)
def test_age_reached(birth: str, years: int, expected: str) -> None:
    assert age_reached(D(birth), years) == D(expected)


def test_under_age_until_is_inclusive_day_before_birthday() -> None:
    # 「1歳に至るまで」 ends on the day age 1 is reached; 「1歳以上」 starts that same day.
    birth = D("2025-05-10")
    assert under_age_until(birth, 1) == D("2026-05-09")
    assert under_age_until(birth, 1) == age_reached(birth, 1)
    assert under_age_until(D("2024-02-29"), 13) == D("2037-02-28")


@pytest.mark.parametrize(("days", "offset"), [(6, 7), (20, 21), (27, 28), (60, 61), (139, 140)])
def test_after_days_interval(days: int, offset: int) -> None:
    previous = D("2025-12-20")
    assert after_days_interval(previous, days) == previous + timedelta(days=offset)


def test_after_days_interval_worked_dates() -> None:
    assert after_days_interval(D("2025-05-10"), 27) == D("2025-06-07")
    assert after_days_interval(D("2024-02-01"), 27) == D("2024-02-29")
    assert after_days_interval(D("2025-12-31"), 6) == D("2026-01-07")


@pytest.mark.parametrize(
    ("previous", "months", "expected"),
    [
        ("2025-01-10", 1, "2025-02-10"),  # same day-of-month
        ("2025-01-31", 1, "2025-03-01"),  # no 2/31 → 1st of the following month
        ("2024-01-31", 1, "2024-03-01"),  # leap year too (no 2/31)
        ("2024-01-30", 1, "2024-03-01"),  # no 2/30 in a leap year
        ("2024-01-29", 1, "2024-02-29"),  # 2/29 exists in 2024
        ("2025-01-29", 1, "2025-03-01"),  # but not in 2025
        ("2025-08-31", 6, "2026-03-01"),  # no 2026-02-31
        ("2023-08-31", 6, "2024-03-01"),  # no 2024-02-31 either
        ("2025-03-31", 6, "2025-10-01"),  # no 9/31
        ("2025-05-31", 1, "2025-07-01"),  # no 6/31
        ("2025-12-31", 2, "2026-03-01"),  # crosses the year, no 2/31
        ("2025-10-31", 2, "2025-12-31"),
        ("2024-02-29", 12, "2025-03-01"),  # no 2025-02-29
        ("2024-02-29", 48, "2028-02-29"),
        ("2025-07-15", 3, "2025-10-15"),
        ("2025-11-30", 3, "2026-03-01"),  # no 2/30
    ],
)
def test_after_months_interval(previous: str, months: int, expected: str) -> None:
    assert after_months_interval(D(previous), months) == D(expected)


@pytest.mark.parametrize(
    ("d", "fy"),
    [
        ("2025-03-31", 2024),
        ("2025-04-01", 2025),
        ("2025-12-31", 2025),
        ("2026-01-01", 2025),
        ("2026-03-31", 2025),
        ("2026-04-01", 2026),
    ],
)
def test_fiscal_year_boundaries(d: str, fy: int) -> None:
    assert fiscal_year(D(d)) == fy


def test_fiscal_year_start_and_end() -> None:
    assert fiscal_year_start(2025) == D("2025-04-01")
    assert fiscal_year_end(2025) == D("2026-03-31")
    assert fiscal_year_end(2023) == D("2024-03-31")


@pytest.mark.parametrize(
    ("birth", "entry"),
    [
        ("2020-04-01", "2026-04-01"),  # reaches 6 on 2026-03-31 → enters that April
        ("2020-04-02", "2027-04-01"),  # reaches 6 on 2026-04-01 → a year later
        ("2019-04-02", "2026-04-01"),  # the oldest of the 2026 entry cohort
        ("2020-03-31", "2026-04-01"),
        ("2020-01-01", "2026-04-01"),
        ("2020-02-29", "2026-04-01"),
        ("2020-12-31", "2027-04-01"),
    ],
)
def test_school_entry(birth: str, entry: str) -> None:
    assert school_entry(D(birth)) == D(entry)


@pytest.mark.parametrize(
    ("birth", "on", "expected"),
    [
        ("2025-05-10", "2025-05-10", (0, 0)),
        ("2025-05-10", "2025-06-09", (0, 0)),
        ("2025-05-10", "2025-06-10", (0, 1)),
        ("2025-05-10", "2026-05-09", (0, 11)),
        ("2025-05-10", "2026-05-10", (1, 0)),
        ("2020-04-01", "2026-03-31", (5, 11)),
        ("2020-04-01", "2026-04-01", (6, 0)),
        ("2025-01-31", "2025-02-27", (0, 0)),
        ("2025-01-31", "2025-02-28", (0, 1)),  # month-end: the last day counts
        ("2025-01-31", "2025-03-30", (0, 1)),
        ("2025-01-31", "2025-03-31", (0, 2)),
        ("2024-02-29", "2025-02-28", (1, 0)),
        ("2024-02-29", "2028-02-28", (3, 11)),
        ("2024-02-29", "2028-02-29", (4, 0)),
        ("1960-05-10", "2025-11-09", (65, 5)),
    ],
)
def test_age_years_months(birth: str, on: str, expected: tuple[int, int]) -> None:
    assert age_years_months(D(birth), D(on)) == expected


def test_age_years_months_refuses_date_before_birth() -> None:
    with pytest.raises(ValueError):
        age_years_months(D("2025-05-10"), D("2025-05-09"))


# --- properties -------------------------------------------------------------------------------

births = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))


@given(births, st.integers(min_value=1, max_value=1200))
def test_months_reached_is_day_before_anniversary_or_month_end(dob: date, months: int) -> None:
    reached = months_reached(dob, months)
    following = reached + timedelta(days=1)
    total = dob.year * 12 + dob.month - 1 + months
    target_len = calendar.monthrange(total // 12, total % 12 + 1)[1]
    if dob.day <= target_len:  # the anniversary exists: reached the day before it
        assert (following.year * 12 + following.month - 1, following.day) == (total, dob.day)
    else:  # no such day: the last day of the target month
        assert (reached.year * 12 + reached.month - 1, reached.day) == (total, target_len)
    assert reached < months_reached(dob, months + 1)


@given(births, st.integers(min_value=1, max_value=100))
def test_age_reached_equals_months_reached_of_whole_years(dob: date, years: int) -> None:
    assert age_reached(dob, years) == months_reached(dob, 12 * years)


@given(births, st.integers(min_value=0, max_value=100))
def test_age_years_months_on_the_day_age_is_reached(dob: date, years: int) -> None:
    # For display the birthday counts; legally the age is reached the day before.
    reached = age_reached(dob, years)
    if reached >= dob:
        assert age_years_months(dob, reached + timedelta(days=1)) == (years, 0)


@given(births, st.integers(min_value=1, max_value=120))
def test_after_months_interval_never_early(previous: date, months: int) -> None:
    allowed = after_months_interval(previous, months)
    assert allowed.day in (previous.day, 1)
    assert allowed > months_reached(previous, months)
    total = previous.year * 12 + previous.month - 1 + months
    if allowed.day == previous.day:
        assert allowed.year * 12 + allowed.month - 1 == total
    else:  # the target month has no such day: the 1st of the month after it
        assert allowed.year * 12 + allowed.month - 1 == total + 1
        assert previous.day > calendar.monthrange(total // 12, total % 12 + 1)[1]


@given(births)
def test_fiscal_year_contains_date(d: date) -> None:
    fy = fiscal_year(d)
    assert fiscal_year_start(fy) <= d <= fiscal_year_end(fy)


@given(births)
def test_school_entry_is_first_april_after_reaching_six(dob: date) -> None:
    entry = school_entry(dob)
    reached = age_reached(dob, 6)
    assert (entry.month, entry.day) == (4, 1)
    assert reached < entry <= reached.replace(month=4, day=1, year=reached.year + 1)
