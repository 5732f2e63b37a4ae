"""The `vaxdesk` command: id check, audit verify (tamper detection), backup and restore."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.cli import main
from app.store.layout import RegisterLayout
from tests.support.registers import login_as, make_register, password


@pytest.fixture
def reg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_register(tmp_path / "reg", demo=True)
    monkeypatch.setenv("VAXDESK_PASSWORD", password("admin"))
    return tmp_path / "reg"


def _admin(reg: Path) -> list[str]:
    return ["--register", str(reg), "--user", "admin"]


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["mynumber", "123456789018"], 0),
        (["mynumber", "123456789012"], 1),
        (["mynumber", "12345"], 1),
        (["municipality", "192015"], 0),
        (["municipality", "192016"], 1),
        (["municipality", "131041"], 0),
    ],
)
def test_id_check(argv: list[str], code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["id", "check", *argv]) == code
    err = capsys.readouterr().err
    if code:
        assert err.startswith("E_") and argv[1] not in err
    else:
        assert err == ""


def test_audit_verify_intact(reg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify", *_admin(reg)]) == 0
    assert "正常" in capsys.readouterr().out


def _tamper(reg: Path, recovery: str, seq: int, column: str) -> None:
    from app.services.recovery import open_with_recovery_code

    access = open_with_recovery_code(reg, recovery)
    conn = access.register.conn
    # An insider with the key bypasses the append-only triggers: the chain must still tell.
    conn.execute("DROP TRIGGER audit_log_no_update")
    value = conn.execute(f"SELECT {column} FROM audit_log WHERE seq = ?", (seq,)).fetchone()[0]
    if isinstance(value, bytes):
        changed: object = bytes([value[0] ^ 1]) + value[1:]
    elif isinstance(value, int):
        changed = value + 1
    elif value is None:
        changed = 1
    else:
        changed = value[:-1] + chr(ord(value[-1]) ^ 1)
    conn.execute(f"UPDATE audit_log SET {column} = ? WHERE seq = ?", (changed, seq))
    access.register.close()


@pytest.mark.parametrize(
    "column",
    [
        "at",
        "user_id",
        "terminal_id",
        "action",
        "outcome",
        "person_id",
        "detail",
        "entry_hash",
        "prev_hash",
    ],
)
def test_audit_verify_detects_one_changed_field(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    column: str,
) -> None:
    reg = tmp_path / "reg"
    recovery = make_register(reg, demo=True)
    monkeypatch.setenv("VAXDESK_PASSWORD", password("admin"))
    _tamper(reg, recovery, 3, column)
    assert main(["audit", "verify", *_admin(reg)]) == 1
    assert "記録番号 3" in capsys.readouterr().err


def test_audit_log_refuses_update_and_delete(reg: Path) -> None:
    import sqlcipher3

    session = login_as(reg, "admin")
    try:
        with pytest.raises(sqlcipher3.IntegrityError):
            session.register.conn.execute("UPDATE audit_log SET action = 'x' WHERE seq = 1")
        with pytest.raises(sqlcipher3.IntegrityError):
            session.register.conn.execute("DELETE FROM audit_log")
    finally:
        session.register.close()


def test_backup_and_restore_round_trip(reg: Path, tmp_path: Path) -> None:
    out = tmp_path / "backup.vxdb"
    assert main(["backup", *_admin(reg), "--out", str(out)]) == 0
    assert not out.read_bytes().startswith(b"SQLite format 3")
    assert (tmp_path / "backup.vxdb.keyslots.json").exists()
    assert main(["backup", *_admin(reg), "--out", str(out)]) != 0  # never overwrites
    live = RegisterLayout(reg).database
    assert main(["restore", str(out), *_admin(reg)]) == 0
    kept = list(reg.glob("register.vxdb.before-restore-*"))
    assert len(kept) == 1
    assert main(["audit", "verify", *_admin(reg)]) == 0
    assert live.exists()


def test_restore_rejects_a_damaged_backup_and_changes_nothing(
    reg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "backup.vxdb"
    assert main(["backup", *_admin(reg), "--out", str(out)]) == 0
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0xFF
    out.write_bytes(bytes(data))
    live = RegisterLayout(reg).database
    assert main(["restore", str(out), *_admin(reg)]) != 0
    assert "E_RESTORE_REJECTED" in capsys.readouterr().err
    assert not list(reg.glob("register.vxdb.before-restore-*"))
    before = hashlib.sha256(live.read_bytes()).hexdigest()
    assert main(["audit", "verify", *_admin(reg)]) == 0
    assert before  # the register still opens and verifies after the refused restore


def test_restore_rejects_another_registers_backup(tmp_path: Path, reg: Path) -> None:
    other = tmp_path / "other"
    make_register(other, with_people=False, demo=True)
    out = tmp_path / "other-backup.vxdb"
    assert main(["backup", "--register", str(other), "--user", "admin", "--out", str(out)]) == 0
    assert main(["restore", str(out), *_admin(reg)]) != 0


def test_wrong_password_exit_code(
    reg: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VAXDESK_PASSWORD", "wrong")
    assert main(["audit", "verify", *_admin(reg)]) == 77
    assert "E_AUTH_WRONG_PASSWORD" in capsys.readouterr().err


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["--help"],
        ["demo", "--help"],
        ["gui", "--help"],
        ["init", "--help"],
        ["id", "check", "--help"],
        ["schedule", "--help"],
        ["recover", "--help"],
        ["backup", "--help"],
        ["restore", "--help"],
        ["audit", "verify", "--help"],
    ):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == 0
        assert "usage: vaxdesk" in capsys.readouterr().out


def test_gui_needs_an_existing_register(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gui", "--register", str(tmp_path / "none")]) == 78
    assert "E_REGISTER_MISSING" in capsys.readouterr().err
    assert not (tmp_path / "none").exists()  # nothing is created


def test_recover_rebinds_a_reimaged_demo_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    reg = tmp_path / "reg"
    code = make_register(reg, demo=True)
    (reg / "demo-keyring.json").unlink()  # the terminal secret is gone (reimaged PC)
    monkeypatch.setenv("VAXDESK_PASSWORD", password("admin"))
    assert main(["audit", "verify", *_admin(reg)]) == 77
    monkeypatch.setenv("VAXDESK_RECOVERY_CODE", "0" * 30)
    assert main(["recover", "--register", str(reg), "--admin", "admin"]) == 77
    assert "E_RECOVERY_CODE_WRONG" in capsys.readouterr().err
    monkeypatch.setenv("VAXDESK_RECOVERY_CODE", code)
    monkeypatch.setenv("VAXDESK_PASSWORD", "a-new-admin-password")
    assert main(["recover", "--register", str(reg), "--admin", "admin"]) == 0
    assert main(["audit", "verify", *_admin(reg)]) == 0
    assert "正常" in capsys.readouterr().out


def test_unexpected_errors_print_no_message_or_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import app.commands.ids as ids

    def boom(args: object) -> int:
        raise RuntimeError("山田 太郎 123456789018")  # what an internal message might carry

    monkeypatch.setattr(ids, "run_check", boom)
    assert main(["id", "check", "mynumber", "1"]) == 70
    err = capsys.readouterr().err
    assert err.startswith("E_INTERNAL") and "RuntimeError" in err
    assert "山田" not in err and "123456789018" not in err and "Traceback" not in err


def test_init_needs_a_hardware_key_and_creates_nothing_without_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VAXDESK_PASSWORD", "a-long-admin-password")
    target = tmp_path / "new-register"
    argv = [
        "init",
        "--register",
        str(target),
        "--admin",
        "admin",
        "--name",
        "管理 太郎",
        "--staff-no",
        "90001",
        "--municipality-code",
        "192015",
    ]
    assert main(argv) == 77  # this machine has no USB key and no Windows Hello
    assert "E_FIDO_NO_DEVICE" in capsys.readouterr().err
    assert not RegisterLayout(target).exists()
    assert main([*argv[:-1], "192016"]) == 65  # a wrong check digit is refused first
    assert "E_MUNICIPALITY_CHECK_DIGIT" in capsys.readouterr().err
    monkeypatch.setenv("VAXDESK_PASSWORD", "short")
    assert main(argv) == 65
    assert "E_PASSWORD_TOO_SHORT" in capsys.readouterr().err


def test_catalog_import_shows_the_difference_and_applies_only_with_yes(
    reg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from app.paths import resource_path

    data = json.loads(resource_path("catalog", "catalog.json").read_text("utf-8"))
    data["series"][0]["name_ja"] = "訂正後の名称"
    source = tmp_path / "fix.json"
    source.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert main(["catalog", "import", str(source), *_admin(reg)]) == 1
    out = capsys.readouterr().out
    assert "変更 series" in out and "訂正後の名称" in out and "適用していません" in out
    assert main(["catalog", "history", *_admin(reg)]) == 0
    assert "取り込んだ版はありません" in capsys.readouterr().out
    assert main(["catalog", "import", str(source), "--yes", *_admin(reg)]) == 0
    assert "版 1" in capsys.readouterr().out
    assert main(["catalog", "history", *_admin(reg)]) == 0
    assert "（使用中）" in capsys.readouterr().out
