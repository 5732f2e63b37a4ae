"""An ``updates`` import commits into the WAL and leaves the checkpoint (folding the WAL back into
the register file) for later (``sync_import.checkpoint`` at idle, the next commit or the close):
the register file is untouched by the import even when every commit would otherwise checkpoint,
what the import committed is there after a crash at that point (a copy of the files taken before
any checkpoint opens with the records and passes the integrity check), and ``checkpoint`` then
folds the WAL back. The automatic checkpoint setting is restored after the import."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from app.services import sync_import
from app.services.sync_import import import_package
from app.store import db
from tests.support.registers import login_as
from tests.support.sync_env import SyncEnv, local_envelope, make_sync_register, server_edit


@pytest.fixture
def env(tmp_path: Path) -> SyncEnv:
    return make_sync_register(tmp_path / "reg", with_change=False, demo=True)  # copyable


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_import_commits_to_the_wal_and_the_checkpoint_comes_later(
    env: SyncEnv, tmp_path: Path
) -> None:
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        uids = [bytes(r[0]) for r in conn.execute("SELECT uid FROM persons ORDER BY id")]
        edits = [server_edit(local_envelope(conn, "person", u), address="東町7") for u in uids]
        pkg = tmp_path / "u.vxpkg"
        env.build_update(pkg, {"person": edits})
        conn.execute("PRAGMA wal_autocheckpoint = 1")  # any other commit folds the WAL back
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        file = env.directory / "register.vxdb"
        before = _digest(file)
        result = import_package(number, pkg)
        assert (result.applied, result.quarantined) == (len(uids), 0)
        assert _digest(file) == before  # everything the import wrote is in the WAL
        wal = Path(f"{file}-wal")
        assert wal.stat().st_size > 0
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1  # restored
        # a crash now: the files as they are (the WAL was synced at the commit)
        crashed = tmp_path / "crashed"
        shutil.copytree(env.directory, crashed, ignore=shutil.ignore_patterns("*-shm"))
        assert sync_import.checkpoint(number) > 0
        assert _digest(file) != before
    finally:
        number.register.close()
    again = login_as(crashed, "number")
    try:
        conn = again.register.conn
        assert db.integrity_check(conn) == []
        addresses = {r[0] for r in conn.execute("SELECT address FROM persons")}
        assert addresses == {"東町7"}
    finally:
        again.register.close()
