"""Audit anchor (PACKAGE-FORMAT.md §6): once the server acknowledged an audit head, `vaxdesk audit
verify` fails when the local chain no longer reaches it with the same hash — a truncated log, or
one rewritten with freshly computed hashes (which the chain check alone cannot see)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.domain import audit_chain
from app.domain.audit_chain import entry_hash
from app.services import sync_export
from app.services.recovery import open_with_recovery_code
from app.services.sync_import import import_package
from app.store import audit, sync_state
from tests.support.registers import login_as, password
from tests.support.sync_env import SERVER_ID, SyncEnv, make_sync_register


@pytest.fixture
def anchored(tmp_path: Path) -> tuple[SyncEnv, int]:
    env = make_sync_register(tmp_path / "reg", demo=True)
    number = login_as(env.directory, "number")
    try:
        sync_export.export_changes(number, tmp_path / "m")
        sent = sync_state.sent_packages(number.register.conn, SERVER_ID)[0]
        pkg = tmp_path / "u1.vxpkg"
        env.build_update(
            pkg,
            ack=1,
            manifest_extra={
                "audit_ack": {
                    "terminal": env.terminal.party_id,
                    "seq": sent.audit_head_seq,
                    "hash": sent.audit_head_hash,
                }
            },
        )
        import_package(number, pkg)
    finally:
        number.register.close()
    return env, sent.audit_head_seq


def _verify(env: SyncEnv, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("VAXDESK_PASSWORD", password("auditor"))
    return main(["audit", "verify", "--register", str(env.directory), "--user", "auditor"])


def test_intact_chain_reaches_the_acknowledged_head(
    anchored: tuple[SyncEnv, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    env, _ = anchored
    assert _verify(env, monkeypatch) == 0


def test_truncated_log_is_caught(
    anchored: tuple[SyncEnv, int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env, head = anchored
    access = open_with_recovery_code(env.directory, env.recovery)
    conn = access.register.conn
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DELETE FROM audit_log WHERE seq >= ?", (head - 1,))
    assert audit.verify_chain(conn).first_broken_seq is None  # the chain alone looks fine
    access.register.close()
    assert _verify(env, monkeypatch) == 1
    assert f"受領確認（記録番号 {head}）" in capsys.readouterr().err


def test_rewritten_log_with_recomputed_hashes_is_caught(
    anchored: tuple[SyncEnv, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    env, _ = anchored
    access = open_with_recovery_code(env.directory, env.recovery)
    conn = access.register.conn
    conn.execute("DROP TRIGGER audit_log_no_update")
    rows = conn.execute(
        "SELECT seq, at, user_id, terminal_id, action, outcome, person_id, record_type,"
        " record_id, detail FROM audit_log ORDER BY seq"
    ).fetchall()
    prev = audit_chain.GENESIS
    for row in rows:
        fields = dict(zip(audit_chain.FIELDS, row, strict=True))
        if fields["seq"] == 2:
            fields["detail"] = '{"rewritten":true}'
        digest = entry_hash(prev, fields)
        conn.execute(
            "UPDATE audit_log SET detail = ?, prev_hash = ?, entry_hash = ? WHERE seq = ?",
            (fields["detail"], prev, digest, fields["seq"]),
        )
        prev = digest
    assert audit.verify_chain(conn).intact
    access.register.close()
    assert _verify(env, monkeypatch) == 1
