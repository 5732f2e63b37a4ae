"""SIGKILL at random points during an import whose records take the set-based fast path (edits of
residents the register holds): afterwards the register opens, PRAGMA integrity_check is ok, the
audit chain verifies, either none or all of the edits are there, and the same package imports
cleanly (or reports "already imported" when the kill came after the commit)."""

from __future__ import annotations

import random
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.security import kdf
from app.services._sync_records import to_envelope
from app.services.register import login
from app.services.sync_import import import_package
from app.store import sync_fast, sync_outbox, sync_state
from app.sync.keys import load_keypair, load_public_key
from app.sync.writer import build_package
from tests.conftest import FAST_ARGON2
from tests.integration.test_sync_crash import _check_register, _duration, _run_and_kill
from tests.integration.test_sync_crash import pristine as pristine  # the fixture, shared

KILLS = 8
SUFFIX = " 改"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals"),
]


@pytest.fixture(scope="module")
def edited(
    pristine: tuple[Path, Path, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Path, int]]:
    """The pristine register with its package of new residents applied, and a second package
    that edits the address of every resident (all plain updates)."""
    previous = kdf.default_params()
    kdf.set_default_params(FAST_ARGON2)
    try:
        reg0, pkg0, _ = pristine
        base = tmp_path_factory.mktemp("fastcrash")
        reg = base / "reg"
        shutil.copytree(reg0, reg)
        shutil.copy(pkg0, base / "first.vxpkg")
        session = login(reg, "number", "demo-number")
        try:
            import_package(session, base / "first.vxpkg")
            conn = session.register.conn
            party = sync_state.load_identity(conn)
            assert party is not None
            uids = [bytes(r[0]) for r in conn.execute("SELECT uid FROM persons")]
            server_dir = reg / "demo-server"
            server = load_keypair(next(server_dir.glob("*-HUB.key.json")))
            records = []
            for i, row in enumerate(sync_outbox.read_records(conn, "person", uids)):
                _, env = to_envelope(row, party_id=server.party_id, cipher=None)
                env["data"]["address"] += SUFFIX
                env["version"] = f"{4_000_000_000_000 + i:013d}.00000.{server.party_id}"
                env["origin"] = server.party_id
                records.append(env)
        finally:
            session.register.close()
        pkg = base / "edits.vxpkg"
        build_package(
            pkg,
            sender=server,
            recipient=load_public_key(server_dir / f"{party.party_id}.pub.json"),
            sequence=2,
            kind="updates",
            records={"person": records},
        )
        yield reg, pkg, len(records)
    finally:
        kdf.set_default_params(previous)


def _edited_count(reg: Path) -> int:
    session = login(reg, "number", "demo-number")
    try:
        return int(
            session.register.conn.execute(
                "SELECT count(*) FROM persons WHERE address LIKE ?", (f"%{SUFFIX}",)
            ).fetchone()[0]
        )
    finally:
        session.register.close()


def test_kill_during_set_based_import_then_the_same_package_imports(
    edited: tuple[Path, Path, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reg0, pkg0, total = edited
    probe = tmp_path / "probe"  # the records do take the fast path
    shutil.copytree(reg0, probe)
    shutil.copy(pkg0, tmp_path / "probe.vxpkg")
    planned: list[tuple[int, int]] = []
    real_plan = sync_fast.plan

    def spy(conn: Any, shape: Any) -> tuple[int, int]:
        planned.append(real_plan(conn, shape))
        return planned[-1]

    monkeypatch.setattr(sync_fast, "plan", spy)
    session = login(probe, "number", "demo-number")
    try:
        assert import_package(session, tmp_path / "probe.vxpkg").applied == total
    finally:
        session.register.close()
    assert sum(n for n, _ in planned) == total
    shutil.rmtree(probe)
    calib = tmp_path / "calib"
    shutil.copytree(reg0, calib)
    shutil.copy(pkg0, tmp_path / "calib.vxpkg")
    span = _duration("import", calib, tmp_path / "calib.vxpkg")
    assert _edited_count(calib) == total
    rng = random.Random(20261202)
    outcomes = {"applied": 0, "already": 0}
    for n in range(KILLS):
        reg, pkg = tmp_path / f"r{n}", tmp_path / f"p{n}.vxpkg"
        shutil.copytree(reg0, reg)
        shutil.copy(pkg0, pkg)
        _run_and_kill("import", reg, pkg, rng.uniform(0, span * 1.1))
        _check_register(reg)
        assert _edited_count(reg) in (0, total)  # all of it or nothing
        session = login(reg, "number", "demo-number")
        try:
            result = import_package(session, pkg)
        finally:
            session.register.close()
        assert _edited_count(reg) == total
        outcomes["already" if result.already_imported else "applied"] += 1
        shutil.rmtree(reg)
    assert outcomes["applied"] > 0  # some kills did interrupt the import
