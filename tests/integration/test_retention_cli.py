"""`vaxdesk retention show|purge`: counts by kind, no purge without --yes, error codes first on
stderr, a refused role changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.domain.kana import normalize_kana
from app.services.recovery import open_with_recovery_code
from app.store import db, persons
from tests.support.builder import RegisterBuilder
from tests.support.registers import login_as, make_register, password


@pytest.fixture
def reg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "reg"
    code = make_register(directory, demo=True)
    access = open_with_recovery_code(directory, code)
    conn = access.register.conn
    build = RegisterBuilder(conn)
    with db.transaction(conn):
        gone = build.person(
            persons.NewPerson(
                atena_no="0000000901",
                name="消去 対象子",
                name_kana="ショウキョ",
                kana_key=normalize_kana("ショウキョ"),
                sex="F",
                birth_date="2008-05-01",
                address="テスト市消去町1",
            )
        )
        build.die(gone, "2010-04-01")
        build.vaccination(gone, series_id="mr1", vaccinated_on="2009-05-01")
    access.register.close()
    monkeypatch.setenv("VAXDESK_PASSWORD", password("admin"))
    return directory


def _args(reg: Path, user: str = "admin") -> list[str]:
    return ["--register", str(reg), "--user", user]


def _persons(reg: Path) -> int:
    s = login_as(reg, "admin")
    try:
        return int(s.register.conn.execute("SELECT count(*) FROM persons").fetchone()[0])
    finally:
        s.register.close()


def test_show_prints_counts_by_kind_and_no_names(
    reg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["retention", "show", "--json", *_args(reg)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["counts"]["person"] == 1 and out["counts"]["vaccination"] == 1
    assert out["policy"]["vaccination_years"] == 5
    assert main(["retention", "show", *_args(reg)]) == 0
    text = capsys.readouterr().out
    assert "住民（転出・死亡）: 1 件" in text and "消去 対象子" not in text


def test_purge_needs_yes(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _persons(reg)
    assert main(["retention", "purge", *_args(reg)]) == 1
    assert "消去していません" in capsys.readouterr().out
    assert _persons(reg) == before
    assert main(["retention", "purge", "--yes", *_args(reg)]) == 0
    assert "2 件を消去しました" in capsys.readouterr().out
    assert _persons(reg) == before - 1


def test_errors_print_their_code_first(
    reg: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["retention", "show", "--on", "2999-01-01", *_args(reg)]) == 65
    assert capsys.readouterr().err.startswith("E_RETENTION_DATE: ")
    assert main(["retention", "show", "--on", "yesterday", *_args(reg)]) == 65
    assert capsys.readouterr().err.startswith("E_RETENTION_DATE: ")
    monkeypatch.setenv("VAXDESK_PASSWORD", password("nurse"))
    before = _persons(reg)
    assert main(["retention", "purge", "--yes", *_args(reg, "nurse")]) == 77
    assert capsys.readouterr().err.splitlines()[-1].startswith("E_PERMISSION: ")
    assert _persons(reg) == before
