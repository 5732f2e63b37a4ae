"""The bare SQLite reads ``bench_counter`` times beside each 未接種者一覧 figure (the floor: no
engine, no masking, no objects), each returning (wall seconds, CPU seconds): for (a), what the
list read before migration 0013, as it read it (``_bare_decision``: the cohort, the series' dose
rows, from the indexes the list probes) and what it reads when every judgement is kept
(``_bare_kept``: the cohort joined with its kept rows), both with the first page's display
columns by row id (``_first_page``); for (b), every listed person's display columns by primary
key (``_bare_scan``).
"""

from __future__ import annotations

import time
from typing import Any

from app.domain.legaldate import fiscal_year, fiscal_year_start
from app.services import _list_kept, unvaccinated
from app.services.schedule import catalog_for
from app.services.unvaccinated import PAGE_ROWS
from app.store import list_kept


def _bare_decision(
    conn: Any, nurse: Any, decision: unvaccinated.UnvaccinatedDecision
) -> tuple[float, float]:
    """Seconds for plain SQL to read what (a) reads, as it reads it: the cohort's id, sex and
    birth date over its birth ranges (index ``persons_cohort``); every valid given dose row
    (date, row id, product, series, category) of the series and of those sharing its products,
    dated up to the list date (this season's only for a seasonal series), from the covering
    index the list probes (``vaccinations_series``; ``vaccinations_season`` for a seasonal
    series) — the list reads them for the cohort persons holding one; and the first page's
    display columns (atena number, name, kana, postal code, address, area) by row id from the
    persons table and ``households_area``, as ``lists.shown_rows`` does (since migration 0011
    ``persons_list`` holds no name or address)."""
    full = catalog_for(nurse)
    series = full.series_by_id(decision.series_id)
    group = full.sharing_with(decision.series_id)
    marks = ",".join("?" * len(group))
    since = fiscal_year_start(fiscal_year(decision.on)).isoformat() if series.season else None
    until = decision.on.isoformat()
    t0, c0 = time.perf_counter(), time.process_time()
    for a, b in decision.ranges:
        conn.execute(
            "SELECT id, sex, birth_date FROM persons INDEXED BY persons_cohort"
            " WHERE birth_date BETWEEN ? AND ? AND moved_out = 0 AND deceased = 0"
            " AND voided_at IS NULL",
            (a, b),
        ).fetchall()
    if since is None:
        conn.execute(
            "SELECT person_id, vaccinated_on, id, product_id, series_id, category = 'routine'"
            f" FROM vaccinations INDEXED BY vaccinations_series WHERE series_id IN ({marks})"
            " AND outcome = 'given' AND voided_at IS NULL AND vaccinated_on <= ?",
            (*group, until),
        ).fetchall()
    else:
        conn.execute(
            "SELECT person_id, vaccinated_on, id, product_id, series_id, category = 'routine'"
            f" FROM vaccinations INDEXED BY vaccinations_season WHERE series_id IN ({marks})"
            " AND vaccinated_on BETWEEN ? AND ? AND outcome = 'given' AND voided_at IS NULL",
            (*group, since, until),
        ).fetchall()
    _first_page(conn, decision)
    return time.perf_counter() - t0, time.process_time() - c0


def _first_page(conn: Any, decision: unvaccinated.UnvaccinatedDecision) -> None:
    """The first page's display columns by row id, in plain SQL (both bare figures)."""
    first = decision.rows[:PAGE_ROWS]
    if first:
        ids = [r.person_id for r in first]
        conn.execute(
            "SELECT p.id, p.atena_no, p.name, p.name_kana, p.postal_code, p.address, h.area_code"
            " FROM persons p LEFT JOIN households h INDEXED BY households_area"
            " ON h.id = p.household_id"
            f" WHERE p.id IN ({','.join('?' * len(ids))}) AND p.moved_out = 0"
            " AND p.deceased = 0 AND p.voided_at IS NULL",
            ids,
        ).fetchall()


def _bare_kept(
    conn: Any, nurse: Any, decision: unvaccinated.UnvaccinatedDecision
) -> tuple[float, float]:
    """Seconds for plain SQL to read what the list reads when every judgement is kept: the
    cohort joined with its kept rows (the one statement of ``list_kept.cohort``) and the first
    page's display columns by row id (as ``_bare_decision``)."""
    full = catalog_for(nurse)
    series = full.series_by_id(decision.series_id)
    key = _list_kept.rules_key(conn, full, decision.series_id)
    rules = list_kept.rules_id(conn, key) if key else None
    t0, c0 = time.perf_counter(), time.process_time()
    list_kept.cohort(
        conn,
        decision.series_id,
        decision.ranges,
        rules,
        decision.on.toordinal(),
        sex="F" if series.sex == "F" else None,
    )
    _first_page(conn, decision)
    return time.perf_counter() - t0, time.process_time() - c0


def _bare_scan(conn: Any, decision: unvaccinated.UnvaccinatedDecision) -> tuple[float, float]:
    """Seconds for plain SQL to read the same rows (the listed persons' columns and area code,
    by primary key in id order — CROSS JOIN keeps the id list as the outer loop) with no
    engine, no masking and no objects."""
    ids = sorted(r.person_id for r in decision.rows)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS bench_ids (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.bench_ids")
    conn.executemany("INSERT INTO temp.bench_ids (id) VALUES (?)", [(i,) for i in ids])
    t0, c0 = time.perf_counter(), time.process_time()
    conn.execute(
        "SELECT p.id, p.atena_no, p.name, p.name_kana, p.sex, p.birth_date, p.postal_code,"
        " p.address, h.area_code FROM temp.bench_ids t CROSS JOIN persons p ON p.id = t.id"
        " LEFT JOIN households h ON h.id = p.household_id"
    ).fetchall()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    conn.execute("DELETE FROM temp.bench_ids")
    return seconds, cpu
