"""Inputs and results of the schedule engine (frozen dataclasses, no behaviour beyond helpers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

Status = Literal["upcoming", "due", "waiting", "complete", "missed", "not_applicable"]
STATUSES: tuple[Status, ...] = (
    "upcoming",
    "due",
    "waiting",
    "complete",
    "missed",
    "not_applicable",
)
# Statuses in which the next dose can be given now or once an interval has passed: what the
# counter offers, what a 予診票 is printed for and what the 未接種者一覧 lists.
OPEN_STATUSES: tuple[Status, ...] = ("due", "waiting")

# 妊娠0週0日 is 280 days before the expected date of delivery (40週0日).
GESTATION_DAYS_AT_DUE_DATE = 280


@dataclass(frozen=True, slots=True)
class Person:
    dob: date
    sex: Literal["F", "M"] | None = None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One past vaccination: ``code`` is a catalog product id or a series id."""

    code: str
    date: date


@dataclass(frozen=True, slots=True)
class Facts:
    """Optional facts about the person on the evaluation date.

    ``pregnancy_week`` is (weeks, days) of gestation on the evaluation date; it wins over
    ``pregnancy_due_date``. ``flags`` holds boolean facts named in the catalog
    (``disability_60_64``, ``rubella5_eligible``).
    """

    long_term_illness_end: date | None = None
    pregnancy_due_date: date | None = None
    pregnancy_week: tuple[int, int] | None = None
    flags: frozenset[str] = field(default_factory=frozenset)

    def gestation_start(self, on: date) -> date | None:
        if self.pregnancy_week is not None:
            weeks, days = self.pregnancy_week
            return on - timedelta(days=weeks * 7 + days)
        if self.pregnancy_due_date is not None:
            return self.pregnancy_due_date - timedelta(days=GESTATION_DAYS_AT_DUE_DATE)
        return None

    def date_facts(self) -> dict[str, date]:
        return (
            {}
            if self.long_term_illness_end is None
            else {"long_term_illness_end": self.long_term_illness_end}
        )


NO_FACTS = Facts()


@dataclass(frozen=True, slots=True)
class SeriesStatus:
    id: str
    name_ja: str
    status: Status
    next_dose: str | None
    earliest: date | None
    window_from: date | None
    window_until: date | None
    standard_from: date | None
    standard_until: date | None
    doses_given: int
    doses_required: int | None
    warnings: tuple[str, ...]
    # Product planned for the next dose (e.g. dpt_ipv_hib when Hib is given as 5種混合).
    next_product: str | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    on: date
    series: tuple[SeriesStatus, ...]

    def get(self, series_id: str) -> SeriesStatus:
        for s in self.series:
            if s.id == series_id:
                return s
        raise KeyError(series_id)


def not_applicable(series_id: str, name_ja: str, warnings: tuple[str, ...] = ()) -> SeriesStatus:
    return SeriesStatus(
        id=series_id,
        name_ja=name_ja,
        status="not_applicable",
        next_dose=None,
        earliest=None,
        window_from=None,
        window_until=None,
        standard_from=None,
        standard_until=None,
        doses_given=0,
        doses_required=None,
        warnings=warnings,
    )
