"""Vaccination results (予防接種結果) repository."""

from __future__ import annotations

from dataclasses import dataclass

from app.store.db import Connection
from app.store.stamps import Stamp

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


# Columns a result entry or correction may set (the rest are identity and stamps).
WRITABLE = (
    "series_id",
    "product_id",
    "dose_no",
    "dose_label",
    "outcome",
    "category",
    "vaccinated_on",
    "receipt_no",
    "institution_id",
    "payment_month",
    "follow_up",
    "lot_no",
    "dose_amount_ml",
    "route",
    "site",
    "place",
    "doctor",
    "vaccine_name",
    "maker",
    "effective_date",
    "screening_institution_id",
    "screening_doctor",
    "issuance_id",
    "override_reason",
    "postpone_reason",
    "special_rule",
)


def insert(
    conn: Connection,
    person_id: int,
    values: dict[str, object],
    *,
    uid: bytes,
    version: str,
    origin: str,
    stamp: Stamp,
) -> int:
    unknown = set(values) - set(WRITABLE)
    if unknown:
        raise ValueError(f"not writable: {sorted(unknown)}")
    cols = [
        "uid",
        "version",
        "origin",
        "person_id",
        *values,
        "updated_date",
        "updated_time",
        "updated_by",
    ]
    params = [
        uid,
        version,
        origin,
        person_id,
        *values.values(),
        stamp.updated_date,
        stamp.updated_time,
        stamp.updated_by,
    ]
    cur = conn.execute(
        f"INSERT INTO vaccinations ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        params,
    )
    return int(cur.lastrowid or 0)


def update(
    conn: Connection,
    vaccination_id: int,
    values: dict[str, object],
    *,
    version: str,
    origin: str,
    stamp: Stamp,
) -> None:
    unknown = set(values) - set(WRITABLE)
    if unknown or not values:
        raise ValueError(f"not writable: {sorted(unknown)}")
    sets = ", ".join(f"{c} = ?" for c in values)
    conn.execute(
        f"UPDATE vaccinations SET {sets}, version = ?, origin = ?, updated_date = ?,"
        " updated_time = ?, updated_by = ? WHERE id = ?",
        (
            *values.values(),
            version,
            origin,
            stamp.updated_date,
            stamp.updated_time,
            stamp.updated_by,
            vaccination_id,
        ),
    )


def void(
    conn: Connection, vaccination_id: int, reason: str, *, version: str, origin: str, stamp: Stamp
) -> None:
    conn.execute(
        "UPDATE vaccinations SET voided_at = datetime('now'), void_reason = ?, version = ?,"
        " origin = ?, updated_date = ?, updated_time = ?, updated_by = ? WHERE id = ?",
        (
            reason,
            version,
            origin,
            stamp.updated_date,
            stamp.updated_time,
            stamp.updated_by,
            vaccination_id,
        ),
    )


def get(conn: Connection, vaccination_id: int) -> VaccinationRow | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM vaccinations v LEFT JOIN institutions i"
        " ON i.id = v.institution_id WHERE v.id = ?",
        (vaccination_id,),
    ).fetchone()
    return None if row is None else VaccinationRow(*row)


def uid_of(conn: Connection, vaccination_id: int) -> bytes:
    return bytes(
        conn.execute("SELECT uid FROM vaccinations WHERE id = ?", (vaccination_id,)).fetchone()[0]
    )
