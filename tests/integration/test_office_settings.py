"""The office named on individual notices (issue 12 item 16): stored in the register (migration
0003), set by an administrator through the service or `vaxdesk settings office`, audited, and
required before any notice prints."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.errors import ConfigError, InvalidInput, PermissionDenied
from app.services import office, printing
from app.store import office as office_repo
from tests.support.registers import login_as, make_register, password

ON = date(2026, 6, 1)


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    directory = tmp_path / "reg"
    make_register(directory)
    return directory


def _audit(session, action: str) -> list[tuple[str, dict[str, Any]]]:
    rows = session.register.conn.execute(
        "SELECT outcome, detail FROM audit_log WHERE action = ? ORDER BY seq", (action,)
    ).fetchall()
    return [(o, json.loads(d)) for o, d in rows]


def test_notices_refuse_to_print_without_the_office(reg: Path, tmp_path: Path) -> None:
    clerk = login_as(reg, "clerk")
    try:
        with pytest.raises(ConfigError) as err:
            printing.print_notices(clerk, "dpt_ipv", tmp_path / "n.pdf", on=ON)
        assert err.value.code == "E_OFFICE_NOT_SET"
        assert "窓口" in err.value.message_ja and "電話番号" in err.value.message_ja
        assert not list(tmp_path.glob("n*.pdf"))
        count = clerk.register.conn.execute("SELECT count(*) FROM issuances").fetchone()[0]
        assert count == 0
    finally:
        clerk.register.close()


def test_administrator_sets_the_office_and_it_is_audited(reg: Path) -> None:
    admin = login_as(reg, "admin")
    try:
        assert office.current(admin) is None
        saved = office.set_office(
            admin, "テスト市　保健センター", "テスト市本町１－１", "０３-１２３４-５６７８"
        )
        assert (saved.name, saved.address, saved.phone) == (
            "テスト市 保健センター",
            "テスト市本町1-1",
            "03-1234-5678",
        )
        assert office.current(admin) == saved
        office.set_office(admin, "テスト市 保健センター", "テスト市本町1-1", "03-1234-9999")
        assert [d for _, d in _audit(admin, "settings.office")] == [
            {"changed": ["name", "address", "phone"]},
            {"changed": ["phone"]},
        ]
    finally:
        admin.register.close()


@pytest.mark.parametrize(
    ("name", "address", "phone", "code"),
    [
        ("", "テスト市本町1-1", "03-1234-5678", "E_OFFICE_NAME"),
        ("保健センター", "   ", "03-1234-5678", "E_OFFICE_ADDRESS"),
        ("保健センター", "テスト市本町1-1", "", "E_OFFICE_PHONE"),
        ("保健センター", "テスト市本町1-1", "1234", "E_OFFICE_PHONE"),
        ("保健センター", "テスト市本町1-1", "03-1234-5678 内線", "E_OFFICE_PHONE"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(reg, name, address, phone, code) -> None:
    admin = login_as(reg, "admin")
    try:
        with pytest.raises(InvalidInput) as err:
            office.set_office(admin, name, address, phone)
        assert err.value.code == code
        assert office_repo.get_office(admin.register.conn) is None
    finally:
        admin.register.close()


def test_only_administrators_may_change_the_office(reg: Path) -> None:
    clerk = login_as(reg, "clerk")
    try:
        with pytest.raises(PermissionDenied):
            office.set_office(clerk, "窓口", "テスト市本町1-1", "03-1234-5678")
        assert office_repo.get_office(clerk.register.conn) is None
        assert _audit(clerk, "settings.office") == [("denied", {"needs": "settings.manage"})]
    finally:
        clerk.register.close()


def test_the_settings_office_command(tmp_path: Path, monkeypatch, capsys) -> None:
    reg = tmp_path / "demo"
    make_register(reg, demo=True)  # the CLI uses the demo software key
    monkeypatch.setenv("VAXDESK_PASSWORD", password("admin"))
    argv = [
        "settings",
        "office",
        "--register",
        str(reg),
        "--user",
        "admin",
        "--name",
        "テスト市 保健センター",
        "--address",
        "テスト市本町1-1",
        "--phone",
        "03-1234-5678",
    ]
    assert main(argv) == 0
    assert "窓口を設定しました" in capsys.readouterr().out
    monkeypatch.setenv("VAXDESK_PASSWORD", password("clerk"))
    argv[5] = "clerk"
    assert main(argv) != 0
    assert "E_PERMISSION" in capsys.readouterr().err
    admin = login_as(reg, "admin")
    try:
        current = office.current(admin)
        assert current is not None
        assert current.phone == "03-1234-5678"
    finally:
        admin.register.close()
