"""The judgements a 未接種者一覧 keeps between lists (migration 0013 ``list_kept``,
``_list_kept``): a later list — another day, a new process — leaves out exactly the persons
the engine still finds complete, and a dose voided or corrected, or a birth date corrected, after
a list makes the engine judge the person again (issue 12 item 20)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.domain.schedule import OPEN_STATUSES
from app.security.session import Session
from app.services import _list_kept, _list_memo, results, schedule, unvaccinated
from app.services.demo import create_demo_register, demo_password
from app.services.register import login
from app.store import catalog_versions, db, list_kept

TODAY = date(2026, 11, 27)
DAYS = (date(2026, 6, 1), TODAY, date(2027, 3, 31), date(2025, 12, 1))
SERIES = ("hib", "dpt_ipv", "pcv", "je1", "mr1", "hpv", "varicella")


@pytest.fixture(scope="module")
def nurse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    directory: Path = tmp_path_factory.mktemp("kept") / "demo"
    create_demo_register(directory, persons=1500, seed=11, today=TODAY)
    session = login(directory, "nurse", demo_password("nurse"))
    try:
        yield session
    finally:
        session.register.close()


def _new_process() -> None:
    """Forget what the process keeps between lists (as the first list of a new process)."""
    _list_memo.forget()


def _complete_count(conn: db.Connection, series: str) -> int:
    return int(
        conn.execute(
            "SELECT count(*) FROM list_kept WHERE series_id = ? AND judged IS NULL", (series,)
        ).fetchone()[0]
    )


def _kept_row(conn: db.Connection, series: str, pid: int) -> tuple[object, ...] | None:
    row = conn.execute(
        "SELECT rules, valid_from, valid_until, judged FROM list_kept"
        " WHERE person_id = ? AND series_id = ?",
        (pid, series),
    ).fetchone()
    return None if row is None else tuple(row)


def _rows(nurse: Session, series: str, on: date) -> dict[int, tuple[object, ...]]:
    return {
        r.person_id: (r.sex, r.birth_date, r.judged)
        for r in unvaccinated.decide_list(nurse, series, on).rows
    }


def _engine(nurse: Session, series: str, pid: int, on: date) -> str:
    return {s.id: s for s in schedule.due_list(nurse, pid, on).series}[series].status


@pytest.mark.parametrize("series", SERIES)
def test_a_list_with_kept_judgements_equals_one_without(nurse: Session, series: str) -> None:
    conn = nurse.register.conn
    for on in DAYS:
        _new_process()
        before = _complete_count(conn, series)
        with_kept = _rows(nurse, series, on)  # the kept rows of the earlier days are used
        assert on == DAYS[0] or before > 0
        with db.transaction(conn):
            conn.execute("DELETE FROM list_kept WHERE series_id = ?", (series,))
        _new_process()
        fresh = _rows(nurse, series, on)  # everyone holding a dose judged by the engine
        assert with_kept == fresh, (series, on)
        assert _complete_count(conn, series) > 0, (series, on)  # kept again
    # every person kept complete is complete for the engine on each day (holding the same doses)
    kept_ids = [
        int(r[0])
        for r in conn.execute(
            "SELECT person_id FROM list_kept WHERE series_id = ? AND judged IS NULL ORDER BY person_id LIMIT 40",
            (series,),
        )
    ]
    assert kept_ids
    for pid in kept_ids:
        assert _engine(nurse, series, pid, TODAY) == "complete", (series, pid)


def _kept_complete(nurse: Session, series: str) -> list[int]:
    _new_process()
    unvaccinated.decide_list(nurse, series, TODAY)
    return [
        int(r[0])
        for r in nurse.register.conn.execute(
            "SELECT person_id FROM list_kept WHERE series_id = ? AND judged IS NULL ORDER BY person_id",
            (series,),
        )
    ]


def test_a_dose_voided_after_a_list_is_judged_again(nurse: Session) -> None:
    conn = nurse.register.conn
    reopened = 0
    for pid in _kept_complete(nurse, "hib")[:30]:
        last = conn.execute(
            "SELECT id FROM vaccinations WHERE person_id = ? AND series_id = 'hib'"
            " AND outcome = 'given' AND voided_at IS NULL ORDER BY vaccinated_on DESC LIMIT 1",
            (pid,),
        ).fetchone()[0]
        results.void(nurse, int(last), "入力誤りのため取消")
        _new_process()
        listed = _rows(nurse, "hib", TODAY)
        status = _engine(nurse, "hib", pid, TODAY)
        assert (pid in listed) == (status in OPEN_STATUSES), pid
        reopened += pid in listed
        if reopened >= 3:
            break
    assert reopened >= 3


def test_a_dose_moved_too_close_after_a_list_is_judged_again(nurse: Session) -> None:
    conn = nurse.register.conn
    reopened = 0
    for pid in _kept_complete(nurse, "dpt_ipv")[:40]:
        doses = conn.execute(
            "SELECT id, vaccinated_on FROM vaccinations WHERE person_id = ?"
            " AND series_id = 'dpt_ipv' AND outcome = 'given' AND voided_at IS NULL"
            " ORDER BY vaccinated_on",
            (pid,),
        ).fetchall()
        if len(doses) < 2:
            continue
        # the second dose on the day after the first: too close (20 days needed), not counted
        day_after = date.fromordinal(date.fromisoformat(doses[0][1]).toordinal() + 1)
        results.correct(nurse, int(doses[1][0]), {"vaccinated_on": day_after}, "接種日の訂正")
        _new_process()
        listed = _rows(nurse, "dpt_ipv", TODAY)
        status = _engine(nurse, "dpt_ipv", pid, TODAY)
        assert (pid in listed) == (status in OPEN_STATUSES), pid
        reopened += pid in listed
        if reopened >= 2:
            break
    assert reopened >= 2


def test_a_birth_date_corrected_after_a_list_is_judged_again(nurse: Session) -> None:
    conn = nurse.register.conn
    for pid in _kept_complete(nurse, "mr1"):
        given = conn.execute(
            "SELECT min(vaccinated_on) FROM vaccinations WHERE person_id = ? AND series_id = 'mr1'"
            " AND outcome = 'given' AND voided_at IS NULL",
            (pid,),
        ).fetchone()[0]
        if "2025-06-01" <= given <= "2026-05-01":
            break
    else:
        pytest.fail("no kept mr1 person with a dose in the range")
    kept = _kept_row(conn, "mr1", pid)
    assert kept is not None and kept[3] is None  # complete
    # born half a year before the dose: it falls before the first birthday (not counted), and
    # the mr1 window (12 to 24 months) holds the list date
    born = date.fromordinal(date.fromisoformat(given).toordinal() - 183)
    with db.transaction(conn):
        conn.execute("UPDATE persons SET birth_date = ? WHERE id = ?", (born.isoformat(), pid))
    _new_process()
    listed = _rows(nurse, "mr1", TODAY)
    assert _engine(nurse, "mr1", pid, TODAY) in OPEN_STATUSES
    assert pid in listed
    # the correction deleted the kept row (trigger); the list kept the open judgement instead
    again = _kept_row(conn, "mr1", pid)
    assert again is not None and again[3] is not None
    assert _list_kept.decode(str(again[3])).status in OPEN_STATUSES


def test_another_catalog_or_series_has_another_key(
    nurse: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = nurse.register.conn
    full = schedule.catalog_for(nurse)
    key = _list_kept.rules_key(conn, full, "hib")
    assert key is not None and key != _list_kept.rules_key(conn, full, "pcv")
    _list_kept._KEYS.clear()
    monkeypatch.setattr(catalog_versions, "current", lambda _conn: (2, '{"changed": true}'))
    assert _list_kept.rules_key(conn, full, "hib") not in (None, key)
    _list_kept._KEYS.clear()
    # another key is another small id: rows kept under the first are never used under it
    with db.transaction(conn):
        first = list_kept.new_rules_id(conn, key)
        assert list_kept.new_rules_id(conn, key) == first
        assert list_kept.new_rules_id(conn, bytes(32)) != first


def test_the_packaged_app_keys_by_its_program_file(
    nurse: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """In a PyInstaller bundle the sources are not on disk: the key is of the program file
    (another build, another key); a program file that cannot be read keeps nothing."""
    conn = nurse.register.conn
    full = schedule.catalog_for(nurse)
    from_sources = _list_kept.rules_key(conn, full, "hib")
    program = tmp_path / "vaxdesk"
    program.write_bytes(b"build 1")
    monkeypatch.setattr("sys.frozen", True, raising=False)
    monkeypatch.setattr("sys.executable", str(program))
    keys = []
    for content in (b"build 1", b"build 2"):
        program.write_bytes(content)
        _list_kept._code_digest.clear()
        _list_kept._KEYS.clear()
        keys.append(_list_kept.rules_key(conn, full, "hib"))
    assert None not in keys and keys[0] != keys[1] and from_sources not in keys
    program.unlink()
    _list_kept._code_digest.clear()
    _list_kept._KEYS.clear()
    assert _list_kept.rules_key(conn, full, "hib") is None
    monkeypatch.undo()
    _list_kept._code_digest.clear()
    _list_kept._KEYS.clear()
    assert _list_kept.rules_key(conn, full, "hib") == from_sources


def test_a_deleted_person_takes_the_kept_rows_along(nurse: Session) -> None:
    conn = nurse.register.conn
    pid = _kept_complete(nurse, "varicella")[-1]
    assert _kept_row(conn, "varicella", pid) is not None
    conn.execute("PRAGMA foreign_keys = OFF")  # (the person's other records stay: not tested)
    try:
        with db.transaction(conn):
            conn.execute("DELETE FROM persons WHERE id = ?", (pid,))
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    assert (
        conn.execute("SELECT count(*) FROM list_kept WHERE person_id = ?", (pid,)).fetchone()[0]
        == 0
    )
