"""The audit head kept outside the database (issue 11, "audit log integrity within the terminal").

A DEK holder can cut the tail off the log, recompute the whole chain, or swap the database file for
an older copy; the in-database chain then still verifies. ``audit verify`` must report each of
these by comparing with the head in ``audit-head.json`` (authenticated with the terminal's key).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.domain import audit_chain
from app.domain.audit_chain import entry_hash
from app.services import maintenance
from app.services.maintenance import AuditChainCheck
from app.services.recovery import open_with_recovery_code
from app.store import audit
from app.store.layout import RegisterLayout
from tests.support.registers import login_as, make_register


@pytest.fixture
def reg(tmp_path: Path) -> tuple[Path, str]:
    code = make_register(tmp_path / "reg", with_people=False)
    for _ in range(3):  # a few ordinary entries
        login_as(tmp_path / "reg", "clerk").register.close()
    return tmp_path / "reg", code


def _verify(reg: Path) -> AuditChainCheck:
    session = login_as(reg, "auditor")
    try:
        return maintenance.verify_audit(session)
    finally:
        session.register.close()


def _raw_edit(reg: Path, code: str, sql: list[str]) -> None:
    """An insider with the DEK (here through the recovery code) edits the database directly."""
    access = open_with_recovery_code(reg, code)
    conn = access.register.conn
    try:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        for statement in sql:
            conn.execute(statement)
    finally:
        access.register.close()


def test_an_untouched_register_verifies(reg: tuple[Path, str]) -> None:
    report = _verify(reg[0])
    assert report.intact and report.head_problem is None
    assert RegisterLayout(reg[0]).audit_head.exists()


def test_a_truncated_tail_is_reported(reg: tuple[Path, str]) -> None:
    directory, code = reg
    _raw_edit(
        directory, code, ["DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 5 FROM audit_log)"]
    )
    report = _verify(directory)
    assert not report.intact
    assert report.first_broken_seq is not None
    assert report.head_problem == "db_behind"


def test_a_recomputed_chain_is_reported(reg: tuple[Path, str]) -> None:
    directory, code = reg
    access = open_with_recovery_code(directory, code)
    conn = access.register.conn
    try:
        conn.execute("DROP TRIGGER audit_log_no_update")
        # rewrite entry 2 and recompute every hash after it: the chain in the database verifies
        conn.execute("UPDATE audit_log SET detail = '{}' WHERE seq = 2")
        rows = conn.execute(
            "SELECT seq, at, user_id, terminal_id, action, outcome, person_id, record_type,"
            " record_id, detail FROM audit_log ORDER BY seq"
        ).fetchall()
        prev = audit_chain.GENESIS
        for row in rows:
            fields = dict(zip(audit_chain.FIELDS, row, strict=True))
            digest = entry_hash(prev, fields)
            conn.execute(
                "UPDATE audit_log SET prev_hash = ?, entry_hash = ? WHERE seq = ?",
                (prev, digest, row[0]),
            )
            prev = digest
        assert audit.verify_chain(conn).intact
    finally:
        access.register.close()
    report = _verify(directory)
    assert not report.intact
    assert report.head_problem == "diverged"


def test_a_database_swapped_for_an_older_copy_is_reported(reg: tuple[Path, str]) -> None:
    directory, _ = reg
    live = RegisterLayout(directory).database
    old = directory.with_name("old-copy.vxdb")
    shutil.copyfile(live, old)  # no connection is open: the WAL was folded in at close
    for _ in range(3):
        login_as(directory, "clerk").register.close()
    for sidecar in (Path(f"{live}-wal"), Path(f"{live}-shm")):
        sidecar.unlink(missing_ok=True)
    shutil.copyfile(old, live)
    report = _verify(directory)
    assert not report.intact
    assert report.head_problem == "db_behind"


def test_a_deleted_head_is_reported_and_not_recreated(reg: tuple[Path, str]) -> None:
    directory, _ = reg
    head = RegisterLayout(directory).audit_head
    head.unlink()
    report = _verify(directory)
    assert report.head_problem == "head_missing"
    assert not report.intact and report.first_broken_seq is not None
    assert not head.exists()  # the commits since did not quietly write a new head
    assert report.head_seq is not None  # the keyring copy still names the last known entry


def test_an_edited_head_is_not_trusted(reg: tuple[Path, str]) -> None:
    directory, _ = reg
    head = RegisterLayout(directory).audit_head
    raw = json.loads(head.read_text("utf-8"))
    raw["body"]["seq"] = 1  # pretend the log was much shorter
    head.write_text(json.dumps(raw), encoding="utf-8")
    assert _verify(directory).head_problem == "head_unauthenticated"


def test_a_restore_moves_the_head_to_the_restored_chain(
    reg: tuple[Path, str], tmp_path: Path
) -> None:
    directory, _ = reg
    session = login_as(directory, "admin")
    try:
        maintenance.backup(session, tmp_path / "backup.vxdb")
    finally:
        session.register.close()
    for _ in range(3):
        login_as(directory, "clerk").register.close()
    session = login_as(directory, "admin")
    maintenance.restore(session, tmp_path / "backup.vxdb")  # closes the session
    report = _verify(directory)
    assert report.intact, report
