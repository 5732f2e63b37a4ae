"""Killing the process in the middle of a write leaves the register consistent: the transaction
is either wholly there or not at all, the file passes SQLite's and SQLCipher's integrity checks,
and the audit chain verifies; every write that was committed before the kill is still there.
(This is a process kill; surviving a power loss rests on WAL + synchronous=FULL and is not
simulated here.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.services.recovery import open_with_recovery_code
from app.store import audit, db
from tests.support.registers import make_register

WRITER = r"""
import sys
from pathlib import Path
from app.services.recovery import open_with_recovery_code
from app.store import audit, db
access = open_with_recovery_code(Path(sys.argv[1]), sys.argv[2])
conn = access.register.conn
conn.execute("BEGIN IMMEDIATE")
for i in range(200_000):
    audit.append(conn, action="crash.test", terminal_id="T-test", detail={"i": i})
    if i == 2_000:
        print("writing", flush=True)
conn.execute("COMMIT")
print("committed", flush=True)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_kill_during_a_write_leaves_a_consistent_register(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    code = make_register(reg, with_people=True)
    access = open_with_recovery_code(reg, code)
    before = audit.verify_chain(access.register.conn).entries
    access.register.close()

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(reg), code], env=env, stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "writing"
    writer.send_signal(signal.SIGKILL)  # mid-transaction, no chance to clean up
    writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL

    access = open_with_recovery_code(reg, code)
    try:
        assert db.integrity_check(access.register.conn) == []
        report = audit.verify_chain(access.register.conn)
        crash_rows = access.register.conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'crash.test'"
        ).fetchone()[0]
    finally:
        access.register.close()
    assert report.intact
    assert crash_rows == 0  # the killed transaction left nothing behind
    # Only the two recovery.use entries (the writer's, committed before its transaction, and
    # this check's own) were added.
    assert report.entries == before + 2


COMMITTER = r"""
import sys
from pathlib import Path
from app.services.recovery import open_with_recovery_code
from app.store import audit, db
access = open_with_recovery_code(Path(sys.argv[1]), sys.argv[2])
conn = access.register.conn
for i in range(1, 100_000):
    with db.transaction(conn):
        audit.append(conn, action="crash.commit", terminal_id="T-test", detail={"i": i})
    print(i, flush=True)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_every_committed_write_survives_a_kill(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    code = make_register(reg, with_people=False)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    writer = subprocess.Popen(
        [sys.executable, "-c", COMMITTER, str(reg), code],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    acknowledged = 0
    while acknowledged < 300:  # the writer reports each commit after it returned
        acknowledged = int(writer.stdout.readline())
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)

    access = open_with_recovery_code(reg, code)
    try:
        assert db.integrity_check(access.register.conn) == []
        assert audit.verify_chain(access.register.conn).intact
        stored = access.register.conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'crash.commit'"
        ).fetchone()[0]
    finally:
        access.register.close()
    assert stored >= acknowledged  # nothing that was committed is lost
