"""The hub's own operations: create, open, enrol and revoke terminals, status, backup.

Qt-free; the ``vaxdesk hub`` commands (app/commands/hub.py) call these. Every refusal raises a
``VaxDeskError`` with a stable code and changes nothing.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.hub.clock import utc_now_text
from app.hub.errors import HubError, HubExists, HubInvalidInput, UnknownTerminal
from app.hub.keyfile import HubSecrets, create_key_file, load_key_file
from app.hub.layout import HubConfig, HubLayout, validate_party_id
from app.hub.store import masters as mstore
from app.hub.store import numbers as nstore
from app.hub.store import residents as rstore
from app.hub.store import sync_state as sstore
from app.hub.store.engine import backup_sqlcipher
from app.hub.store.hubstore import HubStore, open_store
from app.hub.trust import current_trust, issue_trust, party_row
from app.security.person_numbers import NumberCipher
from app.sync.keys import KeyPair, generate_keypair, load_keypair, load_public_key, write_key_files
from app.sync.trust import write_trust_dir

DEFAULT_ATENA_WIDTH = 10
STATUS_LIST_LIMIT = 100  # newest quarantined packages and conflicts listed by status


@dataclass
class Hub:
    layout: HubLayout
    config: HubConfig
    secrets: HubSecrets
    store: HubStore
    server: KeyPair

    @property
    def hub_id(self) -> str:
        return self.config.hub_id

    def numbers(self) -> NumberCipher:
        return NumberCipher(self.secrets.number_key)

    def close(self) -> None:
        self.store.close()


def _open_engine(
    layout: HubLayout, config: HubConfig, secrets: HubSecrets, *, create: bool
) -> HubStore:
    if config.engine == "sqlcipher":
        return open_store("sqlcipher", path=layout.database, db_key=secrets.db_key, create=create)
    return open_store("postgresql", database_url=config.database, create=create)


def init_hub(
    directory: Path,
    hub_id: str,
    *,
    database_url: str | None = None,
    atena_width: int = DEFAULT_ATENA_WIDTH,
    server_keys: KeyPair | None = None,
) -> Hub:
    """Create a hub: key file, server keys (new, or ``server_keys`` when given: the demo uses the
    keys its terminal was provisioned with), database with schema, trust version 1."""
    validate_party_id(hub_id)
    if server_keys is not None and server_keys.party_id != hub_id:
        raise HubInvalidInput("サーバー鍵の ID がハブの ID と一致しません。", code="E_HUB_ID")
    if not 4 <= atena_width <= 20:
        raise HubInvalidInput("宛名番号の桁数は4〜20で指定してください。", code="E_HUB_ATENA_WIDTH")
    layout = HubLayout(directory)
    if layout.exists() or layout.key_file.exists() or layout.database.exists():
        raise HubExists()
    directory.mkdir(parents=True, exist_ok=True)
    config = HubConfig(hub_id, "postgresql" if database_url else "sqlcipher", database_url)
    created: list[Path] = []
    try:
        secrets = create_key_file(layout.key_file)
        created.append(layout.key_file)
        if config.engine == "sqlcipher":
            created.append(layout.database)
        store = _open_engine(layout, config, secrets, create=True)
        try:
            pair = server_keys or generate_keypair(hub_id)
            created.extend(write_key_files(pair, layout.keys_dir))
            now = utc_now_text()
            with store.begin() as conn:
                store.set_meta(conn, "hub_id", hub_id)
                store.set_meta(conn, "atena_width", str(atena_width))
                store.set_meta(conn, "created_at", now)
                store.add_party(conn, party_row(pair.public, "server", now), now)
                issue_trust(store, conn, pair, now)
            layout.quarantine_dir.mkdir(exist_ok=True)
            layout.write_config(config)
        except BaseException:
            store.close()
            raise
    except BaseException:
        for path in created:
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                p.unlink(missing_ok=True)
        raise
    hub = Hub(layout, config, secrets, store, pair)
    publish_trust(hub)
    return hub


def open_hub(directory: Path) -> Hub:
    layout = HubLayout(directory)
    config = layout.read_config()
    secrets = load_key_file(layout.key_file)
    server = load_keypair(layout.keys_dir / f"{config.hub_id}.key.json")
    store = _open_engine(layout, config, secrets, create=False)
    with store.begin() as conn:
        if store.get_meta(conn, "hub_id") != config.hub_id:
            store.close()
            raise HubError(
                "hub.json とデータベースのハブ ID が一致しません。", code="E_HUB_MISMATCH"
            )
    return Hub(layout, config, secrets, store, server)


@contextlib.contextmanager
def opened(directory: Path) -> Iterator[Hub]:
    hub = open_hub(directory)
    try:
        yield hub
    finally:
        hub.close()


def add_terminal(hub: Hub, pub_file: Path) -> int:
    """Enrol a terminal from its ``ID.pub.json``; returns the new trust version."""
    pub = load_public_key(pub_file)
    validate_party_id(pub.party_id)
    now = utc_now_text()
    with hub.store.begin() as conn:
        if hub.store.party(conn, pub.party_id) is not None:
            raise HubInvalidInput(
                "この ID の端末（またはサーバー）は既に登録されています。",
                code="E_HUB_TERMINAL_EXISTS",
            )
        hub.store.add_party(conn, party_row(pub, "terminal", now), now)
        version = issue_trust(hub.store, conn, hub.server, now)
    publish_trust(hub)
    return version


def revoke_terminal(hub: Hub, terminal_id: str) -> int:
    """Revoke a terminal's key from now on; returns the new trust version."""
    now = utc_now_text()
    with hub.store.begin() as conn:
        row = hub.store.party(conn, terminal_id)
        if row is None or row.role != "terminal":
            raise UnknownTerminal()
        if row.revoked_at is not None:
            raise HubInvalidInput("この端末は既に失効しています。", code="E_HUB_TERMINAL_REVOKED")
        hub.store.revoke_party(conn, terminal_id, now)
        version = issue_trust(hub.store, conn, hub.server, now)
    publish_trust(hub)
    return version


