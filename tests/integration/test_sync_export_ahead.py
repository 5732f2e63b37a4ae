"""The export's batches and audit member (issue 9 "Speed", session 8): a stored batch keeps its
lines joined as SQLite gave them (``stored_line_reader.StoredBatch``: MACs checked over views, a
batch whose every line is taken is sent as it came), and the audit member is made beside the
records from rows the marking thread reads after the marking (``build_package(audit_ahead=True)``).
The package is read here by a reader written from PACKAGE-FORMAT.md alone
(``tests/support/independent_reader.py``) and compared byte for byte."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.errors import VaxDeskError
from app.security.session import Session
from app.services import _sync_identity, sync_export
from app.services._sync_records import uid_text
from app.store import db, stored_line_reader, sync_outbox
from app.store.layout import RegisterLayout
from app.sync import writer
from app.sync.encoding import utc_now
from app.sync.stream import derive_key
from tests.support.independent_reader import Read, read_package
from tests.support.registers import login_as
from tests.support.sync_env import (
    SyncEnv,
    channel,
    dump_tables,
    fail_stored_batch,
    local_envelope,
    make_sync_register,
    more_doses,
)


@pytest.fixture
def env(tmp_path: Path) -> SyncEnv:
    return more_doses(make_sync_register(tmp_path / "reg"), 6)  # and one queued before


def _read(env: SyncEnv, path: Path) -> Read:
    return read_package(path, env.server.x25519_private, env.terminal.ed25519)


def _stored_lines(conn: db.Connection) -> list[tuple[int, bytes, bytes]]:
    """(outbox id, uid, line) of every stored line, in queue order."""
    return [
        (int(r[0]), bytes(r[1]), bytes(r[2]))
        for r in conn.execute(
            "SELECT outbox_id, record_uid, line FROM outbox_lines ORDER BY outbox_id"
        )
    ]


def _waiting(conn: db.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM outbox WHERE package_seq IS NULL").fetchone()[0])


def _audit_after(conn: db.Connection, seq: int) -> list[int]:
    return [int(r[0]) for r in conn.execute("SELECT seq FROM audit_log WHERE seq > ?", (seq,))]


@pytest.mark.parametrize("fetch", [1, 2, 3, 4096])
def test_the_member_is_the_stored_lines_byte_for_byte_in_batches_of_any_size(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fetch: int
) -> None:
    conn = number.register.conn
    stored = _stored_lines(conn)
    assert len(stored) == 7
    monkeypatch.setattr(stored_line_reader, "FETCH", fetch)
    head = sync_outbox.audit_head(conn)
    assert head is not None
    before = _audit_after(conn, channel(conn).audit_ack_seq)
    assert before[-1] == head[0]
    result = sync_export.export_changes(number, tmp_path / "m")
    read = _read(env, result.path)
    assert read.names == [
        "manifest.json",
        "records/vaccination.jsonl",
        "records/postponement.jsonl",
        "audit/audit.jsonl",
    ]
    assert read.members["records/postponement.jsonl"] == b""
    # every waiting record was sent as its stored line, in queue order, nothing added
    assert read.members["records/vaccination.jsonl"] == b"".join(
        line + b"\n" for _, _, line in stored
    )
    # the audit member: every entry up to the head read at the start, in order
    audit = [json.loads(x) for x in read.members["audit/audit.jsonl"].splitlines()]
    assert [a["seq"] for a in audit] == before
    assert result.audit_entries == len(before)
    assert read.manifest["audit_head"] == {"seq": head[0], "hash": head[1].hex()}
    # the app's own reader reads the same records
    with env.open_as_server(result.path) as opened:
        assert [r["uid"] for r in opened.records("vaccination")] == [
            uid_text(uid) for _, uid, _ in stored
        ]
    assert _waiting(conn) == 0


@pytest.mark.parametrize("fetch", [2, 4096])
def test_a_batch_with_one_line_not_taken_sends_the_others_as_stored_and_that_one_from_its_row(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fetch: int
) -> None:
    conn = number.register.conn
    stored = _stored_lines(conn)
    bad_id, bad_uid, _ = stored[3]
    with db.transaction(conn):  # its MAC no longer matches
        conn.execute("UPDATE outbox_lines SET mac = zeroblob(16) WHERE outbox_id = ?", (bad_id,))
    monkeypatch.setattr(stored_line_reader, "FETCH", fetch)
    result = sync_export.export_changes(number, tmp_path / "m")
    lines = _read(env, result.path).members["records/vaccination.jsonl"].splitlines()
    assert result.records == 7 == len(lines)
    assert lines[:6] == [line for oid, _, line in stored if oid != bad_id]
    assert json.loads(lines[6]) == local_envelope(conn, "vaccination", bad_uid)


def test_a_batch_keeps_its_lines_joined_with_their_sizes(
    env: SyncEnv, number: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = number.register.conn
    stored = _stored_lines(conn)
    key = int(conn.execute("SELECT shape_key FROM outbox_lines LIMIT 1").fetchone()[0])
    monkeypatch.setattr(stored_line_reader, "FETCH", 4)
    first = stored_line_reader._batch(conn, "vaccination", key, -1, True)
    assert first is not None and first.attributable
    assert first.blob == b"\n".join(line for _, _, line in stored[:4])
    assert first.lengths == [len(line) for _, _, line in stored[:4]]
    assert first.lines == [line for _, _, line in stored[:4]]
    assert [(o, u) for o, (u,), _m, _n in first.parts()] == [(o, u) for o, u, _ in stored[:4]]
    assert [p[:2] for p in first.pieces()] == [(o, u) for o, u, _ in stored[:4]]
    second = stored_line_reader._batch(conn, "vaccination", key, first.last, True)
    assert second is not None and second.outbox_ids == [o for o, _, _ in stored[4:]]
    assert stored_line_reader._batch(conn, "vaccination", key, second.last, True) is None


def _members_made_on(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Member name → the name of the thread that made it (filled as the package is built)."""
    threads: dict[str, str] = {}
    stage = writer._stage

    def spy_stage(path: Path, name: str, source: Any, check: Any) -> Any:
        threads[name] = threading.current_thread().name
        return stage(path, name, source, check)

    monkeypatch.setattr(writer, "_stage", spy_stage)
    return threads


