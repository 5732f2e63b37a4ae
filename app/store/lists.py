"""Queries behind the 未接種者一覧 (unvaccinated list) at register scale."""

from __future__ import annotations

from operator import attrgetter
from typing import NamedTuple

from app.store.db import Connection


class Candidate(NamedTuple):  # a tuple: built ~10⁵ times per list, immutable and cheap
    id: int
    atena_no: str
    name: str
    name_kana: str
    sex: str
    birth_date: str
    postal_code: str | None
    address: str
    area_code: str | None
    doses: int  # valid given doses of the series (any category) from ``counted_since`` on


def doses_per_person(
    conn: Connection, series_id: str, counted_since: str | None
) -> dict[int, tuple[int, int]]:
    """person id → (valid given doses, of which routine) of one series from ``counted_since`` on.

    Reads only the covering index ``vaccinations_series`` (see migration 0002)."""
    cur = conn.execute(
        "SELECT person_id, count(*), sum(category = 'routine') FROM vaccinations"
        " WHERE series_id = ? AND outcome = 'given' AND voided_at IS NULL AND vaccinated_on >= ?"
        " GROUP BY person_id",
        (series_id, counted_since or ""),
    )
    return {int(pid): (int(n), int(r)) for pid, n, r in cur}


# Above this many birth days the cohort is read by one pass over the persons table rather than
# through the birth-date index (sequential pages decrypt far faster than random ones).
SCAN_OVER_DAYS = 3 * 366


def candidates(
    conn: Connection,
    series_id: str,
    born_from: str,
    born_until: str,
    *,
    complete_at: int,
    counted_since: str | None = None,
    sex: str | None = None,
    area_code: str | None = None,
    span_days: int = 0,
) -> list[Candidate]:
    """Living residents born in the range who do NOT yet hold ``complete_at`` routine doses of
    the series (counted from ``counted_since`` for seasonal series). Persons who do are complete
    whatever plan applies to them, so they are left out before any rule is evaluated."""
    counts = doses_per_person(conn, series_id, counted_since)
    # The complete persons go to an in-memory temporary table so SQLite skips their rows
    # instead of handing them to Python.
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS list_complete (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.list_complete")
    conn.executemany(
        "INSERT INTO temp.list_complete (id) VALUES (?)",
        [(pid,) for pid, (_, routine) in counts.items() if routine >= complete_at],
    )
    birth = "+p.birth_date" if span_days > SCAN_OVER_DAYS else "p.birth_date"
    clauses = [
        f"{birth} BETWEEN ? AND ?",
        "p.moved_out = 0",
        "p.deceased = 0",
        "p.voided_at IS NULL",
        "p.id NOT IN (SELECT id FROM temp.list_complete)",
    ]
    params: list[object] = [born_from, born_until]
    if sex is not None:
        clauses.append("p.sex = ?")
        params.append(sex)
    if area_code is not None:
        clauses.append("h.area_code = ?")
        params.append(area_code)
    cur = conn.execute(
        "SELECT p.id, p.atena_no, p.name, p.name_kana, p.sex, p.birth_date, p.postal_code,"
        " p.address, h.area_code FROM persons p LEFT JOIN households h ON h.id = p.household_id"
        f" WHERE {' AND '.join(clauses)}",
        params,
    )
    none = (0, 0)
    make = Candidate._make
    out = [make((*row, counts.get(row[0], none)[0])) for row in cur]
    conn.execute("DELETE FROM temp.list_complete")
    out.sort(key=attrgetter("birth_date", "id"))
    return out
