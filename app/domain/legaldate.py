"""Legal date arithmetic (年齢計算ニ関スル法律 and the MHLW 2014 interpretation notice).

All functions are pure and work on ``datetime.date``. See DOMAIN.md §1; its worked dates are
unit tests in tests/unit/test_legaldate.py.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def _add_months_raw(d: date, months: int) -> tuple[int, int]:
    total = d.year * 12 + (d.month - 1) + months
    return total // 12, total % 12 + 1


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _last_day(year: int, month: int) -> int:
    # calendar.monthrange also works out the weekday: this runs ~10⁵ times per 未接種者一覧.
    if month == 2 and calendar.isleap(year):
        return 29
    return _MONTH_DAYS[month - 1]


def age_reached(dob: date, years: int) -> date:
    """The day on which a person born on ``dob`` reaches ``years`` years of age.

    A person reaches age n on the day BEFORE the n-th birthday (born 2009-04-01 → 1歳 on
    2010-03-31). A 2/29 birthday in a common year is taken as 3/1, so age is reached on 2/28.
    """
    y = dob.year + years
    if dob.month == 2 and dob.day == 29 and not calendar.isleap(y):
        return date(y, 3, 1) - ONE_DAY
    return date(y, dob.month, dob.day) - ONE_DAY


def months_reached(dob: date, months: int) -> date:
    """「生後n月に達する日」: the day before the same day-of-month n months after birth.

    If that month has no such day, the last day of that month (born 1/31 → 生後1月 = 2/28 or 2/29).
    """
    y, m = _add_months_raw(dob, months)
    last = _last_day(y, m)
    if dob.day > last:
        return date(y, m, last)
    return date(y, m, dob.day) - ONE_DAY


def weeks_days_after(dob: date, weeks: int, days: int = 0) -> date:
    """「出生x週y日後」: the birth day is 0週0日."""
    return dob + timedelta(days=weeks * 7 + days)


def after_days_interval(previous: date, days: int) -> date:
    """First allowed date after 「N日以上の間隔」: previous + N + 1 (27日 → +28)."""
    return previous + timedelta(days=days + 1)


def after_months_interval(previous: date, months: int) -> date:
    """First allowed date after 「n月以上の間隔」.

    The same day-of-month n months later; if that month has no such day, the 1st of the following
    month (MHLW's reading).
    """
    y, m = _add_months_raw(previous, months)
    if previous.day > _last_day(y, m):
        y2, m2 = _add_months_raw(date(y, m, 1), 1)
        return date(y2, m2, 1)
    return date(y, m, previous.day)


def under_age_until(dob: date, years: int) -> date:
    """Last day of 「n歳に至るまで」/「n歳未満」: the day before the n-th birthday, inclusive."""
    return age_reached(dob, years)


def fiscal_year(d: date) -> int:
    """年度 (April 1 – March 31) that contains ``d``, named by its starting calendar year."""
    return d.year if d.month >= 4 else d.year - 1


def fiscal_year_start(fy: int) -> date:
    return date(fy, 4, 1)


def fiscal_year_end(fy: int) -> date:
    return date(fy + 1, 3, 31)


def school_entry(dob: date) -> date:
    """小学校就学の始期: the first April 1 strictly after the day the child reaches 6."""
    reached = age_reached(dob, 6)
    candidate = date(reached.year, 4, 1)
    return candidate if candidate > reached else date(reached.year + 1, 4, 1)


def age_years_months(dob: date, on: date) -> tuple[int, int]:
    """Completed years and months on ``on`` for display (満○歳○か月), birthday convention.

    A month is completed on the same day-of-month (or the month's last day when it has no such day).
    """
    if on < dob:
        raise ValueError("on is before the birth date")
    months = (on.year - dob.year) * 12 + (on.month - dob.month)
    anniversary_day = min(dob.day, _last_day(on.year, on.month))
    if on.day < anniversary_day:
        months -= 1
    return months // 12, months % 12
