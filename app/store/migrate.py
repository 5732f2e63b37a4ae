"""Schema migrations: numbered SQL files in app/store/migrations, applied in order.

Each step runs in its own transaction together with its ``schema_version`` row. Before an existing
register is migrated, an encrypted copy is written beside it. A register whose schema is newer
than this code is refused and left untouched. Steps never import model code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3

from app.errors import RegisterError
from app.store.db import Connection, RegisterNotARegister, backup_to

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class SchemaTooNew(RegisterError):
    code = "E_REGISTER_SCHEMA_NEWER"


class MigrationFailed(RegisterError):
    code = "E_MIGRATION_FAILED"


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    steps = []
    for path in sorted(directory.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise ValueError(f"bad migration file name: {path.name}")
        steps.append(Migration(int(m.group(1)), m.group(2), path.read_text(encoding="utf-8")))
    versions = [s.version for s in steps]
    if versions != list(range(1, len(steps) + 1)):
        raise ValueError("migration numbers must be 1..N without gaps")
    return steps


def latest_version(directory: Path = MIGRATIONS_DIR) -> int:
    return len(available_migrations(directory))


def current_version(conn: Connection) -> int:
    """Schema version of an open register; 0 for an empty database."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not has_table:
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables:
            raise RegisterNotARegister()
        return 0
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def check_supported(conn: Connection, directory: Path = MIGRATIONS_DIR) -> int:
    """Return the current version; raise :class:`SchemaTooNew` if the code is older."""
    version = current_version(conn)
    if version > latest_version(directory):
        raise SchemaTooNew()
    return version


def migrate(
    conn: Connection,
    *,
    db_path: Path | None = None,
    dek: bytes | None = None,
    directory: Path = MIGRATIONS_DIR,
) -> list[int]:
    """Apply pending migrations. Returns the versions applied.

    For an existing register (version ≥ 1) a backup copy is written first when ``db_path`` and
    ``dek`` are given: ``<name>.pre-v<N>-<timestamp>.bak`` beside the file.
    """
    version = check_supported(conn, directory)
    pending = [m for m in available_migrations(directory) if m.version > version]
    if not pending:
        return []
    if version >= 1 and db_path is not None and dek is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup_to(conn, db_path.with_name(f"{db_path.name}.pre-v{version}-{stamp}.bak"), dek)
    applied = []
    for step in pending:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        script = (
            "BEGIN IMMEDIATE;\n"
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);\n"
            f"{step.sql}\n;"
            f"INSERT INTO schema_version (version, name, applied_at)"
            f" VALUES ({step.version}, '{step.name}', '{now}');\n"
            "COMMIT;"
        )
        try:
            conn.executescript(script)
        except sqlcipher3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise MigrationFailed() from exc
        applied.append(step.version)
    return applied
