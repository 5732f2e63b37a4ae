"""Queries behind the 未接種者一覧 (unvaccinated list) at register scale.

A list is decided from narrow data only — ids, birth dates, sex and dose facts, read from the
covering indexes ``persons_cohort`` and ``vaccinations_series`` (migration 0005) — and the
display columns (names, addresses) of the listed persons are read afterwards, page by page, from
the persons table by row id (migration 0010 took them out of ``persons_list``)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from app.store.db import Connection

# (id, sex, birth date, valid given doses of the series counted — for a large cohort only 1 for
# "some", 0 for none): a plain tuple, as a list builds ~10⁵ of them.
Member = tuple[int, str, str, int]


class Shown(NamedTuple):
    """The display columns of one listed person."""

    id: int
    atena_no: str
    name: str
    name_kana: str
    postal_code: str | None
    address: str
    area_code: str | None


Dose = tuple[str, str | None, str, int]  # (vaccinated_on, product_id, series_id, routine 1/0)

_LIVING = ("p.moved_out = 0", "p.deceased = 0", "p.voided_at IS NULL")


def series_in(series_ids: Sequence[str]) -> str:
    return f"series_id IN ({','.join('?' * len(series_ids))})"


# (product id, first day, last day — inclusive ISO dates) on which a dose of the product counts
Counted = tuple[str, str, str]


def counted_sql(counted: Sequence[Counted]) -> tuple[str, list[object]]:
    """An expression over a vaccinations row: 1 when the dose is routine and of one of the
    ``counted`` products dated inside its days, else 0 (always 0 without ``counted``)."""
    if not counted:
        return "0", []
    terms = " OR ".join(["(product_id = ? AND vaccinated_on BETWEEN ? AND ?)"] * len(counted))
    return f"(category = 'routine' AND ({terms}))", [x for c in counted for x in c]


def dose_counts_of(
    conn: Connection,
    series_ids: Sequence[str],
    person_ids: Sequence[int],
    counted_since: str | None,
    counted_until: str,
    counted: Sequence[Counted] = (),
) -> dict[int, tuple[int, int]]:
    """person id → (valid given doses, of which routine and ``counted``: ``counted_sql``)
    recorded under the series, dated from ``counted_since`` (None: any) up to ``counted_until``
    inclusive, for the given persons: one probe of the covering index ``vaccinations_series``
    per person (cheaper than grouping the whole series when the cohort is small)."""
    out: dict[int, tuple[int, int]] = {}
    counts, counts_params = counted_sql(counted)
    for start in range(0, len(person_ids), 900):
        chunk = person_ids[start : start + 900]
        cur = conn.execute(
            f"SELECT person_id, count(*), sum({counts}) FROM vaccinations"
            f" INDEXED BY vaccinations_series WHERE {series_in(series_ids)}"
            f" AND person_id IN ({','.join('?' * len(chunk))}) AND outcome = 'given'"
            " AND voided_at IS NULL AND vaccinated_on BETWEEN ? AND ? GROUP BY person_id",
            (*counts_params, *series_ids, *chunk, counted_since or "", counted_until),
        )
        out.update((int(pid), (int(n), int(r))) for pid, n, r in cur)
    return out


# Below this many cohort persons the dose counts are probed person by person.
PROBE_UNDER = 40_000


def cohort_where(
    ranges: Sequence[tuple[str, str]], sex: str | None
) -> tuple[list[str], list[object]]:
    born = "(" + " OR ".join(["p.birth_date BETWEEN ? AND ?"] * len(ranges)) + ")"
    clauses = [born, *_LIVING]
    params: list[object] = [d for r in ranges for d in r]
    if sex is not None:
        clauses.append("p.sex = ?")
        params.append(sex)
    return clauses, params


def in_area(clauses: list[str], params: list[object], area_code: str | None) -> None:
    if area_code is not None:
        # The area's households, once (one pass over households_area), instead of one
        # household probe per person of the cohort.
        clauses.append(
            "p.household_id IN (SELECT id FROM households INDEXED BY households_area"
            " WHERE area_code = ?)"
        )
        params.append(area_code)


def cohort(
    conn: Connection,
    series_ids: Sequence[str],
    ranges: Sequence[tuple[str, str]],
    *,
    complete_at: int | None,
    counted_until: str,
    counted_since: str | None = None,
    counted: Sequence[Counted] = (),
    sex: str | None = None,
    area_code: str | None = None,
) -> list[Member]:
    """Living residents born in one of ``ranges`` (inclusive ISO dates) who do NOT yet hold
    ``complete_at`` routine doses of the ``counted`` products on their days (``counted_sql``)
    recorded under ``series_ids`` dated up to ``counted_until`` (the list date; from
    ``counted_since`` for seasonal series), in (birth date, id) order. The caller passes
    ``complete_at`` only when holding that many such doses PROVES the engine finds the series
    complete (a seasonal series' one dose in the season, for persons eligible all season);
    with ``complete_at`` None nobody is left out: the engine judges everyone holding a dose.

    Reads the narrow index ``persons_cohort`` (contiguous birth-date ranges, no name or address
    and no page of the persons table); with an area, its households from ``households_area``. A
    large cohort is checked against the series' per-person counts inside SQLite (one statement,
    no Python per complete person); a small one probes its persons' doses one by one."""
    if not ranges:
        return []
    clauses, params = cohort_where(ranges, sex)
    # Only whether the cohort reaches PROBE_UNDER matters: counting stops there (flu65 at 1M
    # persons: 40k index entries instead of 276k).
    size = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM persons p INDEXED BY persons_cohort"
        f" WHERE {' AND '.join(clauses)} LIMIT ?)",
        (*params, PROBE_UNDER),
    ).fetchone()[0]
    in_area(clauses, params, area_code)
    where = " AND ".join(clauses)
    if size >= PROBE_UNDER:
        out = _large_cohort(
            conn, series_ids, where, params, complete_at, counted_since, counted_until, counted
        )
    else:
        rows = conn.execute(
            "SELECT p.id, p.sex, p.birth_date FROM persons p INDEXED BY persons_cohort"
            f" WHERE {where}",
            params,
        ).fetchall()
        counts = dose_counts_of(
            conn, series_ids, [r[0] for r in rows], counted_since, counted_until, counted
        )
        none = (0, 0)
        get = counts.get
        if complete_at is None:
            out = [(pid, sx, b, get(pid, none)[0]) for pid, sx, b in rows]
        else:
            out = [
                (pid, sx, b, c[0]) for pid, sx, b in rows if (c := get(pid, none))[1] < complete_at
            ]
    out.sort(key=itemgetter(2, 0))  # (birth date, id)
    return out


