"""`vaxdesk … --user NAME` with a wrong password (issue 12 item 7, left open for the CLI): the
warnings while tries run out, and the 5th failure reported as the lock (E_AUTH_LOCKED, Japanese,
with the time it ends), as the login dialog does, instead of as a wrong password."""

from __future__ import annotations

import re
from pathlib import Path

from app.cli import main
from app.security.lockout import MAX_FAILURES
from tests.support.registers import make_register, password


def _audit_verify(reg: Path) -> list[str]:
    return ["audit", "verify", "--register", str(reg), "--user", "auditor"]


def test_the_fifth_failed_cli_login_reports_the_lock_with_its_end(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    reg = tmp_path / "demo"
    make_register(reg, demo=True, with_people=False)  # the CLI uses the demo software key
    monkeypatch.setenv("VAXDESK_PASSWORD", "not-the-password")
    errors = []
    for _ in range(MAX_FAILURES - 1):
        assert main(_audit_verify(reg)) != 0
        errors.append(capsys.readouterr().err)
    assert all("E_AUTH_WRONG_PASSWORD: " in e and "E_AUTH_LOCKED" not in e for e in errors)
    assert "あと" not in errors[0]
    assert "あと2回失敗すると、このユーザーは15分間ロックされます。" in errors[2]
    assert "あと1回失敗すると" in errors[3]

    code = main(_audit_verify(reg))
    err = capsys.readouterr().err
    assert code != 0
    assert "E_AUTH_LOCKED: " in err and "E_AUTH_WRONG_PASSWORD" not in err
    assert f"{MAX_FAILURES}回失敗したため" in err and "までロックされています" in err
    assert re.search(r"R\d+\.\d\d\.\d\d \d\d:\d\d \(\d{4}-\d\d-\d\d\)", err)
    assert "not-the-password" not in err

    # Still locked with the right password, and said the same way.
    monkeypatch.setenv("VAXDESK_PASSWORD", password("auditor"))
    assert main(_audit_verify(reg)) != 0
    assert "E_AUTH_LOCKED: " in capsys.readouterr().err
