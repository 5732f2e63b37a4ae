"""A terminal register that trusts a test server, with local changes waiting, and helpers that
play the server (open the terminal's packages, build update packages for it)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.errors import VaxDeskError
from app.security.session import Session
from app.services import _sync_identity, persons, results
from app.services.recovery import open_with_recovery_code
from app.store import db, stored_line_reader, sync_state
from app.sync.encoding import utc_now
from app.sync.keys import KeyPair, PublicKey, generate_keypair
from app.sync.reader import open_package
from app.sync.trust import Trust, build_trust, make_party
from app.sync.writer import BuiltPackage, build_package
from tests.support.registers import add_masters, login_as, make_register

SERVER_ID = "192015-HUB"


@dataclass
class SyncEnv:
    directory: Path
    recovery: str
    server: KeyPair
    terminal: PublicKey
    trust: Trust
    sequence: int = 0  # the server's last sequence to the terminal

    def build_update(
        self,
        out: Path,
        records: Mapping[str, Iterable[Any]] | None = None,
        *,
        ack: int = 0,
        kind: str = "updates",
        sequence: int | None = None,
        manifest_extra: Mapping[str, Any] | None = None,
        recipient: PublicKey | None = None,
        trust: Trust | None = None,
        created_at: datetime | None = None,
        expires_at: datetime | None = None,
        sender: KeyPair | None = None,
        package_id: str | None = None,
    ) -> BuiltPackage:
        if sequence is None:
            self.sequence += 1
            sequence = self.sequence
        return build_package(
            out,
            sender=sender or self.server,
            recipient=recipient or self.terminal,
            sequence=sequence,
            ack=ack,
            kind=kind,
            records=records or {},
            manifest_extra=manifest_extra,
            trust=trust,
            created_at=created_at,
            expires_at=expires_at,
            package_id=package_id,
        )

    def open_as_server(self, path: Path) -> Any:
        return open_package(path, trust=self.trust, identity=self.server)


def server_trust(server: KeyPair, terminals: list[PublicKey], version: int = 1) -> Trust:
    now = utc_now()
    start, until = now - timedelta(days=1), now + timedelta(days=365)
    parties = [make_party(server.public, "server", start, until)]
    parties += [make_party(t, "terminal", start, until) for t in terminals]
    return build_trust(version, parties, [server], issued_at=now)


def make_sync_register(
    directory: Path,
    *,
    with_change: bool = True,
    demo: bool = False,
    with_people: bool = True,
    with_masters: bool = True,
) -> SyncEnv:
    """A register with people and masters that trusts a fresh test server, and (optionally) one
    recorded vaccination waiting in the outbox. Without people and masters it is the empty
    register of a new terminal (an ``initial`` package's recipient)."""
    recovery = make_register(directory, demo=demo, with_people=with_people)
    if with_masters:
        add_masters(directory, recovery)
    server = generate_keypair(SERVER_ID)
    access = open_with_recovery_code(directory, recovery)
    try:
        conn = access.register.conn
        terminal = _sync_identity.identity_keys(conn).public
        trust = server_trust(server, [terminal])
        with db.transaction(conn):
            _sync_identity.install_trust(conn, trust, "test")
    finally:
        access.register.close()
    env = SyncEnv(directory, recovery, server, terminal, trust)
    if with_change:
        nurse = login_as(directory, "nurse")
        try:
            record_dose(nurse)
        finally:
            nurse.register.close()
    return env


def signed_in(env: SyncEnv, login: str = "number") -> Iterator[Session]:
    """A session of ``login`` on the terminal, closed afterwards (``yield from`` it in a
    fixture)."""
    session = login_as(env.directory, login)
    try:
        yield session
    finally:
        session.register.close()


def more_doses(env: SyncEnv, count: int) -> SyncEnv:
    """``count`` more vaccinations recorded by the nurse (from 1 July 2026), each queued."""
    nurse = login_as(env.directory, "nurse")
    try:
        for i in range(count):
            record_dose(nurse, date(2026, 7, 1 + i))
    finally:
        nurse.register.close()
    return env


def fail_stored_batch(monkeypatch: pytest.MonkeyPatch, call: int) -> None:
    """The export reads its stored lines two at a time and the ``call``-th read fails
    (``E_TEST_READ``)."""
    monkeypatch.setattr(stored_line_reader, "FETCH", 2)
    calls: list[int] = []
    batch = stored_line_reader._batch

    def failing(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == call:
            raise VaxDeskError("読み取りに失敗しました。", code="E_TEST_READ")
        return batch(*args)

    monkeypatch.setattr(stored_line_reader, "_batch", failing)


def record_dose(nurse: Session, on: date = date(2026, 6, 1)) -> list[int]:
    taro = persons.search(nurse, "0000000001").people[0].person_id
    return results.record(
        nurse,
        taro,
        results.ResultInput(
            series_id="mr1",
            product_id="mr",
            vaccinated_on=on,
            institution_code="1310000001",
            lot_no="MR001",
            payment_month="2026-07",
        ),
        override_reason="試験のため",
    )


def dump_tables(conn: db.Connection, *, skip: tuple[str, ...] = ("audit_log",)) -> str:
    """SHA-256 of every row of every table but ``skip`` (compare before and after)."""
    digest = hashlib.sha256()
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).fetchall()
    ]
    for name in names:
        if name in skip:
            continue
        digest.update(name.encode())
        for row in conn.execute(f"SELECT * FROM {name} ORDER BY 1"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def channel(conn: db.Connection) -> sync_state.Channel:
    return sync_state.channel(conn, SERVER_ID)


_CLOCK = [0]
STAMP = {"updated_date": "2026-12-01", "updated_time": "10:00:00", "updated_by": "S0001"}


def server_version() -> str:
    """A server version newer than anything written so far (a hybrid clock of the server)."""
    import time

    _CLOCK[0] = max(_CLOCK[0] + 1, time.time_ns() // 1_000_000 + 1)
    return f"{_CLOCK[0]:013d}.00000.{SERVER_ID}"


def local_envelope(conn: db.Connection, record_type: str, uid: bytes) -> dict[str, Any]:
    """The register's current record as the server would hold it (to edit into an update)."""
    from app.services._sync_records import to_envelope
    from app.store import sync_outbox

    row = next(sync_outbox.read_records(conn, record_type, [uid]))
    _, env = to_envelope(row, party_id=SERVER_ID, cipher=None)
    return env


def server_edit(envelope: dict[str, Any], **changes: Any) -> dict[str, Any]:
    edited = {**envelope, "data": {**envelope["data"], **changes}}
    edited["version"], edited["origin"] = server_version(), SERVER_ID
    return edited


def envelope(
    rtype: str, data: dict[str, Any], *, uid: str | None = None, version: str | None = None
) -> dict[str, Any]:
    import uuid_utils

    return {
        "type": rtype,
        "uid": uid or str(uuid_utils.uuid7()),
        "version": version or server_version(),
        "origin": SERVER_ID,
        "voided": None,
        "data": {**data, **STAMP},
    }


def person_env(
    atena: str, name_kana: str = "シンキ タロウ", *, uid: str | None = None, **extra: Any
) -> dict[str, Any]:
    data = {
        "atena_no": atena,
        "name": "新規 太郎",
        "name_kana": name_kana,
        "sex": "M",
        "birth_date": "2024-04-01",
        "address": "テスト市本町9-9",
        "moved_out": False,
        "deceased": False,
        "provisional": False,
        **extra,
    }
    return envelope("person", data, uid=uid)


def number_env(person_uid: str, number: str) -> dict[str, Any]:
    return envelope("person_number", {"person_uid": person_uid, "number": number})
