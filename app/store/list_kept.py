"""The judgements a 未接種者一覧 keeps between lists (migration 0013): derived data only, read and
written by ``app.services._list_kept``. Rows go by triggers whenever what they judged changes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from operator import itemgetter

from app.store.db import Connection
from app.store.lists import cohort_where, in_area

# (person id, sex, birth date, kept judgement — None: complete —, 1 when the kept row is usable
# for the list date under the rules, else 0): a plain tuple, as a list reads ~10⁵ of them.
KeptMember = tuple[int, str, str, str | None, int]
# (person id, first list day, last list day — ordinals —, judgement or None for complete)
KeptRow = tuple[int, int, int, str | None]


def rules_id(conn: Connection, key: bytes) -> int | None:
    """The small id of a rules key (``_list_kept.rules_key``); None when the key has none yet
    (no row of it can exist: nothing is usable)."""
    row = conn.execute("SELECT id FROM list_rules WHERE key = ?", (key,)).fetchone()
    return None if row is None else int(row[0])


def new_rules_id(conn: Connection, key: bytes) -> int:
    """The id of a rules key, made when it has none (inside the caller's transaction)."""
    conn.execute("INSERT OR IGNORE INTO list_rules (key) VALUES (?)", (key,))
    return int(conn.execute("SELECT id FROM list_rules WHERE key = ?", (key,)).fetchone()[0])


def cohort(
    conn: Connection,
    series_id: str,
    ranges: Sequence[tuple[str, str]],
    rules: int | None,
    day: int,
    *,
    sex: str | None = None,
    area_code: str | None = None,
) -> list[KeptMember]:
    """Living residents born in one of ``ranges`` (inclusive ISO dates), in (birth date, id)
    order, each with the judgement kept for the series and whether it is usable on the list
    day ``day`` (an ordinal) under ``rules``: one statement over the narrow index
    ``persons_cohort`` and the primary key of ``list_kept`` (no dose row is read). The cohort
    probes the kept rows in person id order (neighbouring probes share pages: a third of the
    CPU of probing in birth-date order at 1M persons); the birth-date order is made here."""
    if not ranges:
        return []
    clauses, params = cohort_where(ranges, sex)
    in_area(clauses, params, area_code)
    rows: list[KeptMember] = conn.execute(
        "WITH c AS MATERIALIZED (SELECT p.id AS id, p.sex AS sex, p.birth_date AS born"
        f" FROM persons p INDEXED BY persons_cohort WHERE {' AND '.join(clauses)} ORDER BY p.id)"
        " SELECT c.id, c.sex, c.born, k.judged,"
        " ifnull(k.rules = ? AND ? BETWEEN k.valid_from AND k.valid_until, 0)"
        " FROM c LEFT JOIN list_kept k ON k.person_id = c.id AND k.series_id = ?",
        (*params, -1 if rules is None else rules, day, series_id),
    ).fetchall()
    rows.sort(key=itemgetter(2, 0))  # (birth date, id)
    return rows


def doses_after(conn: Connection, person_ids: Iterable[int], until: str) -> dict[int, str]:
    """person id → the first date of any dose row (any series, outcome or state) dated after
    ``until``, for the persons that have one (from ``vaccinations_person``)."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    cur = conn.execute(
        "SELECT w.value, (SELECT min(v.vaccinated_on) FROM vaccinations v"
        " INDEXED BY vaccinations_person WHERE v.person_id = w.value AND v.vaccinated_on > ?)"
        " AS first FROM json_each(?) AS w WHERE first IS NOT NULL",
        (until, json.dumps(wanted)),
    )
    return {int(pid): str(first) for pid, first in cur}


def keep(conn: Connection, series_id: str, rules: int, rows: Iterable[KeptRow]) -> int:
    """Keep the judgements of the series, replacing any row kept before for those persons;
    inside the caller's transaction. Returns the number of rows written."""
    data = [(pid, series_id, rules, a, b, j) for pid, a, b, j in sorted(rows)]
    conn.executemany(
        "INSERT OR REPLACE INTO list_kept"
        " (person_id, series_id, rules, valid_from, valid_until, judged)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        data,
    )
    return len(data)


def count(conn: Connection, series_id: str | None = None) -> int:
    if series_id is None:
        return int(conn.execute("SELECT count(*) FROM list_kept").fetchone()[0])
    return int(
        conn.execute("SELECT count(*) FROM list_kept WHERE series_id = ?", (series_id,)).fetchone()[
            0
        ]
    )


def of_person(conn: Connection, person_id: int) -> int:
    return int(
        conn.execute("SELECT count(*) FROM list_kept WHERE person_id = ?", (person_id,)).fetchone()[
            0
        ]
    )


def clear(conn: Connection) -> int:
    """Forget every kept judgement (inside the caller's transaction): the next lists judge
    everyone again (the benchmark's never-listed first lists, the tests' lists from scratch)."""
    return int(conn.execute("DELETE FROM list_kept").rowcount)
