"""Export: the outbox since the last acknowledgement, the audit entries since the acknowledged head,
next sequence, current ack, atomic write, re-export of a lost file, permissions, cancel."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import pytest

from app.cli import main
from app.errors import PermissionDenied
from app.services import _sync_export_records, persons, results, sync_export, sync_status
from app.store import audit, sync_outbox
from app.sync.channel import Outcome
from tests.support.registers import login_as, password
from tests.support.sync_env import SyncEnv, channel, dump_tables, make_sync_register, record_dose


def test_export_writes_the_next_changes_package_for_the_server(
    env: SyncEnv, tmp_path: Path
) -> None:
    out = tmp_path / "medium"
    number = login_as(env.directory, "number")
    try:
        assert sync_status.unsent_count(number) == 1
        result = sync_export.export_changes(number, out)
        conn = number.register.conn
        head = audit.verify_chain(conn)
        chan = channel(conn)
        assert (chan.last_sent_seq, chan.acked_seq) == (1, 0)
        # Still unacknowledged until the server says so.
        assert sync_status.unsent_count(number) == 1
        assert sync_outbox.unpackaged_count(conn) == 0
    finally:
        number.register.close()
    assert result.path == out / f"{env.terminal.party_id}_192015-HUB_000001.vxpkg"
    assert head.intact
    with env.open_as_server(result.path) as opened:
        assert opened.outcome is Outcome.NEW
        header = opened.header
        assert (header.kind, header.sequence, header.ack) == ("changes", 1, 0)
        assert header.sender_id == env.terminal.party_id
        vaccinations = list(opened.records("vaccination"))
        audit_lines = list(opened.audit_entries())
        manifest = opened.manifest
    assert len(vaccinations) == 1
    record = vaccinations[0]
    assert record["origin"] == env.terminal.party_id
    assert record["version"].endswith("." + env.terminal.party_id)
    assert record["data"]["series_id"] == "mr1" and record["data"]["follow_up"] is False
    # Every audit entry from the first (nothing acknowledged yet) to the head, chained.
    assert [e["seq"] for e in audit_lines] == list(range(1, len(audit_lines) + 1))
    for prev, entry in itertools.pairwise(audit_lines):
        assert entry["prev_hash"] == prev["entry_hash"]
    assert manifest["audit_head"] == {
        "seq": audit_lines[-1]["seq"],
        "hash": audit_lines[-1]["entry_hash"],
    }


def test_next_export_takes_only_new_changes_and_resend_restores_a_lost_file(
    env: SyncEnv, tmp_path: Path
) -> None:
    out = tmp_path / "medium"
    number = login_as(env.directory, "number")
    try:
        first = sync_export.export_changes(number, out)
        second = sync_export.export_changes(number, out)
        kept = first.path.read_bytes()
        first.path.unlink()
        second.path.unlink()
        copied = sync_export.resend(number, out)
    finally:
        number.register.close()
    assert (first.sequence, second.sequence) == (1, 2)
    assert (first.records, second.records) == (1, 0)
    assert second.ack == 0
    assert copied == [first.path, second.path]
    assert first.path.read_bytes() == kept  # the very same package, not a new one


@pytest.mark.parametrize("user", ["clerk", "nurse", "admin", "auditor"])
def test_other_roles_cannot_export(env: SyncEnv, tmp_path: Path, user: str) -> None:
    out = tmp_path / "medium"
    session = login_as(env.directory, user)
    try:
        before = dump_tables(session.register.conn)
        with pytest.raises(PermissionDenied):
            sync_export.export_changes(session, out)
        assert dump_tables(session.register.conn) == before
        denied = list(audit.query(session.register.conn, action="sync.export"))
    finally:
        session.register.close()
    assert not out.exists() or not any(out.iterdir())
    assert [e.outcome for e in denied] == ["denied"]


def test_cancel_leaves_nothing(env: SyncEnv, tmp_path: Path) -> None:
    out = tmp_path / "medium"
    number = login_as(env.directory, "number")
    try:
        before = dump_tables(number.register.conn)
        with pytest.raises(sync_export.Cancelled):
            sync_export.export_changes(number, out, cancel=lambda: True)
        assert dump_tables(number.register.conn) == before
    finally:
        number.register.close()
    assert not out.exists() or not any(out.iterdir())
    assert not any((env.directory / "sync-sent").iterdir())


def test_cli_export_and_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = make_sync_register(tmp_path / "demo", demo=True)  # CLI: the demo key is used itself
    monkeypatch.setenv("VAXDESK_PASSWORD", password("number"))
    reg = ["--register", str(env.directory), "--user", "number"]
    assert main(["sync", "export", *reg, "--out", str(tmp_path / "m")]) == 0
    assert "通番 1" in capsys.readouterr().out
    assert main(["sync", "status", *reg, "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["unacknowledged"] == 1 and status["not_yet_exported"] == 0
    assert status["channels"][0]["last_sent"] == 1
    monkeypatch.setenv("VAXDESK_PASSWORD", password("clerk"))
    clerk = ["--register", str(env.directory), "--user", "clerk"]
    assert main(["sync", "export", *clerk, "--out", str(tmp_path / "c")]) == 77
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("kept", [50_000, 0])
def test_vaccinations_and_postponements_travel_in_their_own_members(
    env: SyncEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: int
) -> None:
    """One read of the vaccination rows feeds both members; with more postponements than are
    kept in memory (kept=0) the postponement member reads them again: the same package."""
    monkeypatch.setattr(_sync_export_records, "POSTPONED_KEPT", kept)
    nurse = login_as(env.directory, "nurse")
    try:
        taro = persons.search(nurse, "0000000001").people[0].person_id
        results.record_postponement(nurse, taro, "mr2", date(2026, 6, 2), "発熱のため見合わせ")
        results.record_postponement(nurse, taro, "mr2", date(2026, 6, 9), "再度発熱のため")
        record_dose(nurse, date(2026, 6, 20))
    finally:
        nurse.register.close()
    number = login_as(env.directory, "number")
    try:
        result = sync_export.export_changes(number, tmp_path / "medium")
    finally:
        number.register.close()
    assert result.records == 4
    with env.open_as_server(result.path) as opened:
        given = list(opened.records("vaccination"))
        postponed = list(opened.records("postponement"))
    assert sorted(r["data"]["vaccinated_on"] for r in given) == ["2026-06-01", "2026-06-20"]
    assert all(r["type"] == "vaccination" for r in given)
    assert [
        (r["type"], r["data"]["postponed_on"], r["data"]["postpone_reason"]) for r in postponed
    ] == [
        ("postponement", "2026-06-02", "発熱のため見合わせ"),
        ("postponement", "2026-06-09", "再度発熱のため"),
    ]
    assert all("outcome" not in r["data"] and "vaccinated_on" not in r["data"] for r in postponed)
