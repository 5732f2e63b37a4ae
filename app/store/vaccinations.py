"""Vaccination results (予防接種結果) repository."""

from __future__ import annotations

from dataclasses import dataclass

from app.store.db import Connection

_COLUMNS = (
    "v.id, v.person_id, v.series_id, v.product_id, v.dose_no, v.dose_label, v.outcome,"
    " v.category, v.vaccinated_on, v.receipt_no, v.institution_id, i.name, v.payment_month,"
    " v.follow_up, v.lot_no, v.dose_amount_ml, v.route, v.site, v.place, v.doctor,"
    " v.vaccine_name, v.maker, v.effective_date, v.screening_institution_id,"
    " v.screening_doctor, v.issuance_id, v.override_reason, v.postpone_reason, v.special_rule,"
    " v.voided_at, v.void_reason"
)


@dataclass(frozen=True, slots=True)
class VaccinationRow:
    id: int
    person_id: int
    series_id: str
    product_id: str | None
    dose_no: int | None
    dose_label: str | None
    outcome: str
    category: str
    vaccinated_on: str
    receipt_no: str | None
    institution_id: int | None
    institution_name: str | None
    payment_month: str | None
    follow_up: int
    lot_no: str | None
    dose_amount_ml: float | None
    route: str | None
    site: str | None
    place: str | None
    doctor: str | None
    vaccine_name: str | None
    maker: str | None
    effective_date: str | None
    screening_institution_id: int | None
    screening_doctor: str | None
    issuance_id: int | None
    override_reason: str | None
    postpone_reason: str | None
    special_rule: str | None
    voided_at: str | None
    void_reason: str | None


def for_person(
    conn: Connection, person_id: int, *, include_voided: bool = True
) -> list[VaccinationRow]:
    voided = "" if include_voided else " AND v.voided_at IS NULL"
    cur = conn.execute(
        f"SELECT {_COLUMNS} FROM vaccinations v LEFT JOIN institutions i"
        f" ON i.id = v.institution_id WHERE v.person_id = ?{voided}"
        " ORDER BY v.vaccinated_on, v.id",
        (person_id,),
    )
    return [VaccinationRow(*r) for r in cur.fetchall()]


def count(conn: Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM vaccinations").fetchone()[0])
