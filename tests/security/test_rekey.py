"""鍵の更新 (issue 11 item 4): the register moves to a new DEK, every slot still opens it (the
holders were not present), the old DEK opens nothing, and a SIGKILL at any point leaves a register
that opens with either the old or the new DEK."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.errors import PermissionDenied
from app.services import key_rotation, person_numbers, persons, users_admin
from app.services.recovery import open_with_recovery_code
from app.store import db, rekey
from app.store.layout import RegisterLayout
from tests.support.registers import USERS, login_as, make_register

NUMBER = "123456789018"
ROOT = Path(__file__).resolve().parents[2]


def _enter_number(reg: Path) -> int:
    number = login_as(reg, "number")
    try:
        taro = persons.search(number, "0000000001").people[0].person_id
        person_numbers.set_number(number, taro, NUMBER)
        return taro
    finally:
        number.register.close()


def _everyone_opens(reg: Path, taro: int | None) -> None:
    for login in USERS:
        session = login_as(reg, login)
        try:
            if login == "number" and taro is not None:
                assert person_numbers.reveal_number(session, taro, "inquiry").number == NUMBER
                assert person_numbers.find_person(session, NUMBER) == taro
        finally:
            session.register.close()


def _actions(conn: db.Connection) -> list[tuple[str, str]]:
    rows = conn.execute("SELECT action, outcome, detail FROM audit_log ORDER BY seq").fetchall()
    return [(str(a), json.loads(d or "{}").get("phase", o)) for a, o, d in rows]


def test_rekey_switches_the_dek_and_every_slot_follows(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    code = make_register(reg)
    taro = _enter_number(reg)
    admin = login_as(reg, "admin")
    old_dek = admin.register.dek
    seen: list[float] = []
    try:
        result = key_rotation.rekey_register(admin, progress=lambda f, text: seen.append(f))
        assert result.slots == 6  # five users and the recovery slot
        assert admin.register.dek != old_dek
        assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
        assert _actions(admin.register.conn)[-2:] == [
            ("register.rekey", "started"),
            ("register.rekey", "switched"),
        ]
        # the session goes on on the new file
        assert len(users_admin.access_review(admin)) == len(USERS)
    finally:
        admin.register.close()
    with pytest.raises(db.RegisterDamaged):
        db.connect(RegisterLayout(reg).database, old_dek, readonly=True)
    assert not key_rotation.temp_path(RegisterLayout(reg)).exists()
    _everyone_opens(reg, taro)
    slots = json.loads((reg / "keyslots.json").read_text("utf-8"))["slots"]
    assert all(not s.get("deliveries") for s in slots if s["kind"] == "user")  # settled
    access = open_with_recovery_code(reg, code)
    try:
        assert access.register.dek != old_dek
    finally:
        access.register.close()


def test_rekey_is_refused_while_another_session_has_the_register_open(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    make_register(reg, with_people=False)
    admin = login_as(reg, "admin")
    clerk = login_as(reg, "clerk")
    old_dek = admin.register.dek
    try:
        with pytest.raises(rekey.RegisterBusy):
            key_rotation.rekey_register(admin)
        assert admin.register.dek == old_dek
        assert _actions(admin.register.conn)[-1] == ("register.rekey", "denied")
        assert persons.search(clerk, "ヤマダ") is not None  # the other session goes on
        with pytest.raises(PermissionDenied):
            key_rotation.rekey_register(clerk)
    finally:
        clerk.register.close()
        admin.register.close()
    db.connect(RegisterLayout(reg).database, old_dek, readonly=True).close()


_CHILD = """
import os, signal, sys
from app.security import kdf
from app.services import key_rotation
from app.store import rekey
from tests.support.registers import login_as
rekey._LOOK_SECONDS = 0.002  # look often: the copy of a small register is over in tens of ms
kdf.set_default_params(kdf.Argon2Params(time_cost=1, memory_kib=8 * 1024, parallelism=1))
reg, point = sys.argv[1], sys.argv[2]
def die(step):
    if step == point:
        os.kill(os.getpid(), signal.SIGKILL)
key_rotation._after_step = die
def progress(fraction, text):
    if point == "mid-export" and 0.0 < fraction < 0.89:
        os.kill(os.getpid(), signal.SIGKILL)
admin = login_as(reg, "admin")
key_rotation.rekey_register(admin, progress=progress)
print("finished")
"""


@pytest.mark.parametrize(
    "point", ["mid-export", "exported", "delivered", "switched", "reopened", "none"]
)
def test_a_kill_at_any_point_leaves_a_register_that_opens(tmp_path: Path, point: str) -> None:
    reg = tmp_path / "reg"
    make_register(reg, demo=True)  # the terminal secret is a file: a child process can read it
    taro = _enter_number(reg)
    admin = login_as(reg, "admin")  # enough pages for the copy to report progress as it runs
    conn = admin.register.conn
    with db.transaction(conn):
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [(f"test.pad.{i}", os.urandom(1000).hex()) for i in range(4000)],
        )
    admin.register.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(reg), point],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if point == "none":
        assert done.returncode == 0, done.stderr[-2000:]
    else:
        assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    _everyone_opens(reg, taro)
    admin = login_as(reg, "admin")  # and a later 鍵の更新 goes through (a left copy is removed)
    try:
        key_rotation.rekey_register(admin)
    finally:
        admin.register.close()
    _everyone_opens(reg, taro)


def test_cli_rekey(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    reg = tmp_path / "reg"
    make_register(reg, demo=True)
    before = login_as(reg, "admin")
    old_dek = before.register.dek
    before.register.close()
    monkeypatch.setenv("VAXDESK_PASSWORD", USERS["admin"].password)
    assert main(["rekey", "--register", str(reg), "--user", "admin"]) == 0
    out = capsys.readouterr()
    assert "台帳の鍵を更新しました" in out.out and "100%" in out.err
    with pytest.raises(db.RegisterDamaged):
        db.connect(RegisterLayout(reg).database, old_dek, readonly=True)
    monkeypatch.setenv("VAXDESK_PASSWORD", USERS["clerk"].password)
    assert main(["rekey", "--register", str(reg), "--user", "clerk"]) != 0
    assert "E_PERMISSION" in capsys.readouterr().err


@pytest.mark.parametrize("failures", [1, 2])
def test_a_switch_rename_refused_while_the_file_is_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failures: int
) -> None:
    """Windows refuses to replace an open file: the session's own connection is closed and the
    rename tried once more; if that fails too, nothing is switched and the session goes on."""
    reg = tmp_path / "reg"
    make_register(reg, with_people=False)
    real_replace = os.replace
    calls = []

    def replace(src: Path, dst: Path) -> None:
        if Path(dst).name == "register.vxdb":  # only the switch (the key files are replaced too)
            calls.append(src)
            if len(calls) <= failures:
                raise PermissionError("file in use")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    admin = login_as(reg, "admin")
    old_dek = admin.register.dek
    try:
        if failures == 1:
            key_rotation.rekey_register(admin)
            assert admin.register.dek != old_dek
        else:
            with pytest.raises(rekey.RegisterBusy):
                key_rotation.rekey_register(admin)
            assert admin.register.dek == old_dek
            assert _actions(admin.register.conn)[-1] == ("register.rekey", "failed")
        assert len(users_admin.access_review(admin)) == len(USERS)  # the session goes on
    finally:
        admin.register.close()
    assert not key_rotation.temp_path(RegisterLayout(reg)).exists()
    monkeypatch.setattr(os, "replace", real_replace)
    _everyone_opens(reg, None)
