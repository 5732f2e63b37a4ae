"""The synthetic demo register: deterministic, valid identifiers, families, histories, users."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.domain.ids import is_valid_mynumber, validate_municipality_code
from app.domain.kana import kana_prefix_range
from app.domain.legaldate import age_reached
from app.security import kdf
from app.security.person_numbers import NumberCipher
from app.security.session import Session
from app.services import persons as person_service
from app.services.demo import (
    DEMO_USERS,
    DemoInfo,
    create_demo_register,
    demo_password,
    demo_users,
)
from app.services.recovery import open_with_recovery_code
from app.services.register import login
from app.services.register_create import create_register
from app.store.db import Connection
from tests.conftest import FAST_ARGON2

PERSONS = 600
TODAY = date(2026, 11, 27)
CATALOG = Path(__file__).resolve().parents[2] / "resources" / "catalog" / "catalog.json"


def _catalog_series() -> set[str]:
    data = json.loads(CATALOG.read_text("utf-8"))
    return {s["id"] for s in data["series"]}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, DemoInfo]]:
    # Module scope: built once. The autouse fixtures are function-scoped, so the low Argon2 cost is
    # set here too; a demo register keeps its terminal secret in its own folder, not the keyring.
    previous = kdf.default_params()
    kdf.set_default_params(FAST_ARGON2)
    try:
        directory = tmp_path_factory.mktemp("demo") / "register"
        info = create_demo_register(directory, persons=PERSONS, seed=7, today=TODAY)
        yield directory, info
    finally:
        kdf.set_default_params(previous)


@pytest.fixture
def admin_view(demo: tuple[Path, DemoInfo]) -> Iterator[tuple[Connection, bytes]]:
    directory, info = demo
    access = open_with_recovery_code(directory, info.recovery_code)
    assert access.nk is not None
    yield access.register.conn, access.nk
    access.register.close()


@pytest.fixture
def clerk(demo: tuple[Path, DemoInfo]) -> Iterator[Session]:
    session = login(demo[0], "clerk", demo_password("clerk"))
    yield session
    session.register.close()


def _rows(conn: Connection, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    # the values as sqlite gives them (the connection's rows are untyped)
    return [tuple(r) for r in conn.execute(sql, params).fetchall()]


def test_counts_and_audit_entry(
    demo: tuple[Path, DemoInfo], admin_view: tuple[Connection, bytes]
) -> None:
    _, info = demo
    conn, _ = admin_view
    assert info.persons == PERSONS
    assert _rows(conn, "SELECT count(*) FROM persons") == [(PERSONS,)]
    assert _rows(conn, "SELECT count(*) FROM vaccinations") == [(info.vaccinations,)]
    assert _rows(conn, "SELECT count(*) FROM households") == [(info.households,)]
    assert info.vaccinations > 3 * PERSONS
    (detail,) = _rows(conn, "SELECT detail FROM audit_log WHERE action = 'demo.generate'")[0]
    counts = json.loads(str(detail))
    assert counts["persons"] == PERSONS and counts["vaccinations"] == info.vaccinations
    meta = dict(_rows(conn, "SELECT key, value FROM meta"))
    assert meta["atena_width"] == "10" and meta["municipality_name"] == "デモ市"
    assert validate_municipality_code(str(meta["municipality_code"]))
    widths = _rows(conn, "SELECT DISTINCT length(atena_no) FROM persons")
    assert widths == [(10,)]
    assert _rows(conn, "PRAGMA integrity_check") == [("ok",)]
    names = {r[0] for r in _rows(conn, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"persons_kana", "persons_birth", "vaccinations_series"} <= names


def test_same_seed_same_register(
    tmp_path: Path, demo: tuple[Path, DemoInfo], admin_view: tuple[Connection, bytes]
) -> None:
    conn, _ = admin_view
    again = create_demo_register(tmp_path / "again", persons=PERSONS, seed=7, today=TODAY)
    other = open_with_recovery_code(tmp_path / "again", again.recovery_code)
    try:
        sql = "SELECT atena_no, name, birth_date FROM persons ORDER BY id LIMIT 50"
        assert _rows(other.register.conn, sql) == _rows(conn, sql)
        assert (again.persons, again.vaccinations, again.households) == (
            demo[1].persons,
            demo[1].vaccinations,
            demo[1].households,
        )
    finally:
        other.register.close()


def test_my_numbers_decrypt_validate_and_are_found_by_blind_index(
    admin_view: tuple[Connection, bytes],
) -> None:
    conn, nk = admin_view
    cipher = NumberCipher(nk)
    rows = _rows(
        conn,
        "SELECT p.uid, n.number_ct, n.blind_index FROM person_numbers n"
        " JOIN persons p ON p.id = n.person_id",
    )
    assert len(rows) == PERSONS
    numbers = set()
    for uid, ct, blind in rows:
        number = cipher.decrypt(bytes(uid), bytes(ct))
        assert len(number) == 12 and is_valid_mynumber(number)
        assert cipher.blind_index(number) == bytes(blind)
        numbers.add(number)
    assert len(numbers) == PERSONS
    probe = sorted(numbers)[PERSONS // 2]
    found = _rows(
        conn,
        "SELECT count(*) FROM person_numbers WHERE blind_index = ?",
        (cipher.blind_index(probe),),
    )
    assert found == [(1,)]


def test_children_have_a_guardian_in_their_household(admin_view: tuple[Connection, bytes]) -> None:
    conn, _ = admin_view
    children = _rows(
        conn,
        "SELECT c.id, c.birth_date, c.household_id, g.household_id, g.birth_date"
        " FROM persons c LEFT JOIN persons g ON g.id = c.guardian_id",
    )
    checked = 0
    for _pid, born, household, g_household, g_born in children:
        if age_reached(date.fromisoformat(str(born)), 15) > TODAY:
            assert g_household is not None and g_household == household
            assert str(g_born) < str(born)
            checked += 1
    assert checked > PERSONS * 0.08


def test_age_pyramid(admin_view: tuple[Connection, bytes]) -> None:
    conn, _ = admin_view
    ages = [
        (TODAY - date.fromisoformat(str(b))).days / 365.2425
        for (b,) in _rows(conn, "SELECT birth_date FROM persons")
    ]
    assert min(ages) < 1 and max(ages) > 95
    assert all(0 <= a < 107 for a in ages)
    share_65 = sum(a >= 65 for a in ages) / len(ages)
    share_under_15 = sum(a < 15 for a in ages) / len(ages)
    assert 0.24 <= share_65 <= 0.34
    assert 0.08 <= share_under_15 <= 0.16


def test_vaccinations_are_valid_series_after_birth_and_not_in_future(
    admin_view: tuple[Connection, bytes],
) -> None:
    conn, _ = admin_view
    rows = _rows(
        conn,
        "SELECT v.series_id, v.vaccinated_on, p.birth_date, v.outcome, v.lot_no"
        " FROM vaccinations v JOIN persons p ON p.id = v.person_id",
    )
    series = _catalog_series()
    for series_id, on, born, outcome, lot in rows:
        assert series_id in series
        assert str(born) < str(on) <= TODAY.isoformat()
        assert (lot is None) == (outcome == "postponed")
    seen = {r[0] for r in rows}
    assert {"hepb", "dpt_ipv", "hib", "pcv", "mr1", "flu65"} <= seen
    assert any(r[3] == "postponed" for r in rows)
    five_in_one = _rows(
        conn,
        "SELECT series_id, count(*) FROM vaccinations WHERE product_id = 'dpt_ipv_hib'"
        " GROUP BY series_id ORDER BY series_id",
    )
    assert [r[0] for r in five_in_one] == ["dpt_ipv", "hib"]
    assert five_in_one[0][1] == five_in_one[1][1]


def test_each_demo_user_logs_in_and_only_number_holds_the_key(
    demo: tuple[Path, DemoInfo],
) -> None:
    holds = {}
    for login_name, _name, _staff in DEMO_USERS:
        session = login(demo[0], login_name, demo_password(login_name))
        try:
            assert session.roles == frozenset({login_name})
            holds[login_name] = session.holds_number_key
        finally:
            session.register.close()
    assert holds == {
        "admin": False,
        "clerk": False,
        "nurse": False,
        "number": True,
        "auditor": False,
    }


def test_search_by_kana_atena_and_birth_date(
    clerk: Session, admin_view: tuple[Connection, bytes]
) -> None:
    conn, _ = admin_view
    (pid, atena, key, born) = _rows(
        conn, "SELECT id, atena_no, kana_key, birth_date FROM persons WHERE id = ?", (PERSONS // 3,)
    )[0]
    prefix = str(key)[:3]
    by_kana = person_service.search(clerk, prefix)
    assert by_kana.mode == "kana" and by_kana.people
    low, high = kana_prefix_range(prefix)
    expected = _rows(
        conn, "SELECT count(*) FROM persons WHERE kana_key >= ? AND kana_key < ?", (low, high)
    )[0][0]
    assert len(by_kana.people) == min(int(expected), person_service.SEARCH_LIMIT)
    by_atena = person_service.search(clerk, str(atena))
    assert [p.person_id for p in by_atena.people] == [pid]
    by_birth = person_service.search(clerk, str(born))
    assert by_birth.mode == "birth" and pid in {p.person_id for p in by_birth.people}
    assert all(p.birth_date == date.fromisoformat(str(born)) for p in by_birth.people)


def test_file_is_encrypted(demo: tuple[Path, DemoInfo]) -> None:
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(demo[0] / "register.vxdb").execute("SELECT 1 FROM persons").fetchone()


def test_bulk_build_restores_the_schema_and_durability(
    tmp_path: Path, admin_view: tuple[Connection, bytes]
) -> None:
    conn, _ = admin_view
    fresh = create_register(tmp_path / "fresh", admin=demo_users()[0], demo=True)
    other = open_with_recovery_code(tmp_path / "fresh", fresh.recovery_code)
    try:
        sql = (
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'table', 'trigger')"
        )
        assert sorted(_rows(conn, sql), key=str) == sorted(_rows(other.register.conn, sql), key=str)
    finally:
        other.register.close()
    assert _rows(conn, "PRAGMA journal_mode") == [("wal",)]
    assert _rows(conn, "PRAGMA synchronous") == [(2,)]  # FULL
