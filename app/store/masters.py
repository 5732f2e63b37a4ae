"""Master data: institutions (医療機関), vaccines and lots."""

from __future__ import annotations

from dataclasses import dataclass

from app.store.db import Connection


@dataclass(frozen=True, slots=True)
class InstitutionRow:
    id: int
    code: str
    name: str
    address: str | None


@dataclass(frozen=True, slots=True)
class LotRow:
    id: int
    product_id: str
    lot_no: str
    expires_on: str | None
    vaccine_name: str
    maker: str


def institution_by_code(conn: Connection, code: str) -> InstitutionRow | None:
    row = conn.execute(
        "SELECT id, code, name, address FROM institutions WHERE code = ? AND voided_at IS NULL",
        (code,),
    ).fetchone()
    return None if row is None else InstitutionRow(*row)


def institution(conn: Connection, institution_id: int) -> InstitutionRow | None:
    row = conn.execute(
        "SELECT id, code, name, address FROM institutions WHERE id = ?", (institution_id,)
    ).fetchone()
    return None if row is None else InstitutionRow(*row)


def institutions(conn: Connection) -> list[InstitutionRow]:
    cur = conn.execute(
        "SELECT id, code, name, address FROM institutions WHERE voided_at IS NULL ORDER BY code"
    )
    return [InstitutionRow(*r) for r in cur]


def lot(conn: Connection, product_id: str, lot_no: str) -> LotRow | None:
    row = conn.execute(
        "SELECT l.id, v.product_id, l.lot_no, l.expires_on, v.name, v.maker FROM lots l"
        " JOIN vaccines v ON v.id = l.vaccine_id WHERE v.product_id = ? AND l.lot_no = ?",
        (product_id, lot_no),
    ).fetchone()
    return None if row is None else LotRow(*row)


def vaccine(conn: Connection, product_id: str) -> tuple[str, str] | None:
    """(ワクチン名称, メーカー) of a product, if the register has it."""
    row = conn.execute(
        "SELECT name, maker FROM vaccines WHERE product_id = ? AND voided_at IS NULL",
        (product_id,),
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))
