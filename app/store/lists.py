"""Queries behind the 未接種者一覧 (unvaccinated list) at register scale."""

from __future__ import annotations

from collections.abc import Sequence
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


def dose_counts_of(
    conn: Connection, series_id: str, person_ids: Sequence[int], counted_since: str | None
) -> dict[int, tuple[int, int]]:
    """As ``dose_counts`` for the given persons only: one index probe per person (cheaper than
    the whole series when the cohort is small against the series' doses)."""
    out: dict[int, tuple[int, int]] = {}
    for start in range(0, len(person_ids), 900):
        chunk = person_ids[start : start + 900]
        cur = conn.execute(
            "SELECT person_id, count(*), sum(category = 'routine') FROM vaccinations"
            " INDEXED BY vaccinations_series WHERE series_id = ?"
            f" AND person_id IN ({','.join('?' * len(chunk))}) AND outcome = 'given'"
            " AND voided_at IS NULL AND vaccinated_on >= ? GROUP BY person_id",
            (series_id, *chunk, counted_since or ""),
        )
        out.update((int(pid), (int(n), int(r))) for pid, n, r in cur)
    return out


# Below this many cohort persons the dose counts are probed person by person.
PROBE_UNDER = 40_000


def candidates(
    conn: Connection,
    series_id: str,
    ranges: Sequence[tuple[str, str]],
    *,
    complete_at: int,
    counted_since: str | None = None,
    sex: str | None = None,
    area_code: str | None = None,
) -> tuple[list[Candidate], int]:
    """Living residents born in one of ``ranges`` (inclusive ISO dates) who do NOT yet hold
    ``complete_at`` routine doses of the series (counted from ``counted_since`` for seasonal
    series), and the size of the cohort read. Persons who do are complete whatever plan applies
    to them, so they are left out before any rule is evaluated.

    The cohort is read from the covering index ``persons_list`` (migration 0003): contiguous
    ranges in birth-date order, no page of the persons table itself; the area codes from
    ``households_area``."""
    clauses = [
        "p.birth_date BETWEEN ? AND ?",
        "p.moved_out = 0",
        "p.deceased = 0",
        "p.voided_at IS NULL",
    ]
    extra: list[object] = []
    if sex is not None:
        clauses.append("p.sex = ?")
        extra.append(sex)
    if area_code is not None:
        clauses.append("h.area_code = ?")
        extra.append(area_code)
    sql = (
        "SELECT p.id, p.atena_no, p.name, p.name_kana, p.sex, p.birth_date, p.postal_code,"
        " p.address, h.area_code FROM persons p INDEXED BY persons_list"
        " LEFT JOIN households h INDEXED BY households_area ON h.id = p.household_id"
        f" WHERE {' AND '.join(clauses)}"
    )
    rows: list[tuple[object, ...]] = []
    for born_from, born_until in ranges:
        rows += conn.execute(sql, (born_from, born_until, *extra)).fetchall()
    if len(rows) < PROBE_UNDER:
        counts = dose_counts_of(conn, series_id, [int(str(r[0])) for r in rows], counted_since)
    else:
        counts = doses_per_person(conn, series_id, counted_since)
    none = (0, 0)
    make = Candidate._make
    out = []
    for row in rows:
        given, routine = counts.get(row[0], none)  # type: ignore[call-overload]
        if routine < complete_at:
            out.append(make((*row, given)))
    out.sort(key=attrgetter("birth_date", "id"))
    return out, len(rows)
