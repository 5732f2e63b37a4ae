"""Queries behind the reports: 実施報告 counts, unit prices, 実施状況 counts by dose and birth date.

Read-only; personal numbers are never touched here (``person_numbers`` is not joined anywhere).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.store.db import Connection


@dataclass(frozen=True, slots=True)
class MonthlyCount:
    """Given routine doses of one institution, series, product and day in a 支払月."""

    institution_code: str
    institution_name: str
    series_id: str
    product_id: str | None
    vaccinated_on: str
    count: int
    institution_address: str = ""


@dataclass(frozen=True, slots=True)
class UnitPrice:
    series_id: str
    product_id: str | None
    price_yen: int
    effective_from: str


@dataclass(frozen=True, slots=True)
class DoseCount:
    series_id: str
    dose_label: str | None
    persons: int


@dataclass(frozen=True, slots=True)
class BirthCount:
    birth_date: str
    sex: str
    persons: int


_ROUTINE_GIVEN = "v.outcome = 'given' AND v.category = 'routine' AND v.voided_at IS NULL"


def monthly_counts(conn: Connection, payment_month: str) -> list[MonthlyCount]:
    """Counts for one 支払月 (``YYYY-MM``) by institution, series, product and date."""
    cur = conn.execute(
        "SELECT i.code, i.name, v.series_id, v.product_id, v.vaccinated_on, count(*),"
        " coalesce(i.address, '')"
        " FROM vaccinations v JOIN institutions i ON i.id = v.institution_id"
        f" WHERE v.payment_month = ? AND {_ROUTINE_GIVEN}"
        " GROUP BY i.code, i.name, v.series_id, v.product_id, v.vaccinated_on"
        " ORDER BY i.code, v.series_id, v.product_id, v.vaccinated_on",
        (payment_month,),
    )
    return [
        MonthlyCount(str(c), str(n), str(s), None if p is None else str(p), str(d), int(k), str(a))
        for c, n, s, p, d, k, a in cur.fetchall()
    ]


def monthly_without_institution(conn: Connection, payment_month: str) -> int:
    """Given routine doses of a 支払月 that have no institution (they cannot be billed)."""
    row = conn.execute(
        f"SELECT count(*) FROM vaccinations v WHERE v.payment_month = ? AND {_ROUTINE_GIVEN}"
        " AND v.institution_id IS NULL",
        (payment_month,),
    ).fetchone()
    return int(row[0])


def unit_prices(conn: Connection) -> list[UnitPrice]:
    cur = conn.execute(
        "SELECT series_id, product_id, price_yen, effective_from FROM unit_prices"
        " ORDER BY series_id, effective_from"
    )
    return [
        UnitPrice(str(s), None if p is None else str(p), int(y), str(e))
        for s, p, y, e in cur.fetchall()
    ]


def persons_per_dose(conn: Connection, date_from: str, date_until: str) -> list[DoseCount]:
    """Persons given a routine dose between two dates (inclusive), by series and dose label."""
    cur = conn.execute(
        "SELECT v.series_id, v.dose_label, count(DISTINCT v.person_id) FROM vaccinations v"
        f" WHERE v.vaccinated_on BETWEEN ? AND ? AND {_ROUTINE_GIVEN}"
        " GROUP BY v.series_id, v.dose_label ORDER BY v.series_id, v.dose_label",
        (date_from, date_until),
    )
    return [DoseCount(str(s), None if d is None else str(d), int(n)) for s, d, n in cur.fetchall()]


def living_birth_counts(conn: Connection) -> list[BirthCount]:
    """Living residents (not moved out, not deceased, not voided) by birth date and sex."""
    cur = conn.execute(
        "SELECT birth_date, sex, count(*) FROM persons"
        " WHERE moved_out = 0 AND deceased = 0 AND voided_at IS NULL"
        " GROUP BY birth_date, sex ORDER BY birth_date, sex"
    )
    return [BirthCount(str(b), str(s), int(n)) for b, s, n in cur.fetchall()]
