"""Issue 12 item 13: `vaxdesk demo --reset` rebuilds the demo register; it never deletes a real
register or a folder that is not a register."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.security.keyslots import KeySlotFile
from app.services.demo import (
    NotADemoRegister,
    create_demo_register,
    demo_password,
    reset_demo_register,
)
from app.services.register import login
from app.store.layout import RegisterLayout
from tests.support.registers import make_register


def _register_id(directory: Path) -> str:
    return KeySlotFile.load(RegisterLayout(directory).keyslots).register_id


def test_reset_builds_a_fresh_demo_register(tmp_path: Path) -> None:
    directory = tmp_path / "demo"
    create_demo_register(directory, persons=40, seed=1)
    before = _register_id(directory)
    info = reset_demo_register(directory, persons=30, seed=2)
    assert info.persons == 30 and _register_id(directory) != before
    session = login(directory, "clerk", demo_password("clerk"))  # same users and passwords
    session.register.close()


def test_reset_creates_a_missing_demo_register(tmp_path: Path) -> None:
    info = reset_demo_register(tmp_path / "new", persons=20)
    assert info.persons == 20 and RegisterLayout(tmp_path / "new").exists()


def test_reset_refuses_a_real_register_and_other_folders(tmp_path: Path) -> None:
    real = tmp_path / "real"
    make_register(real, with_people=False)
    files = sorted((p.name, p.stat().st_size) for p in real.iterdir())
    with pytest.raises(NotADemoRegister) as refused:
        reset_demo_register(real, persons=10)
    assert refused.value.code == "E_DEMO_RESET_NOT_DEMO"
    assert sorted((p.name, p.stat().st_size) for p in real.iterdir()) == files
    other = tmp_path / "documents"
    other.mkdir()
    (other / "note.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(NotADemoRegister):
        reset_demo_register(other, persons=10)
    assert (other / "note.txt").read_text(encoding="utf-8") == "keep me"
