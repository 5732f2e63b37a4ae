"""The triggers of migration 0013: every write of what a kept 未接種者一覧 judgement reads deletes
the person's kept rows (all series), and writes of anything else leave them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.security.session import Session
from app.services import results, unvaccinated
from app.services.demo import create_demo_register, demo_password
from app.services.register import login
from app.store import db, list_kept, migrate

TODAY = date(2026, 11, 27)


@pytest.fixture()
def nurse(tmp_path: Path) -> Iterator[Session]:
    directory = tmp_path / "demo"
    create_demo_register(directory, persons=400, seed=5, today=TODAY)
    session = login(directory, "nurse", demo_password("nurse"))
    try:
        for series in ("hib", "pcv", "dpt_ipv", "mr1"):
            unvaccinated.decide_list(session, series, TODAY)
        yield session
    finally:
        session.register.close()


def _kept_with_dose(nurse: Session) -> tuple[int, int]:
    """(person id, one of the person's valid given dose row ids) of a person with kept rows of
    two series or more."""
    row = nurse.register.conn.execute(
        "SELECT k.person_id, min(v.id) FROM list_kept k JOIN vaccinations v"
        " ON v.person_id = k.person_id AND v.voided_at IS NULL AND v.outcome = 'given'"
        " GROUP BY k.person_id HAVING count(DISTINCT k.series_id) >= 2 LIMIT 1"
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _rows(nurse: Session, pid: int) -> int:
    return list_kept.of_person(nurse.register.conn, pid)


def test_a_dose_recorded_drops_the_persons_rows(nurse: Session) -> None:
    pid, _ = _kept_with_dose(nurse)
    others = list_kept.count(nurse.register.conn) - _rows(nurse, pid)
    results.record(
        nurse,
        pid,
        results.ResultInput(series_id="varicella", vaccinated_on=TODAY),
        override_reason="テスト入力",
    )
    assert _rows(nurse, pid) == 0
    assert list_kept.count(nurse.register.conn) == others  # nobody else's


def test_a_dose_voided_drops_the_persons_rows(nurse: Session) -> None:
    pid, vid = _kept_with_dose(nurse)
    results.void(nurse, vid, "入力誤りのため取消")
    assert _rows(nurse, pid) == 0


def test_a_dose_corrected_drops_the_persons_rows(nurse: Session) -> None:
    pid, vid = _kept_with_dose(nurse)
    on = nurse.register.conn.execute(
        "SELECT vaccinated_on FROM vaccinations WHERE id = ?", (vid,)
    ).fetchone()[0]
    moved = date.fromordinal(date.fromisoformat(on).toordinal() - 1)
    results.correct(nurse, vid, {"vaccinated_on": moved}, "接種日の訂正")
    assert _rows(nurse, pid) == 0


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("product_id", "other_product"),
        ("series_id", "other_series"),
        ("outcome", "postponed"),
        ("category", "voluntary"),
        ("vaccinated_on", "2001-01-01"),
        ("voided_at", "2026-11-27T10:00:00"),
    ],
)
def test_each_judged_dose_column_drops_the_persons_rows(
    nurse: Session, column: str, value: str
) -> None:
    conn = nurse.register.conn
    pid, vid = _kept_with_dose(nurse)
    with db.transaction(conn):
        conn.execute(f"UPDATE vaccinations SET {column} = ? WHERE id = ?", (value, vid))
    assert _rows(nurse, pid) == 0


def test_a_dose_moved_to_another_person_drops_both(nurse: Session) -> None:
    conn = nurse.register.conn
    pid, vid = _kept_with_dose(nurse)
    other = conn.execute(
        "SELECT person_id FROM list_kept WHERE person_id != ? LIMIT 1", (pid,)
    ).fetchone()[0]
    assert _rows(nurse, other) > 0
    with db.transaction(conn):
        conn.execute("UPDATE vaccinations SET person_id = ? WHERE id = ?", (other, vid))
    assert _rows(nurse, pid) == 0 and _rows(nurse, other) == 0


def test_a_dose_row_deleted_drops_the_persons_rows(nurse: Session) -> None:
    conn = nurse.register.conn
    pid, vid = _kept_with_dose(nurse)
    with db.transaction(conn):
        conn.execute("DELETE FROM vaccinations WHERE id = ?", (vid,))
    assert _rows(nurse, pid) == 0


def test_dose_columns_not_judged_leave_the_rows(nurse: Session) -> None:
    conn = nurse.register.conn
    pid, vid = _kept_with_dose(nurse)
    before = _rows(nurse, pid)
    with db.transaction(conn):
        conn.execute(
            "UPDATE vaccinations SET payment_month = '2026-12', lot_no = 'X1', doctor = 'd'"
            " WHERE id = ?",
            (vid,),
        )
        # every judged column set to its own value (an import rewriting the whole row)
        conn.execute(
            "UPDATE vaccinations SET person_id = person_id, series_id = series_id,"
            " product_id = product_id, outcome = outcome, category = category,"
            " vaccinated_on = vaccinated_on, voided_at = voided_at WHERE id = ?",
            (vid,),
        )
    assert _rows(nurse, pid) == before > 0


@pytest.mark.parametrize(("column", "value"), [("birth_date", "2020-01-01"), ("sex", "X")])
def test_a_birth_date_or_sex_changed_drops_the_persons_rows(
    nurse: Session, column: str, value: str
) -> None:
    conn = nurse.register.conn
    pid, _ = _kept_with_dose(nurse)
    if column == "sex":
        value = (
            "F"
            if conn.execute("SELECT sex FROM persons WHERE id = ?", (pid,)).fetchone()[0] != "F"
            else "M"
        )
    with db.transaction(conn):
        conn.execute(f"UPDATE persons SET {column} = ? WHERE id = ?", (value, pid))
    assert _rows(nurse, pid) == 0


def test_person_columns_not_judged_leave_the_rows(nurse: Session) -> None:
    conn = nurse.register.conn
    pid, _ = _kept_with_dose(nurse)
    before = _rows(nurse, pid)
    with db.transaction(conn):
        conn.execute(
            "UPDATE persons SET address = address || '1', birth_date = birth_date, sex = sex"
            " WHERE id = ?",
            (pid,),
        )
    assert _rows(nurse, pid) == before > 0


def test_a_person_deleted_takes_the_rows_along(nurse: Session) -> None:
    conn = nurse.register.conn
    pid, _ = _kept_with_dose(nurse)
    conn.execute("PRAGMA foreign_keys = OFF")  # (the person's other records stay: not tested)
    try:
        with db.transaction(conn):
            conn.execute("DELETE FROM persons WHERE id = ?", (pid,))
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    assert _rows(nurse, pid) == 0


def test_a_v12_register_upgrades_to_kept_judgements(tmp_path: Path) -> None:
    """Migration 0013 on the saved v12 register: list_complete (and its trigger) gone,
    list_kept, list_rules and the triggers made, data kept."""
    saved = Path(__file__).resolve().parents[1] / "fixtures" / "registers" / "v12"
    work = tmp_path / "register.vxdb"
    shutil.copyfile(saved / "register.vxdb", work)
    dek = bytes.fromhex((saved / "dek.hex").read_text().strip())
    conn = db.connect(work, dek)
    try:
        assert migrate.current_version(conn) == 12
        migrate.migrate(conn, db_path=work, dek=dek)
        names = {
            (t, n)
            for t, n in conn.execute(
                "SELECT type, name FROM sqlite_master WHERE name LIKE 'list_%'"
            )
        }
        assert ("table", "list_complete") not in names
        assert {("table", "list_kept"), ("table", "list_rules")} <= names
        triggers = {n for t, n in names if t == "trigger"}
        assert triggers == {
            "list_kept_person_deleted",
            "list_kept_person_judged",
            "list_kept_person_id",
            "list_kept_dose_added",
            "list_kept_dose_deleted",
            "list_kept_dose_changed",
        }
        assert conn.execute("SELECT atena_no FROM persons").fetchall() == [("0000000001",)]
        assert list_kept.count(conn) == 0
    finally:
        conn.close()
