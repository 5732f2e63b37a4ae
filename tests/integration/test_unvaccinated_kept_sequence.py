"""The 未接種者一覧 with the judgements kept between lists (migration 0013 ``list_kept``,
``_list_kept``) equals the list judged from scratch — rows, order, every displayed column, the
cohort's size — over a sequence of list dates (30 consecutive days across a month end and doses
dated after the list date, month ends, a fiscal-year boundary, a leap day, a date going back),
with doses added, voided and corrected, a birth date corrected, a person deleted and a catalog
change between the lists. The kept rows evolve only through the lists made with them: the list
from scratch is made on a cleared table and the kept rows are put back after it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.security.session import Session
from app.services import _list_kept, _list_memo, results, schedule, unvaccinated
from app.services.demo import create_demo_register, demo_password
from app.services.register import login
from app.store import catalog_versions, db, list_kept
from app.store.catalog_files import default_catalog_path

TODAY = date(2026, 6, 1)  # the register's doses run up to here
DAILY = tuple(date(2026, 5, 15) + timedelta(days=n) for n in range(30))  # .. 2026-06-13
DAILY_SERIES = ("hib", "pcv", "je1", "mr1", "varicella")
LATER = (
    date(2026, 6, 30),
    date(2026, 7, 31),
    date(2026, 6, 20),  # back again
    date(2027, 2, 28),
    date(2027, 3, 31),  # last day of the fiscal year
    date(2027, 4, 1),
    date(2028, 2, 28),
    date(2028, 2, 29),
    date(2028, 3, 1),
)
ALL_SERIES = ("hib", "dpt_ipv", "pcv", "je1", "je2", "mr1", "mr2", "varicella", "hpv", "flu65")


@pytest.fixture(scope="module")
def nurse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    directory: Path = tmp_path_factory.mktemp("kept-seq") / "demo"
    create_demo_register(directory, persons=2500, seed=23, today=TODAY)
    session = login(directory, "nurse", demo_password("nurse"))
    try:
        yield session
    finally:
        session.register.close()


def _new_process() -> None:
    _list_memo.forget()
    _list_kept._KEYS.clear()


def _listing(nurse: Session, series: str, on: date) -> tuple[Any, ...]:
    _new_process()
    made = unvaccinated.build_list(nurse, series, on)
    return made.entries, made.cohort_size


def _same_as_from_scratch(nurse: Session, series: str, on: date) -> int:
    """Asserts the list with the kept rows equals the list from scratch; returns how many of
    the cohort the kept rows decided (usable on the date, before the list)."""
    conn = nurse.register.conn
    key = _list_kept.rules_key(conn, schedule.catalog_for(nurse), series)
    rules = list_kept.rules_id(conn, key) if key else None
    usable = int(
        conn.execute(
            "SELECT count(*) FROM list_kept WHERE series_id = ? AND rules = ?"
            " AND ? BETWEEN valid_from AND valid_until",
            (series, -1 if rules is None else rules, on.toordinal()),
        ).fetchone()[0]
    )
    with_kept = _listing(nurse, series, on)
    saved = conn.execute("SELECT * FROM list_kept").fetchall()
    with db.transaction(conn):
        list_kept.clear(conn)
    scratch = _listing(nurse, series, on)
    with db.transaction(conn):
        list_kept.clear(conn)
        conn.executemany("INSERT INTO list_kept VALUES (?, ?, ?, ?, ?, ?)", saved)
    if with_kept != scratch:  # (ids and statuses only in the message: no names or addresses)
        got = [(e.person_id, e.status) for e in with_kept[0]]
        want = [(e.person_id, e.status) for e in scratch[0]]
        pytest.fail(f"{series} {on}: {len(got)} rows kept, {len(want)} from scratch: {got[:5]}")
    return usable


def _open_ids(nurse: Session, series: str, on: date, n: int) -> list[int]:
    return [r.person_id for r in unvaccinated.decide_list(nurse, series, on).rows[:n]]


def _change(nurse: Session, step: int, on: date) -> None:
    """Writes between the lists, through the services (and SQL where no service does it)."""
    conn = nurse.register.conn
    if step == 3:  # doses added on the list date to persons listed
        for series in ("hib", "pcv", "mr1"):
            for pid in _open_ids(nurse, series, on, 4):
                results.record(
                    nurse,
                    pid,
                    results.ResultInput(series_id=series, vaccinated_on=on),
                    override_reason="テスト入力",
                )
    elif step in (8, 12):  # doses voided (the latest of a few kept persons)
        for series in ("hib", "je1"):
            rows = conn.execute(
                "SELECT v.id FROM vaccinations v JOIN list_kept k ON k.person_id = v.person_id"
                " AND k.series_id = v.series_id WHERE v.series_id = ? AND v.voided_at IS NULL"
                " AND v.outcome = 'given' ORDER BY v.vaccinated_on DESC LIMIT 3",
                (series,),
            ).fetchall()
            for (vid,) in rows:
                results.void(nurse, int(vid), "入力誤りのため取消")
    elif step == 16:  # a dose's date corrected to the day after the previous one
        rows = conn.execute(
            "SELECT a.id, b.vaccinated_on FROM vaccinations a JOIN vaccinations b"
            " ON b.person_id = a.person_id AND b.series_id = a.series_id"
            " AND b.vaccinated_on < a.vaccinated_on WHERE a.series_id = 'pcv'"
            " AND a.voided_at IS NULL AND b.voided_at IS NULL LIMIT 3"
        ).fetchall()
        for vid, before in rows:
            moved = date.fromisoformat(before) + timedelta(days=1)
            results.correct(nurse, int(vid), {"vaccinated_on": moved}, "接種日の訂正")
    elif step == 20:  # birth dates corrected by a month
        rows = conn.execute(
            "SELECT person_id FROM list_kept WHERE series_id = 'mr1' LIMIT 5"
        ).fetchall()
        with db.transaction(conn):
            for (pid,) in rows:
                born = conn.execute(
                    "SELECT birth_date FROM persons WHERE id = ?", (pid,)
                ).fetchone()[0]
                moved = date.fromisoformat(born) - timedelta(days=31)
                conn.execute(
                    "UPDATE persons SET birth_date = ? WHERE id = ?", (moved.isoformat(), pid)
                )
    elif step == 25:  # a person deleted
        pid = conn.execute("SELECT person_id FROM list_kept WHERE series_id = 'hib'").fetchone()[0]
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with db.transaction(conn):
                conn.execute("DELETE FROM vaccinations WHERE person_id = ?", (pid,))
                conn.execute("DELETE FROM persons WHERE id = ?", (pid,))
        finally:
            conn.execute("PRAGMA foreign_keys = ON")


def test_kept_lists_equal_lists_from_scratch(
    nurse: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = nurse.register.conn
    with db.transaction(conn):
        list_kept.clear(conn)
    used = 0
    for step, on in enumerate(DAILY):
        for series in DAILY_SERIES:
            used += _same_as_from_scratch(nurse, series, on)
        _change(nurse, step, on)
    assert used > 0  # kept rows decided part of the lists
    for on in LATER:
        for series in ALL_SERIES:
            used += _same_as_from_scratch(nurse, series, on)
    # a catalog change (another text of the same rules): every kept row is of other rules
    text = default_catalog_path().read_text(encoding="utf-8") + "\n"
    monkeypatch.setattr(catalog_versions, "current", lambda _conn: (99, text))
    on = LATER[-1]
    for series in ALL_SERIES:
        assert _same_as_from_scratch(nurse, series, on) == 0, series
        assert _same_as_from_scratch(nurse, series, on) >= 0  # and again with its own rows


def test_every_listed_judgement_is_kept_and_reused(nurse: Session) -> None:
    """A repeat of the same day reads no dose: every cohort person has a usable row."""
    conn = nurse.register.conn
    on = date(2026, 11, 27)
    for series in ("hib", "je1", "mr2", "hpv"):
        first = _listing(nurse, series, on)
        key = _list_kept.rules_key(conn, schedule.catalog_for(nurse), series)
        assert key is not None
        rules = list_kept.rules_id(conn, key)
        members = list_kept.cohort(
            conn,
            series,
            unvaccinated.decide_list(nurse, series, on).ranges,
            rules,
            on.toordinal(),
            sex="F" if series == "hpv" else None,
        )
        assert members and all(m[4] for m in members), series
        assert _listing(nurse, series, on) == first