def _exported_on_this_thread(
    env: SyncEnv, number: Session, tmp_path: Path, threads: dict[str, str], before: list[int]
) -> None:
    """Export: every member made on the calling thread, the audit entries ``before`` and the
    stored lines as they are sent."""
    result = sync_export.export_changes(number, tmp_path / "m")
    assert set(threads.values()) == {threading.current_thread().name}
    read = _read(env, result.path)
    assert [json.loads(x)["seq"] for x in read.members["audit/audit.jsonl"].splitlines()] == before
    assert read.members["records/vaccination.jsonl"] == b"".join(
        line + b"\n" for _, _, line in _stored_lines(number.register.conn)
    )


def test_the_audit_member_is_made_beside_the_records_from_rows_read_after_the_marking(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = number.register.conn
    audit_started = threading.Event()
    threads: dict[str, str] = {}
    events: list[str] = []
    stage, audit_since, assign = writer._stage, sync_outbox.audit_since, sync_outbox.assign_package

    def spy_stage(path: Path, name: str, source: Any, check: Any) -> Any:
        threads[name] = threading.current_thread().name
        if name == "audit/audit.jsonl":
            audit_started.set()
        else:  # the records' member waits until the audit member is being made beside it
            events.append(f"audit beside records: {audit_started.wait(10)}")
        return stage(path, name, source, check)

    def spy_audit_since(*args: Any) -> Any:
        events.append(f"audit rows on {threading.current_thread().name}")
        return audit_since(*args)

    def spy_assign(*args: Any) -> Any:
        events.append("mark")
        return assign(*args)

    monkeypatch.setattr(writer, "_stage", spy_stage)
    monkeypatch.setattr(sync_outbox, "audit_since", spy_audit_since)
    monkeypatch.setattr(sync_outbox, "assign_package", spy_assign)
    before = _audit_after(conn, channel(conn).audit_ack_seq)
    result = sync_export.export_changes(number, tmp_path / "m")
    assert threads["audit/audit.jsonl"].startswith("vaxdesk-audit")
    assert threads["records/vaccination.jsonl"] == threading.current_thread().name
    assert "audit beside records: True" in events
    marked = events.index("mark")
    rows = [e for e in events if e.startswith("audit rows")]
    assert rows == ["audit rows on " + rows[0].removeprefix("audit rows on ")]
    assert rows[0].removeprefix("audit rows on ").startswith("export-mark")
    assert events.index(rows[0]) > marked  # after the marking, on the marking thread
    audit = [
        json.loads(x) for x in _read(env, result.path).members["audit/audit.jsonl"].splitlines()
    ]
    assert [a["seq"] for a in audit] == before
    assert _waiting(conn) == 0


def test_without_a_second_connection_the_audit_member_is_made_after_the_records(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No stored pass beside (the second connection could not be opened): no marking thread,
    the audit rows are read on the caller's connection after the records, as before."""
    conn = number.register.conn

    def no_reader(conn: db.Connection, *_args: Any) -> Any:
        from contextlib import nullcontext

        return nullcontext(conn)

    threads = _members_made_on(monkeypatch)
    monkeypatch.setattr(stored_line_reader, "snapshot_reader", no_reader)
    before = _audit_after(conn, channel(conn).audit_ack_seq)
    _exported_on_this_thread(env, number, tmp_path, threads, before)


def _no_audit_thread_left() -> bool:
    return not any(t.name.startswith("vaxdesk-audit") for t in threading.enumerate())


def test_a_failure_reading_the_audit_rows_changes_nothing(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = number.register.conn

    def failing(*_args: Any) -> Any:
        raise VaxDeskError("読み取りに失敗しました。", code="E_TEST_AUDIT")

    monkeypatch.setattr(sync_outbox, "audit_since", failing)
    before, waiting = dump_tables(conn), _waiting(conn)
    out = tmp_path / "m"
    with pytest.raises(VaxDeskError) as caught:
        sync_export.export_changes(number, out)
    assert caught.value.code == "E_TEST_AUDIT"
    assert dump_tables(conn) == before
    assert _waiting(conn) == waiting == 7
    assert not conn.in_transaction
    assert not out.exists() or not any(out.iterdir())
    assert not any((env.directory / "sync-sent").iterdir())
    assert _no_audit_thread_left()


def test_a_failure_in_the_records_while_the_audit_member_is_made_changes_nothing(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = number.register.conn
    fail_stored_batch(monkeypatch, 3)
    before = dump_tables(conn)
    out = tmp_path / "m"
    with pytest.raises(VaxDeskError) as caught:
        sync_export.export_changes(number, out)
    assert caught.value.code == "E_TEST_READ"
    assert dump_tables(conn) == before
    assert not conn.in_transaction
    assert not out.exists() or not any(out.iterdir())
    assert not any((env.directory / "sync-sent").iterdir())
    work = RegisterLayout(env.directory).sync_work
    assert not list(work.glob("vaxdesk-build-*"))  # the staging folder went with the failure
    assert _no_audit_thread_left()


def test_build_package_with_the_audit_member_ahead_writes_the_same_bytes(
    env: SyncEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    eph = X25519PrivateKey.from_private_bytes(bytes(range(32)))

    def fixed_sender_key(recipient_x25519: bytes, package_id_raw: bytes) -> tuple[bytes, bytes]:
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

        pub = eph.public_key().public_bytes_raw()
        shared = eph.exchange(X25519PublicKey.from_public_bytes(recipient_x25519))
        return pub, derive_key(shared, pub, recipient_x25519, package_id_raw)

    monkeypatch.setattr(writer, "sender_key", fixed_sender_key)
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        keys = _sync_identity.identity_keys(conn)
        lines = [line for _, _, line in _stored_lines(conn)]
        audit = [sync_export._audit_entry(row) for row in sync_outbox.audit_since(conn, 0)]
    finally:
        number.register.close()
    created = utc_now()
    pid = "01a235ac-c0d4-7669-905c-abc854d9e383"
    built: list[bytes] = []
    for ahead in (False, True):
        path = tmp_path / f"p{int(ahead)}.vxpkg"
        writer.build_package(
            path,
            sender=keys,
            recipient=env.server.public,
            sequence=1,
            kind="changes",
            records={"vaccination": [writer.CheckedLines(b"\n".join(lines) + b"\n", len(lines))]},
            audit=iter(audit),
            created_at=created,
            package_id=pid,
            audit_ahead=ahead,
        )
        built.append(path.read_bytes())
    assert built[0] == built[1]
    read = read_package(tmp_path / "p1.vxpkg", env.server.x25519_private, keys.public.ed25519)
    assert read.members["records/vaccination.jsonl"] == b"".join(x + b"\n" for x in lines)
    assert [json.loads(x)["seq"] for x in read.members["audit/audit.jsonl"].splitlines()] == [
        a["seq"] for a in audit
    ]


def test_a_long_audit_backlog_streams_after_the_records_as_before(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More entries than ``AUDIT_AHEAD_MAX`` are not held in memory: read on the caller's
    connection after the records, on the exporting thread."""
    conn = number.register.conn
    monkeypatch.setattr(sync_export, "AUDIT_AHEAD_MAX", 1)
    threads = _members_made_on(monkeypatch)
    before = _audit_after(conn, channel(conn).audit_ack_seq)
    assert len(before) > 1
    _exported_on_this_thread(env, number, tmp_path, threads, before)
