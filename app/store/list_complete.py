"""The kept "complete" judgements of the 未接種者一覧 (migration 0012): derived data only, read
and written by ``app.services._list_complete``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from app.store.db import Connection


def bases(conn: Connection, series_id: str, person_ids: Sequence[int]) -> dict[int, bytes]:
    """person id → the basis kept for the series (persons with none are left out)."""
    if not person_ids:
        return {}
    cur = conn.execute(
        "SELECT c.person_id, c.basis FROM json_each(?) AS w CROSS JOIN list_complete c"
        " ON c.person_id = w.value AND c.series_id = ?",
        (json.dumps(sorted(person_ids)), series_id),
    )
    return {int(pid): bytes(basis) for pid, basis in cur}


def keep(conn: Connection, series_id: str, rows: Iterable[tuple[int, bytes]]) -> int:
    """Keep (person id, basis) for the series, replacing any basis kept before; inside the
    caller's transaction. Returns the number of rows written."""
    data = [(series_id, pid, basis) for pid, basis in sorted(rows)]
    conn.executemany(
        "INSERT OR REPLACE INTO list_complete (series_id, person_id, basis) VALUES (?, ?, ?)",
        data,
    )
    return len(data)


def count(conn: Connection, series_id: str | None = None) -> int:
    if series_id is None:
        return int(conn.execute("SELECT count(*) FROM list_complete").fetchone()[0])
    return int(
        conn.execute(
            "SELECT count(*) FROM list_complete WHERE series_id = ?", (series_id,)
        ).fetchone()[0]
    )


def clear(conn: Connection) -> int:
    """Forget every kept judgement (inside the caller's transaction): the next lists judge
    everyone holding a dose again (the benchmark's cold first lists)."""
    return int(conn.execute("DELETE FROM list_complete").rowcount)