def publish_trust(hub: Hub) -> None:
    """Write the current signed trust files to ``HUB/trust/`` (public: what a new terminal is
    provisioned with, beside the hub's ``keys/ID.pub.json``)."""
    with hub.store.begin() as conn:
        trust = current_trust(hub.store, conn)
    if trust is not None:
        write_trust_dir(trust, hub.layout.trust_dir)


def status(hub: Hub) -> dict[str, Any]:
    """Terminals, sequences each way, unacknowledged counts, contact, quarantine, conflicts,
    masters per type, provisional 個人番号 and the hub's audit trail (master imports)."""
    with hub.store.begin() as conn:
        trust = hub.store.latest_trust(conn)
        parties = {p.party_id: p for p in hub.store.parties(conn)}
        position = hub.store.change_seq(conn)
        terminals = []
        for ch in hub.store.channel_rows(conn):
            party = parties[ch["terminal_id"]]
            terminals.append(
                {
                    "id": ch["terminal_id"],
                    "key_id": party.key_id,
                    "revoked_at": party.revoked_at,
                    "last_received_sequence": ch["in_last_seq"],
                    "last_sent_sequence": ch["out_last_seq"],
                    "acknowledged_sequence": ch["out_acked_seq"],
                    "unacknowledged_packages": ch["out_last_seq"] - ch["out_acked_seq"],
                    "unacknowledged_changes": rstore.unacked_changes(conn, ch["acked_change_seq"]),
                    "last_contact": ch["last_contact"],
                    "audit_head": {"seq": ch["audit_seq"], "hash": ch["audit_hash"]},
                }
            )
        counts = hub.store.counts(conn)
        residents = rstore.resident_count(conn)
        quarantine = [
            {
                "at": q["at"],
                "code": q["code"],
                "terminal": q["terminal_id"],
                "file": q["file_name"],
                "record_type": q["record_type"],
                "record_uid": None
                if q["record_uid"] is None
                else str(uuid.UUID(bytes=bytes(q["record_uid"]))),
            }
            for q in sstore.quarantined(conn, limit=STATUS_LIST_LIMIT)
        ]
        conflicts = [
            {
                "type": c["type"],
                "uid": str(uuid.UUID(bytes=bytes(c["uid"]))),
                "kept_version": c["winner_version"],
                "kept_origin": c["winner_origin"],
                "other_version": c["loser_version"],
                "other_origin": c["loser_origin"],
                "detected_at": c["detected_at"],
            }
            for c in sstore.all_conflicts(conn, limit=STATUS_LIST_LIMIT)
        ]
        provisional, newest = nstore.provisional_numbers(conn, STATUS_LIST_LIMIT)
        audit_total, audit = mstore.audit_entries(conn, STATUS_LIST_LIMIT)
        masters = {t: len(mstore.masters_of(conn, t)) for t in mstore.MASTER_TYPES}
    return {
        "hub": hub.hub_id,
        "engine": hub.config.engine,
        "trust_version": trust[0] if trust else 0,
        "register_position": position,
        "residents": residents,
        "terminals": terminals,
        **counts,
        "quarantine_list": quarantine,
        "conflict_list": conflicts,
        "masters": masters,
        # 個人番号 entered at a terminal, not yet confirmed by the 住民記録 (never the number)
        "provisional_numbers": provisional,
        "provisional_number_list": [
            {
                "person_uid": str(uuid.UUID(bytes=p["person_uid"])),
                "uid": str(uuid.UUID(bytes=p["uid"])),
                "origin": p["origin"],
                "version": p["version"],
            }
            for p in reversed(newest)
        ],
        "hub_audit": audit_total,
        "hub_audit_list": audit,
    }


def backup(hub: Hub, out: Path) -> None:
    """Encrypted copy of the embedded database (same key) via SQLite's online backup API."""
    if hub.config.engine != "sqlcipher":
        raise HubInvalidInput(
            "PostgreSQL のハブは PostgreSQL のバックアップ機能（pg_dump 等）を使ってください。",
            code="E_HUB_BACKUP_ENGINE",
        )
    if out.exists():
        raise HubInvalidInput(
            "出力先のファイルが既にあります。上書きしません。", code="E_HUB_BACKUP_EXISTS"
        )
    backup_sqlcipher(hub.store.engine, hub.secrets.db_key, out)
