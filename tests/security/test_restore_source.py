"""Issue 11 item 6: restore verifies and installs one private copy of the backup.

It used to check the source file and then copy the source again: a file swapped in between (or a
symbolic link pointed elsewhere) replaced the register unchecked.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.errors import RegisterError
from app.services import maintenance
from app.store.backup_check import CopyReport, inspect_copy
from app.store.layout import RegisterLayout
from tests.support.registers import login_as, make_register


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    make_register(tmp_path / "reg", with_people=False)
    return tmp_path / "reg"


def _backup(reg: Path, out: Path) -> Path:
    session = login_as(reg, "admin")
    try:
        maintenance.backup(session, out)
    finally:
        session.register.close()
    return out


def test_a_source_swapped_after_the_check_is_not_installed(
    reg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = _backup(reg, tmp_path / "good.vxdb")
    good_digest = _digest(good)
    source = tmp_path / "source.vxdb"
    source.write_bytes(good.read_bytes())

    def check_then_swap(path: Path, dek: bytes) -> CopyReport:
        report = inspect_copy(path, dek)
        source.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4080)  # swapped after the check
        return report

    monkeypatch.setattr(maintenance, "inspect_copy", check_then_swap)
    session = login_as(reg, "admin")
    maintenance.restore(session, source)
    live = RegisterLayout(reg).database
    # the checked bytes are what was installed (the restore then appends its audit entry)
    assert _digest(live) != _digest(source)
    after = login_as(reg, "admin")  # the register opens: the swapped file was not installed
    try:
        actions = [r[0] for r in after.register.conn.execute("SELECT action FROM audit_log")]
    finally:
        after.register.close()
    assert "register.restore" in actions
    assert good_digest == _digest(good)


def test_a_symbolic_link_source_is_refused(reg: Path, tmp_path: Path) -> None:
    good = _backup(reg, tmp_path / "good.vxdb")
    link = tmp_path / "link.vxdb"
    link.symlink_to(good)
    live = RegisterLayout(reg).database
    session = login_as(reg, "admin")
    try:
        with pytest.raises(RegisterError) as err:
            maintenance.restore(session, link)
    finally:
        session.register.close()
    assert err.value.code == "E_RESTORE_REJECTED"
    assert live.exists()
    assert not list(reg.glob("register.vxdb.before-restore-*"))
    assert not list(reg.glob(".register.vxdb.restore-*"))  # no temporary copy left behind
    after = login_as(reg, "admin")
    try:
        rows = after.register.conn.execute(
            "SELECT outcome FROM audit_log WHERE action = 'register.restore'"
        ).fetchall()
    finally:
        after.register.close()
    assert rows == [("failed",)]  # the refusal is audited


def test_a_refused_copy_leaves_no_temporary_file(reg: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.vxdb"
    bad.write_bytes(b"not a register" * 100)
    session = login_as(reg, "admin")
    try:
        with pytest.raises(RegisterError):
            maintenance.restore(session, bad)
    finally:
        session.register.close()
    assert not list(reg.glob(".register.vxdb.restore-*"))
