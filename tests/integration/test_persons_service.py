"""Person search and view through the services, with permissions, masking and audit."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import InvalidInput, PermissionDenied
from app.services import persons
from tests.support.registers import login_as, make_register


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    make_register(tmp_path / "reg")
    return tmp_path / "reg"


def _session(reg: Path, user: str):
    return login_as(reg, user)


@pytest.mark.parametrize(
    ("query", "mode", "atena"),
    [
        ("ヤマダ", "kana", ["0000000001", "0000000002"]),
        ("やまだ", "kana", ["0000000001", "0000000002"]),
        ("ﾔﾏﾀﾞ ﾀ", "kana", ["0000000001"]),
        ("ヤマ", "kana", ["0000000001", "0000000002", "0000000003"]),
        ("ジヨウ", "kana", ["0000000005"]),
        ("0000000003", "atena", ["0000000003"]),
        ("０００００００００４", "atena", ["0000000004"]),
        ("R2.4.1", "birth", ["0000000004"]),
        ("令和2年4月1日", "birth", ["0000000004"]),
        ("20200401", "birth", ["0000000004"]),
        ("2025-05-10", "birth", ["0000000001"]),
        ("ヤマダ 1990-04-01", "kana_birth", ["0000000002"]),
    ],
)
def test_search_modes(reg: Path, query: str, mode: str, atena: list[str]) -> None:
    session = _session(reg, "clerk")
    try:
        result = persons.search(session, query)
    finally:
        session.register.close()
    assert result.mode == mode
    assert sorted(p.atena_no for p in result.people) == atena


@pytest.mark.parametrize("query", ["", "   ", "abc!?", "R7.13.40"])
def test_bad_queries_are_refused_with_codes(reg: Path, query: str) -> None:
    session = _session(reg, "clerk")
    try:
        with pytest.raises(InvalidInput) as err:
            persons.search(session, query)
    finally:
        session.register.close()
    assert err.value.code in {"E_SEARCH_EMPTY", "E_SEARCH_UNRECOGNISED"}


def test_view_has_household_guardian_and_is_audited(reg: Path) -> None:
    session = _session(reg, "clerk")
    try:
        found = persons.search(session, "0000000001").people[0]
        detail = persons.open_person(session, found.person_id)
        last = session.register.conn.execute(
            "SELECT action, person_id, detail FROM audit_log ORDER BY seq DESC LIMIT 2"
        ).fetchall()
    finally:
        session.register.close()
    assert detail.summary.name == "山田 太郎"
    assert detail.guardian is not None and detail.guardian.name == "山田 花子"
    assert [m.relationship for m in detail.household] == ["世帯主"]
    assert last[0][:2] == ("person.view", found.person_id)
    assert last[1][0] == "person.search"
    assert "ヤマダ" not in last[1][2] and "0000000001" not in last[1][2]


def test_auditor_sees_masked_names_and_no_address(reg: Path) -> None:
    session = _session(reg, "auditor")
    try:
        person = persons.search(session, "ヤマダ タ").people[0]
    finally:
        session.register.close()
    assert person.name == "山＊\u3000太＊"
    assert "テスト市" not in person.address


def test_admin_cannot_search_and_refusal_is_audited(reg: Path) -> None:
    session = _session(reg, "admin")
    try:
        with pytest.raises(PermissionDenied):
            persons.search(session, "ヤマダ")
        row = session.register.conn.execute(
            "SELECT action, outcome FROM audit_log ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    finally:
        session.register.close()
    assert row == ("person.search", "denied")


def test_atena_mode_keeps_an_eight_digit_number_a_number(reg: Path) -> None:
    session = _session(reg, "clerk")
    try:
        assert persons.search(session, "20200401").mode == "birth"
        forced = persons.search(session, "00000000", mode="atena")
        with pytest.raises(InvalidInput):
            persons.search(session, "ヤマダ", mode="atena")
    finally:
        session.register.close()
    assert forced.mode == "atena" and len(forced.people) == 5
