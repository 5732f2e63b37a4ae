"""The 未接種者一覧's values: a decided list (who, status, count — no name or address), its
rows with display columns, and the whole list at once. Built by ``app.services.unvaccinated``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from app.domain.schedule import SeriesStatus

PAGE_ROWS = 200  # rows of a list read per page as the screen scrolls (a screen shows ~30)


class UnvaccinatedEntry(NamedTuple):  # immutable; a NamedTuple as lists reach ~10⁵ rows
    person_id: int
    atena_no: str
    name: str
    name_kana: str
    sex: str
    birth_date: date
    postal_code: str | None
    address: str
    area_code: str | None
    status: str
    doses_given: int
    next_dose: str | None
    earliest: date | None
    window_until: date | None
    next_product: str | None = None  # e.g. dpt_ipv_hib: the Hib dose is given as 5種混合


class Decided(NamedTuple):
    """One listed person as decided from narrow data: no name or address (see ``entries``)."""

    person_id: int
    sex: str
    birth_date: date
    judged: SeriesStatus  # shared by everyone with the same birth date, sex and doses

    @property
    def status(self) -> str:
        return self.judged.status

    @property
    def next_dose(self) -> str | None:
        return self.judged.next_dose

    @property
    def window_until(self) -> date | None:
        return self.judged.window_until

    @property
    def next_product(self) -> str | None:
        return self.judged.next_product


@dataclass(frozen=True, slots=True)
class UnvaccinatedDecision:
    """Who is on the list (in birth-date, id order), with status, and how many: the list as
    decided, before any name or address is read. ``entries`` fetches the display columns of any
    slice; the screen shows the count and the first page at once and the rest as it scrolls."""

    series_id: str
    series_name: str
    on: date
    area_code: str | None
    rows: tuple[Decided, ...]
    cohort_size: int  # candidates judged by the engine (the complete ones are not counted)
    ranges: tuple[tuple[str, str], ...]  # the cohort's birth ranges (ISO, inclusive)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True, slots=True)
class UnvaccinatedList:
    series_id: str
    series_name: str
    on: date
    area_code: str | None
    entries: tuple[UnvaccinatedEntry, ...]
    cohort_size: int  # candidates judged by the engine (the complete ones are not counted)
