"""SIGKILL at random points during export and during import of a large package: afterwards the
register opens, PRAGMA integrity_check is ok, the audit chain verifies, and the same package
imports cleanly (or reports "already imported" when the kill came after the commit); after a
killed export the next export and the re-export of unacknowledged files work."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.security import kdf
from app.services import sync_export
from app.services.demo import MUNICIPALITY_CODE, create_demo_register, demo_password
from app.services.register import login
from app.services.sync_import import import_package
from app.store import audit, db, sync_state
from app.sync.keys import load_keypair, load_public_key
from app.sync.writer import build_package
from tests.conftest import FAST_ARGON2
from tests.support.sync_env import person_env

KILLS = 20
PERSONS_IN_PACKAGE = 6000
ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import sys
from pathlib import Path
from app.services.register import login
from app.services import sync_export
from app.services.sync_import import import_package
session = login(Path(sys.argv[2]), "number", "demo-number")
print("ready", flush=True)
if sys.argv[1] == "import":
    import_package(session, Path(sys.argv[3]))
else:
    sync_export.export_changes(session, Path(sys.argv[3]))
print("done", flush=True)
"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals"),
]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str]]:
    """A demo register with every vaccination waiting for export, and an updates package of
    PERSONS_IN_PACKAGE new residents from its demo server."""
    previous = kdf.default_params()
    kdf.set_default_params(FAST_ARGON2)
    try:
        base = tmp_path_factory.mktemp("crash")
        reg = base / "reg"
        info = create_demo_register(reg, persons=400, seed=5)
        session = login(reg, "number", demo_password("number"))
        try:
            conn = session.register.conn
            with db.transaction(conn):
                conn.execute(
                    "INSERT INTO outbox (record_type, record_uid, version, queued_at)"
                    " SELECT 'vaccination', uid, version, datetime('now') FROM vaccinations"
                )
            party = sync_state.load_identity(conn)
            assert party is not None
        finally:
            session.register.close()
        server_dir = reg / "demo-server"
        server = load_keypair(next(server_dir.glob("*-HUB.key.json")))
        terminal = load_public_key(server_dir / f"{party.party_id}.pub.json")
        pkg = base / "update.vxpkg"
        people = [person_env(f"{900000 + i:010d}") for i in range(PERSONS_IN_PACKAGE)]
        build_package(
            pkg,
            sender=server,
            recipient=terminal,
            sequence=1,
            kind="updates",
            records={"person": people},
        )
        yield reg, pkg, info.recovery_code
    finally:
        kdf.set_default_params(previous)


def _child(mode: str, reg: Path, target: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, str(reg), str(target)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _run_and_kill(mode: str, reg: Path, target: Path, delay: float) -> bool:
    """Start the child, kill it ``delay`` seconds after it is ready; True if it finished first."""
    child = _child(mode, reg, target)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    return child.returncode == 0


def _duration(mode: str, reg: Path, target: Path) -> float:
    child = _child(mode, reg, target)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    assert child.stdout.readline().strip() == "done"
    child.wait(timeout=60)
    return time.perf_counter() - started


def _check_register(reg: Path) -> None:
    session = login(reg, "number", demo_password("number"))
    try:
        conn = session.register.conn
        assert db.integrity_check(conn) == []
        assert audit.verify_chain(conn).intact
    finally:
        session.register.close()


def test_kill_during_import_then_the_same_package_imports(
    pristine: tuple[Path, Path, str], tmp_path: Path
) -> None:
    reg0, pkg0, _ = pristine
    calib = tmp_path / "calib"
    shutil.copytree(reg0, calib)
    shutil.copy(pkg0, tmp_path / "calib.vxpkg")
    span = _duration("import", calib, tmp_path / "calib.vxpkg")
    rng = random.Random(20261201)
    outcomes = {"applied": 0, "already": 0}
    for n in range(KILLS):
        reg, pkg = tmp_path / f"r{n}", tmp_path / f"p{n}.vxpkg"
        shutil.copytree(reg0, reg)
        shutil.copy(pkg0, pkg)
        _run_and_kill("import", reg, pkg, rng.uniform(0, span * 1.1))
        _check_register(reg)
        session = login(reg, "number", demo_password("number"))
        try:
            result = import_package(session, pkg)
            count = session.register.conn.execute(
                "SELECT count(*) FROM persons WHERE name = '新規 太郎'"
            ).fetchone()[0]
        finally:
            session.register.close()
        assert count == PERSONS_IN_PACKAGE  # all of it, never a part
        outcomes["already" if result.already_imported else "applied"] += 1
        shutil.rmtree(reg)
    assert outcomes["applied"] > 0  # some kills did interrupt the import


def test_kill_during_export_then_export_and_resend_work(
    pristine: tuple[Path, Path, str], tmp_path: Path
) -> None:
    reg0, _, _ = pristine
    calib = tmp_path / "calib"
    shutil.copytree(reg0, calib)
    span = _duration("export", calib, tmp_path / "calib-out")
    rng = random.Random(20261202)
    for n in range(KILLS):
        reg, out = tmp_path / f"r{n}", tmp_path / f"out{n}"
        shutil.copytree(reg0, reg)
        _run_and_kill("export", reg, out, rng.uniform(0, span * 1.1))
        _check_register(reg)
        session = login(reg, "number", demo_password("number"))
        try:
            conn = session.register.conn
            sent_before = [
                s.sequence for s in sync_state.sent_packages(conn, f"{MUNICIPALITY_CODE}-HUB")
            ]
            waiting = conn.execute("SELECT count(*) FROM outbox WHERE package_seq IS NULL")
            assert waiting.fetchone()[0] in (0, _all_vaccinations(conn))  # all or nothing
            again = sync_export.export_changes(session, out)
            copied = sync_export.resend(session, out)
        finally:
            session.register.close()
        assert again.sequence == len(sent_before) + 1
        assert {p.name for p in copied} >= {again.path.name}
        assert all(p.is_file() and p.stat().st_size > 0 for p in copied)
        assert not list(out.glob(".*.tmp"))  # no half-written file where the medium is read
        shutil.rmtree(reg)


def _all_vaccinations(conn: db.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM vaccinations").fetchone()[0])
