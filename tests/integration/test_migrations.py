"""Migration runner: saved registers of every released schema upgrade; newer ones are refused."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from app.errors import RegisterError
from app.store import db, migrate
from tests.support.registers import login_as, make_register

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "registers"


def _saved_registers() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def test_a_fixture_exists_for_every_released_schema() -> None:
    versions = {int(p.name[1:]) for p in _saved_registers()}
    assert versions == set(range(1, migrate.latest_version() + 1))


@pytest.mark.parametrize("saved", _saved_registers(), ids=lambda p: p.name)
def test_saved_register_upgrades_to_latest_and_keeps_data(saved: Path, tmp_path: Path) -> None:
    work = tmp_path / "register.vxdb"
    shutil.copyfile(saved / "register.vxdb", work)
    dek = bytes.fromhex((saved / "dek.hex").read_text().strip())
    conn = db.connect(work, dek)
    try:
        start = migrate.current_version(conn)
        applied = migrate.migrate(conn, db_path=work, dek=dek)
        assert applied == list(range(start + 1, migrate.latest_version() + 1))
        assert migrate.current_version(conn) == migrate.latest_version()
        assert conn.execute("SELECT atena_no FROM persons").fetchall() == [("0000000001",)]
        assert db.integrity_check(conn) == []
    finally:
        conn.close()
    if applied:  # an older register was copied before it was changed
        assert list(tmp_path.glob("register.vxdb.pre-v*.bak"))


def test_runner_backs_up_then_rolls_back_a_failing_step(tmp_path: Path) -> None:
    steps = tmp_path / "steps"
    steps.mkdir()
    for m in migrate.available_migrations():
        (steps / f"{m.version:04d}_{m.name}.sql").write_text(m.sql, encoding="utf-8")
    nxt = migrate.latest_version() + 1
    (steps / f"{nxt:04d}_broken.sql").write_text(
        "CREATE TABLE new_one (x);\nINSERT INTO no_such_table VALUES (1);\n", encoding="utf-8"
    )
    dek = bytes(range(32))
    path = tmp_path / "r.vxdb"
    conn = db.connect(path, dek, create=True)
    migrate.migrate(conn)
    with pytest.raises(RegisterError) as err:
        migrate.migrate(conn, db_path=path, dek=dek, directory=steps)
    assert err.value.code == "E_MIGRATION_FAILED"
    assert migrate.current_version(conn) == nxt - 1
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'new_one'").fetchone() is None
    conn.close()
    assert list(tmp_path.glob("r.vxdb.pre-v*.bak"))


def test_newer_schema_is_refused_and_file_untouched(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    recovery = make_register(reg, with_people=False)
    from app.services.recovery import open_with_recovery_code

    access = open_with_recovery_code(reg, recovery)
    access.register.conn.execute(
        "INSERT INTO schema_version VALUES (999, 'from_the_future', '2030-01-01')"
    )
    access.register.conn.execute("PRAGMA journal_mode = DELETE")
    access.register.close()
    file = reg / "register.vxdb"
    before = hashlib.sha256(file.read_bytes()).hexdigest()
    with pytest.raises(RegisterError) as err:
        login_as(reg, "admin")
    assert err.value.code == "E_REGISTER_SCHEMA_NEWER"
    assert hashlib.sha256(file.read_bytes()).hexdigest() == before


def test_0003_gives_existing_administrators_the_settings_permission(tmp_path: Path) -> None:
    saved = FIXTURES / "v2"
    work = tmp_path / "register.vxdb"
    shutil.copyfile(saved / "register.vxdb", work)
    dek = bytes.fromhex((saved / "dek.hex").read_text().strip())
    conn = db.connect(work, dek)
    try:
        with db.transaction(conn):  # roles as a register made before 0003 seeded them
            conn.execute("INSERT INTO roles (code, name_ja) VALUES ('admin', 'システム管理者')")
            conn.execute("INSERT INTO roles (code, name_ja) VALUES ('clerk', '窓口担当')")
            conn.execute(
                "INSERT INTO role_permissions (role_code, permission) VALUES ('admin', 'user.read')"
            )
        migrate.migrate(conn, db_path=work, dek=dek)
        held = set(conn.execute("SELECT role_code, permission FROM role_permissions").fetchall())
        assert ("admin", "settings.manage") in held
        assert ("clerk", "settings.manage") not in held
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"persons_list", "households_area"} <= names
    finally:
        conn.close()