def _large_cohort(
    conn: Connection,
    series_ids: Sequence[str],
    where: str,
    params: Sequence[object],
    complete_at: int | None,
    counted_since: str | None,
    counted_until: str,
    counted: Sequence[Counted],
) -> list[Member]:
    counts, dose_params = counted_sql(counted)
    if counted_since is None:
        doses = (
            f"SELECT person_id, count(*) AS n, sum({counts}) AS r FROM vaccinations"
            f" INDEXED BY vaccinations_series WHERE {series_in(series_ids)}"
            " AND outcome = 'given' AND voided_at IS NULL AND vaccinated_on <= ?"
            " GROUP BY person_id"
        )
        dose_params += [*series_ids, counted_until]
    else:
        doses = (
            f"SELECT person_id, count(*) AS n, sum({counts}) AS r FROM vaccinations"
            f" INDEXED BY vaccinations_season WHERE {series_in(series_ids)}"
            " AND vaccinated_on BETWEEN ? AND ? AND outcome = 'given' AND voided_at IS NULL"
            " GROUP BY person_id"
        )
        dose_params += [*series_ids, counted_since, counted_until]
    # One statement: the counts are grouped once; the complete persons are dropped and the
    # others holding some dose are marked (1) inside SQLite.
    limit = complete_at if complete_at is not None else 2**62
    rows: list[Member] = conn.execute(
        f"WITH d AS MATERIALIZED ({doses})"
        " SELECT p.id, p.sex, p.birth_date, p.id IN (SELECT person_id FROM d WHERE r < ?)"
        " FROM persons p INDEXED BY persons_cohort"
        f" WHERE {where} AND p.id NOT IN (SELECT person_id FROM d WHERE r >= ?)",
        (*dose_params, limit, *params, limit),
    ).fetchall()
    return rows


