"""The cohort of a 未接種者一覧 for a series sharing a product the engine gives to one series by
date (MR, 日本脳炎, PCV20): from the covering indexes only, persons complete by their own doses are
left out and persons holding none of the series are marked so, before any dose is read into
Python (``app.services._list_sharing`` splits the doses of the others exactly)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from app.store.db import Connection
from app.store.lists import Dose, Member, cohort_where, given_for_persons, in_area, series_in


class Own(NamedTuple):
    """For a series sharing a product with others (``shared``, given to one series by date):
    the days of each birth date (ISO, inclusive ranges) that only the series' windows hold
    (``alone``) and that only other series' windows hold (``others``).

    A person all of whose doses are of a ``shared`` product dated inside one ``others`` range
    holds none of the series: marked 0 (no dose read, no judgement). Nobody is left out as
    complete by a count of doses: the engine judges everyone holding a dose of the series (it
    does not count doses too close to the previous one, of a product not routine on that day,
    or outside the window for the person's age)."""

    series_id: str
    shared: tuple[str, ...]
    direct: tuple[str, ...]
    alone: Mapping[str, Sequence[tuple[str, str]]]
    others: Mapping[str, Sequence[tuple[str, str]]]


# The first this many ranges of each kind of a birth date are checked in SQL; doses falling in a
# later one leave the person to the exact split in Python (marked 1). Two cover every bundled
# series (MR's 特例 gives mr1 two ranges).
RANGES_CHECKED = 2
# Four counts are packed in one sum per person, FIELD apart, added as floats (``total``: exact
# below 2**53, never an integer overflow); a person with FIELD dose rows or more is left to the
# split.
FIELD = 1 << 13


def own_cohort(
    conn: Connection,
    series_ids: Sequence[str],
    ranges: Sequence[tuple[str, str]],
    own: Own,
    *,
    counted_until: str,
    sex: str | None = None,
    area_code: str | None = None,
) -> tuple[list[Member], dict[int, list[Dose]]]:
    """Living residents born in one of ``ranges`` (inclusive ISO dates), in (birth date, id) order, marked 0 when they hold no dose of the series
    (none, or all going to other series by ``own``'s rule), 2 when every dose is recorded under
    the series as routine, of a shared product, dated in one ``alone`` range (each goes to the
    series: ``Sharing.own_only``) and 1 else; and the valid given doses
    of ``series_ids`` dated up to ``counted_until`` (``given_for_persons``) of those marked 1 or 2.

    One statement: the birth dates' ranges join the cohort (read from ``persons_cohort``, one
    seek per birth date), then one probe of the covering index ``vaccinations_series`` per
    cohort person and series, in id order (neighbouring probes share pages), each dose row
    classed inside SQLite (recorded under the series or not, routine, product, which range
    holds its date) into a few counts per person: one aggregate per fact would cost as much as
    the probes themselves."""
    if not ranges:
        return [], {}
    clauses, params = cohort_where(ranges, sex)
    in_area(clauses, params, area_code)
    shared = ",".join("?" * len(own.shared))
    direct = ",".join("?" * len(own.direct)) or "NULL"
    mine = "v.series_id = ?"
    on = "v.vaccinated_on"

    def in_range(k: int, lo: str, hi: str, weight: str) -> str:
        return f"iif({on} BETWEEN c.{lo}{k} AND c.{hi}{k}, {weight}, 0)"

    f = [FIELD**k for k in range(4)]
    # per dose recorded under the series: 1, + f1 if of a direct product, + f2 (f3) if routine,
    # of a shared or direct product, dated in the first (second) alone range
    mine_counts = (
        f"CASE WHEN {mine} THEN 1 + iif(v.product_id IN ({direct}), {f[1]}, 0)"
        f" + iif(v.category = 'routine' AND (v.product_id IN ({shared})"
        f" OR v.product_id IN ({direct})), {in_range(1, 'a', 'b', str(f[2]))}"
        f" + {in_range(2, 'a', 'b', str(f[3]))}, 0) ELSE 0 END"
    )
    # per dose of a shared product dated in the first (second) others range: 1 (f1)
    their_counts = (
        f"CASE WHEN v.product_id IN ({shared}) THEN"
        f" {in_range(1, 'o', 'p', '1')} + {in_range(2, 'o', 'p', str(f[1]))} ELSE 0 END"
    )

    def field(packed: str, k: int) -> str:
        return f"({packed} / {f[k]} % {FIELD})" if k < 3 else f"({packed} / {f[k]})"

    x, d, m1, m2 = (field("m", k) for k in range(4))
    s1, s2 = (field("t", k) for k in range(2))
    # 0: no dose, or every dose of a shared product in one others range (they go to other
    # series); 2: every dose recorded under the series, routine, of a shared product, in one
    # alone range (all its own, by date); else 1: the split decides. Nobody is left out as
    # complete here: a count of doses cannot tell which ones the engine counts (intervals, the
    # day a product becomes routine), so the engine judges everyone holding a dose.
    state = (
        f"CASE WHEN n = 0 THEN 0 WHEN n >= {FIELD} THEN 1 WHEN {s1} = n OR {s2} = n THEN 0"
        f" WHEN {x} = n AND {d} = 0 AND ({m1} = n OR {m2} = n) THEN 2 ELSE 1 END"
    )
    out: list[Member] = conn.execute(
        "WITH r AS MATERIALIZED (SELECT value->>0 AS born, value->>1 AS a1, value->>2 AS b1,"
        " value->>3 AS a2, value->>4 AS b2, value->>5 AS o1, value->>6 AS p1,"
        " value->>7 AS o2, value->>8 AS p2 FROM json_each(?)),"
        " c AS MATERIALIZED (SELECT p.id AS id, p.sex AS sex, p.birth_date AS born,"
        " r.a1, r.b1, r.a2, r.b2, r.o1, r.p1, r.o2, r.p2 FROM r CROSS JOIN persons p"
        " INDEXED BY persons_cohort ON p.birth_date = r.born"
        f" WHERE {' AND '.join(clauses)} ORDER BY p.id),"
        " g AS (SELECT c.id AS id, c.sex AS sex, c.born AS born, count(v.person_id) AS n,"
        f" CAST(total({mine_counts}) AS INTEGER) AS m,"
        f" CAST(total({their_counts}) AS INTEGER) AS t"
        " FROM c LEFT JOIN vaccinations v INDEXED BY vaccinations_series"
        f" ON v.{series_in(series_ids)} AND v.person_id = c.id AND v.outcome = 'given'"
        f" AND v.voided_at IS NULL AND {on} <= ? GROUP BY c.id)"
        f" SELECT id, sex, born, {state} FROM g ORDER BY born, id",
        (
            _days(ranges, own),
            *params,
            *[own.series_id, *own.direct, *own.shared, *own.direct],
            *own.shared,
            *series_ids,
            counted_until,
        ),
    ).fetchall()
    doses = given_for_persons(conn, [m[0] for m in out if m[3]], series_ids, counted_until)
    return out, doses


def _days(ranges: Sequence[tuple[str, str]], own: Own) -> str:
    """Every birth date of ``ranges`` with its first alone and others ranges (null: none), as
    the JSON the statement reads."""
    rows = []
    none = (None, None)
    for first, last in ranges:
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            born = day.isoformat()
            alone = [*own.alone.get(born, ())[:RANGES_CHECKED], none, none][:RANGES_CHECKED]
            others = [*own.others.get(born, ())[:RANGES_CHECKED], none, none][:RANGES_CHECKED]
            rows.append([born, *[d for r in (*alone, *others) for d in r]])
            day += timedelta(days=1)
    return json.dumps(rows, separators=(",", ":"))
