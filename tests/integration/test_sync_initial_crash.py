"""SIGKILL at random points during the bulk ``initial`` load of an empty register (one transaction
with a rollback journal instead of the WAL, the member checks on a worker thread): afterwards
the register opens in WAL mode, PRAGMA integrity_check is ok, every index is there as before,
the audit chain verifies, and the same package loads completely (or reports "already imported"
when the kill came after the commit)."""

from __future__ import annotations

import random
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.security import kdf
from app.services import _sync_identity
from app.services.demo import MUNICIPALITY_CODE, demo_password, demo_users
from app.services.register import login
from app.services.register_create import create_register
from app.services.sync_import import import_package
from app.store import db
from app.sync.keys import generate_keypair
from app.sync.writer import build_package
from tests.conftest import FAST_ARGON2
from tests.integration.test_sync_crash import _check_register, _duration, _run_and_kill
from tests.support.sync_env import person_env, server_trust

KILLS = 10
_JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")  # a rollback journal SQLite would replay
PERSONS_IN_PACKAGE = 8000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals"),
]


def _indexes(conn: db.Connection) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY 1"
    ).fetchall()
    return [(str(n), str(s)) for n, s in rows]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """An empty demo register (a new terminal) that trusts a server, and that server's
    ``initial`` package of PERSONS_IN_PACKAGE residents for it."""
    previous = kdf.default_params()
    kdf.set_default_params(FAST_ARGON2)
    try:
        base = tmp_path_factory.mktemp("initial-crash")
        reg = base / "reg"
        users = demo_users()
        create_register(
            reg,
            admin=users[0],
            others=[u for u in users[1:] if u.login == "number"],
            demo=True,
            municipality_code=MUNICIPALITY_CODE,
            municipality_name="デモ市",
        )
        server = generate_keypair(f"{MUNICIPALITY_CODE}-HUB")
        access = login(reg, "number", demo_password("number"))
        try:
            conn = access.register.conn
            terminal = _sync_identity.identity_keys(conn).public
            with db.transaction(conn):
                _sync_identity.install_trust(conn, server_trust(server, [terminal]), "test")
        finally:
            access.register.close()
        pkg = base / "initial.vxpkg"
        people = [person_env(f"{800000 + i:010d}") for i in range(PERSONS_IN_PACKAGE)]
        for i in range(1, PERSONS_IN_PACKAGE, 5):
            people[i]["data"]["guardian_uid"] = people[i - 1]["uid"]
        build_package(
            pkg,
            sender=server,
            recipient=terminal,
            sequence=1,
            kind="initial",
            records={"person": people},
        )
        yield reg, pkg
    finally:
        kdf.set_default_params(previous)


def test_kill_during_initial_load_then_the_same_package_loads(
    pristine: tuple[Path, Path], tmp_path: Path
) -> None:
    reg0, pkg0 = pristine
    session = login(reg0, "number", demo_password("number"))
    try:
        indexes = _indexes(session.register.conn)
    finally:
        session.register.close()
    calib = tmp_path / "calib"
    shutil.copytree(reg0, calib)
    shutil.copy(pkg0, tmp_path / "calib.vxpkg")
    span = _duration("import", calib, tmp_path / "calib.vxpkg")
    rng = random.Random(20261203)
    outcomes = {"applied": 0, "already": 0}
    for n in range(KILLS):
        reg, pkg = tmp_path / f"r{n}", tmp_path / f"p{n}.vxpkg"
        shutil.copytree(reg0, reg)
        shutil.copy(pkg0, pkg)
        _run_and_kill("import", reg, pkg, rng.uniform(0, span * 1.1))
        _check_register(reg)
        session = login(reg, "number", demo_password("number"))
        try:
            conn = session.register.conn
            assert _indexes(conn) == indexes  # a kill mid-load leaves no index dropped
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            for journal in reg.glob("*-journal"):  # rolled back: what is left is not hot
                assert journal.read_bytes()[:8] != _JOURNAL_MAGIC
            persons = conn.execute("SELECT count(*) FROM persons").fetchone()[0]
            assert persons in (0, PERSONS_IN_PACKAGE)  # all of it or none
            result = import_package(session, pkg)
            count = conn.execute("SELECT count(*) FROM persons").fetchone()[0]
            guardians = conn.execute(
                "SELECT count(*) FROM persons WHERE guardian_id IS NOT NULL"
            ).fetchone()[0]
            assert _indexes(conn) == indexes
        finally:
            session.register.close()
        assert count == PERSONS_IN_PACKAGE
        assert guardians == len(range(1, PERSONS_IN_PACKAGE, 5))
        outcomes["already" if result.already_imported else "applied"] += 1
        shutil.rmtree(reg)
    assert outcomes["applied"] > 0  # some kills did interrupt the load