def given_for_persons(
    conn: Connection, person_ids: Iterable[int], series_ids: Sequence[str], until: str
) -> dict[int, list[Dose]]:
    """(date, product, series, routine) of valid given doses recorded under the series, dated
    up to ``until`` inclusive, for many persons at once, each person's in the order the engine
    is given them (``vaccinations.for_person``: date, then row id — two vaccines of one series
    on one day are walked in the order they were entered), from the covering index
    ``vaccinations_series`` only (the row id is part of every index entry; no vaccinations
    table page): one statement probing the index in person id order (neighbouring probes
    share pages)."""
    wanted = sorted(set(person_ids))
    out: dict[int, list[Dose]] = {pid: [] for pid in wanted}
    if not wanted:
        return out
    cur = conn.execute(
        "SELECT v.person_id, v.vaccinated_on, v.product_id, v.series_id, v.category = 'routine'"
        " FROM json_each(?) AS w CROSS JOIN vaccinations v INDEXED BY vaccinations_series"
        f" ON v.{series_in(series_ids)} AND v.person_id = w.value AND v.outcome = 'given'"
        " AND v.voided_at IS NULL AND v.vaccinated_on <= ?"
        " ORDER BY v.person_id, v.vaccinated_on, v.id",
        (json.dumps(wanted), *series_ids, until),
    )
    for pid, rows in groupby(cur, itemgetter(0)):
        out[pid] = [row[1:] for row in rows]
    return out


def dose_facts(
    conn: Connection,
    person_ids: Iterable[int],
    series_ids: Sequence[str],
    since: str | None,
    until: str,
) -> dict[int, str]:
    """person id → the facts of the valid given doses recorded under the series, dated from
    ``since`` (None: any) up to ``until`` inclusive, that the engine reads (date, product,
    series) as one string: ``"date product series"`` per dose (product empty when none),
    joined by ``","``, in the order the engine is given them (date, then row id). What
    ``given_for_persons`` reads, built inside SQLite (one string per person, from the covering
    index ``vaccinations_series``): a list looks its judgements up by it and parses it only
    for a combination it has not judged yet (``parse_facts``)."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    rows = conn.execute(
        "SELECT w.value, (SELECT group_concat(v.vaccinated_on || ' ' || ifnull(v.product_id, '')"
        " || ' ' || v.series_id, ',' ORDER BY v.vaccinated_on, v.id)"
        " FROM vaccinations v INDEXED BY vaccinations_series"
        f" WHERE v.{series_in(series_ids)} AND v.person_id = w.value AND v.outcome = 'given'"
        " AND v.voided_at IS NULL AND v.vaccinated_on BETWEEN ? AND ?) FROM json_each(?) AS w",
        (*series_ids, since or "", until, json.dumps(wanted)),
    ).fetchall()
    return {int(pid): facts or "" for pid, facts in rows}


def parse_facts(facts: str) -> list[tuple[str, str | None, str]]:
    """``dose_facts``' string as (date, product or None, series) per dose, in its order."""
    out: list[tuple[str, str | None, str]] = []
    for dose in facts.split(",") if facts else ():
        on, product, series = dose.split(" ")
        out.append((on, product or None, series))
    return out


def shown_rows(
    conn: Connection,
    wanted: Collection[int],
    spans: Iterable[tuple[str, str]],
) -> dict[int, Shown]:
    """Display columns of the ``wanted`` persons (all born in one of ``spans``, inclusive ISO
    dates), read from the persons table by row id in row-id order: only the rows shown are read
    (``persons_list`` holds no name or address since migration 0010, so that a resident's
    address edit rewrites no index page). Persons no longer living are left out, as before."""
    del spans  # the rows are found by id; kept for the callers' signature
    ids = sorted(wanted)
    out: dict[int, Shown] = {}
    make = Shown._make
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        cur = conn.execute(
            "SELECT p.id, p.atena_no, p.name, p.name_kana, p.postal_code, p.address, h.area_code"
            " FROM persons p LEFT JOIN households h INDEXED BY households_area"
            " ON h.id = p.household_id"
            f" WHERE p.id IN ({','.join('?' * len(chunk))}) AND {' AND '.join(_LIVING)}",
            tuple(chunk),
        )
        out.update((int(r[0]), make(r)) for r in cur)
    return out


def shown_by_id(conn: Connection, person_ids: Sequence[int]) -> dict[int, Shown]:
    """Display columns by primary key (persons changed after their list was decided)."""
    out: dict[int, Shown] = {}
    for start in range(0, len(person_ids), 900):
        chunk = person_ids[start : start + 900]
        cur = conn.execute(
            "SELECT p.id, p.atena_no, p.name, p.name_kana, p.postal_code, p.address, h.area_code"
            " FROM persons p LEFT JOIN households h ON h.id = p.household_id"
            f" WHERE p.id IN ({','.join('?' * len(chunk))})",
            tuple(chunk),
        )
        out.update((int(r[0]), Shown._make(r)) for r in cur)
    return out
