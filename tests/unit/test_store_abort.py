"""Issue 12 item 11: a long query stops once its caller cancels (``db.abort_when``), so Cancel
on the annual statistics does not wait for a whole-register scan to end."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from app.store import db

# Counts far beyond anything the test waits for (minutes of work): only the abort ends it.
LONG_QUERY = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000)"
    " SELECT count(*) FROM c"
)


def test_a_running_query_stops_when_cancelled() -> None:
    conn = sqlite3.connect(":memory:")
    pressed = threading.Event()
    timer = threading.Timer(0.2, pressed.set)
    timer.start()
    try:
        with pytest.raises(db.QueryCancelled), db.abort_when(conn, pressed.is_set):
            conn.execute(LONG_QUERY).fetchone()
    finally:
        timer.cancel()
    assert pressed.is_set()
    # The handler is gone afterwards: the connection works as before.
    assert conn.execute("SELECT 41 + 1").fetchone() == (42,)


def test_without_a_cancel_the_query_runs_to_the_end() -> None:
    conn = sqlite3.connect(":memory:")
    query = LONG_QUERY.replace("2000000000", "50000")
    with db.abort_when(conn, lambda: False):
        assert conn.execute(query).fetchone() == (50000,)
    with db.abort_when(conn, None):
        assert conn.execute(query).fetchone() == (50000,)


def test_other_errors_are_not_turned_into_a_cancel() -> None:
    conn = sqlite3.connect(":memory:")
    with pytest.raises(sqlite3.OperationalError), db.abort_when(conn, lambda: False):
        conn.execute("SELECT * FROM no_such_table")
