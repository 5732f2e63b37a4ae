"""The hub's storage interface: one class, the same on both engines.

Callers get an ``HubStore`` from :func:`open_store` and work inside ``store.begin()`` (one
transaction). Engine differences stay in this package: the bulk paths (``bulk.py``) and the
embedded engine's backup.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from app.hub.errors import HubDatabaseError, HubInvalidInput
from app.hub.store import engine as engines
from app.hub.store.schema import (
    channels,
    conflicts,
    hub_meta,
    parties,
    quarantine,
    security_events,
    trust_versions,
)


@dataclass(frozen=True, slots=True)
class PartyRow:
    party_id: str
    role: str
    key_id: str
    ed25519: str
    x25519: str
    valid_from: str
    valid_until: str | None
    revoked_at: str | None


def _party(row: Any) -> PartyRow:
    return PartyRow(*row)


class HubStore:
    def __init__(self, engine: Engine, engine_name: str) -> None:
        self.engine = engine
        self.engine_name = engine_name  # "sqlcipher" | "postgresql"

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # --- meta -----------------------------------------------------------------------------

    @staticmethod
    def get_meta(conn: Connection, key: str) -> str | None:
        value = conn.execute(select(hub_meta.c.value).where(hub_meta.c.key == key)).scalar()
        return None if value is None else str(value)

    @staticmethod
    def set_meta(conn: Connection, key: str, value: str) -> None:
        done = conn.execute(update(hub_meta).where(hub_meta.c.key == key).values(value=value))
        if done.rowcount == 0:
            conn.execute(insert(hub_meta).values(key=key, value=value))

    def allocate_change_seq(self, conn: Connection, count: int) -> int:
        """Reserve ``count`` register positions; returns the first. Positions only grow."""
        current = int(self.get_meta(conn, "change_seq") or 0)
        self.set_meta(conn, "change_seq", str(current + count))
        return current + 1

    def change_seq(self, conn: Connection) -> int:
        return int(self.get_meta(conn, "change_seq") or 0)

    # --- parties and trust ----------------------------------------------------------------

    @staticmethod
    def parties(conn: Connection) -> list[PartyRow]:
        rows = conn.execute(
            select(
                parties.c.id,
                parties.c.role,
                parties.c.key_id,
                parties.c.ed25519,
                parties.c.x25519,
                parties.c.valid_from,
                parties.c.valid_until,
                parties.c.revoked_at,
            ).order_by(parties.c.id)
        ).all()
        return [_party(r) for r in rows]

    @staticmethod
    def party(conn: Connection, party_id: str) -> PartyRow | None:
        row = conn.execute(
            select(
                parties.c.id,
                parties.c.role,
                parties.c.key_id,
                parties.c.ed25519,
                parties.c.x25519,
                parties.c.valid_from,
                parties.c.valid_until,
                parties.c.revoked_at,
            ).where(parties.c.id == party_id)
        ).first()
        return None if row is None else _party(row)

    @staticmethod
    def add_party(conn: Connection, row: PartyRow, added_at: str) -> None:
        conn.execute(
            insert(parties).values(
                id=row.party_id,
                role=row.role,
                key_id=row.key_id,
                ed25519=row.ed25519,
                x25519=row.x25519,
                valid_from=row.valid_from,
                valid_until=row.valid_until,
                revoked_at=row.revoked_at,
                added_at=added_at,
            )
        )
        if row.role == "terminal":
            conn.execute(
                insert(channels).values(
                    terminal_id=row.party_id,
                    in_last_seq=0,
                    out_last_seq=0,
                    out_acked_seq=0,
                    acked_change_seq=0,
                    audit_seq=0,
                )
            )

    @staticmethod
    def revoke_party(conn: Connection, party_id: str, at: str) -> None:
        conn.execute(update(parties).where(parties.c.id == party_id).values(revoked_at=at))

    @staticmethod
    def latest_trust(conn: Connection) -> tuple[int, bytes, bytes] | None:
        row = conn.execute(
            select(trust_versions.c.version, trust_versions.c.body, trust_versions.c.signature)
            .order_by(trust_versions.c.version.desc())
            .limit(1)
        ).first()
        return None if row is None else (int(row[0]), bytes(row[1]), bytes(row[2]))

    @staticmethod
    def add_trust(conn: Connection, version: int, issued_at: str, body: bytes, sig: bytes) -> None:
        conn.execute(
            insert(trust_versions).values(
                version=version, issued_at=issued_at, body=body, signature=sig
            )
        )

    # --- status ---------------------------------------------------------------------------

    @staticmethod
    def channel_rows(conn: Connection) -> list[dict[str, Any]]:
        rows = conn.execute(select(channels).order_by(channels.c.terminal_id)).mappings().all()
        return [dict(r) for r in rows]

    @staticmethod
    def counts(conn: Connection) -> dict[str, int]:
        def count(table: Any) -> int:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

        return {
            "quarantined": count(quarantine),
            "conflicts": count(conflicts),
            "security_events": count(security_events),
        }


def open_store(
    engine_name: str,
    *,
    path: Path | None = None,
    db_key: bytes | None = None,
    database_url: str | None = None,
    create: bool = False,
) -> HubStore:
    """Open (``create=True``: create) the hub database and bring its schema up to date."""
    if engine_name == "sqlcipher":
        if path is None or db_key is None:
            raise ValueError("the embedded engine needs a path and a key")
        engine = engines.sqlcipher_engine(path, db_key, create=create)
    elif engine_name == "postgresql":
        if database_url is None:
            raise ValueError("PostgreSQL needs a URL")
        engine = engines.postgres_engine(database_url)
    else:
        raise HubInvalidInput("不明なデータベースエンジンです。", code="E_HUB_DATABASE_URL")
    try:
        current = engines.current_revision(engine)
        if create and engine_name == "postgresql" and current is not None:
            raise HubDatabaseError(
                "指定の PostgreSQL データベースには既にハブがあります。空のデータベースを指定して"
                "ください。",
                code="E_HUB_EXISTS",
            )
        if not create and current is None:
            raise HubDatabaseError(
                "データベースにハブのテーブルがありません。", code="E_HUB_DATABASE"
            )
        engines.upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return HubStore(engine, engine_name)
