"""Opening the hub database on either engine, and bringing its schema up to date.

- Embedded: one SQLCipher 4 file keyed with a raw 256-bit key from the hub's key file
  (SQLAlchemy's ``sqlite+pysqlcipher`` dialect over the ``sqlcipher3`` module). The file is
  created owner-only and never re-created when it fails to open.
- PostgreSQL: ``postgresql://…`` through psycopg 3. Replication, backups and monitoring are
  PostgreSQL's own.

Migrations for both come from one source: the Alembic revisions in ``migrations/versions``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlcipher3
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError

from app.hub.errors import HubDatabaseError, HubDatabaseNewer

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_MAGIC = b"SQLite format 3\x00"


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _on_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA cipher_log_level = NONE")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA busy_timeout = 10000")
    cur.execute("PRAGMA temp_store = MEMORY")
    cur.execute("PRAGMA cache_size = -262144")  # 256 MiB: bulk imports of a million persons
    cur.close()


def _on_sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def sqlcipher_engine(path: Path, db_key: bytes, *, create: bool = False) -> Engine:
    """An engine on the encrypted file ``path``; refuses a missing or a plain SQLite file."""
    if len(db_key) != 32:
        raise ValueError("the database key is 32 bytes")
    if create:
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            raise HubDatabaseError(
                "ハブのデータベースファイルが既にあります。上書きしません。", code="E_HUB_EXISTS"
            ) from None
    else:
        if not path.is_file():
            raise HubDatabaseError(
                "ハブのデータベースファイルが見つかりません。--dir を確認してください。",
                code="E_HUB_MISSING",
            )
        with path.open("rb") as fh:
            if fh.read(16) == SQLITE_MAGIC:
                raise HubDatabaseError(
                    "暗号化されていないデータベースです。ハブのデータベースではないため開きません。",
                    code="E_HUB_NOT_ENCRYPTED",
                )
    url = URL.create("sqlite+pysqlcipher", password=f"x'{db_key.hex()}'", database=str(path))
    engine = create_engine(url)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    if create:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode = WAL")
    return engine


def postgres_engine(database_url: str) -> Engine:
    """An engine on PostgreSQL through psycopg 3 (``postgresql://`` or ``postgresql+psycopg://``)."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise HubDatabaseError(
            "データベースの URL を読み取れません。postgresql://… の形式で指定してください。",
            code="E_HUB_DATABASE_URL",
        ) from None
    if url.get_backend_name() != "postgresql" or url.get_driver_name() not in ("psycopg", ""):
        raise HubDatabaseError(
            "対応しているデータベースは PostgreSQL（postgresql://…）だけです。",
            code="E_HUB_DATABASE_URL",
        )
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(engine_conn: Any) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = engine_conn
    return cfg


def head_revision() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except (DatabaseError, OperationalError) as exc:
        raise HubDatabaseError(
            "ハブのデータベースを開けませんでした。鍵ファイルが違うか、ファイルが破損しています。",
            code="E_HUB_DATABASE",
        ) from exc


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; refuse a database written by newer code."""
    current = current_revision(engine)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    known = {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}
    if current is not None and current not in known:
        raise HubDatabaseNewer()
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")


def backup_sqlcipher(engine: Engine, db_key: bytes, out: Path) -> None:
    """Copy the embedded database to ``out`` (same key, owner-only) with SQLite's backup API,
    check the copy's integrity, then move it into place; a failed copy leaves nothing."""
    tmp = out.with_name(out.name + ".partial")
    os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        with engine.connect() as conn:
            source = conn.connection.driver_connection
            target = sqlcipher3.connect(str(tmp), isolation_level=None)
            try:
                target.execute("PRAGMA cipher_log_level = NONE")
                target.execute(f"PRAGMA key = \"x'{db_key.hex()}'\"")
                source.backup(target)  # type: ignore[union-attr]
                ok = target.execute("PRAGMA integrity_check").fetchone()
            finally:
                target.close()
        if ok is None or ok[0] != "ok":
            raise HubDatabaseError("バックアップの検証に失敗しました。", code="E_HUB_BACKUP")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
