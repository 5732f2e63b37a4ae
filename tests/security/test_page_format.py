"""The register's page format (app/store/db.py): new registers and every file 鍵の更新 writes use
HMAC-SHA256 page MACs; registers written before (HMAC-SHA512, SQLCipher 4's default) open as they
are and are never rewritten by opening; a file that opens in neither format is damaged."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import sqlcipher3

from app.services import key_rotation
from app.store import backup_check, bulk, db
from app.store.layout import RegisterLayout
from tests.support.registers import USERS, login_as, make_register

SAVED = Path(__file__).resolve().parents[1] / "fixtures" / "registers" / "v13"
DEK = bytes(range(32))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _saved_copy(tmp_path: Path) -> tuple[Path, bytes]:
    work = tmp_path / "register.vxdb"
    shutil.copyfile(SAVED / "register.vxdb", work)
    return work, bytes.fromhex((SAVED / "dek.hex").read_text().strip())


def _opens_raw(path: Path, dek: bytes, page_hmac: str) -> bool:
    """Whether plain sqlcipher3 reads the file with this page HMAC and nothing else set."""
    conn = sqlcipher3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{dek.hex()}'\"")
        conn.execute(f"PRAGMA cipher_hmac_algorithm = {page_hmac}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()


def _people(conn: db.Connection) -> list[tuple[object, ...]]:
    return list(conn.execute("SELECT * FROM persons ORDER BY id").fetchall())


def test_a_new_register_is_written_with_sha256_page_macs(tmp_path: Path) -> None:
    path = tmp_path / "new.vxdb"
    conn = db.connect(path, DEK, create=True)
    try:
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
        assert db.page_hmac_of(conn) == db.PAGE_HMAC == "HMAC_SHA256"
    finally:
        conn.close()
    assert _opens_raw(path, DEK, "HMAC_SHA256")
    assert not _opens_raw(path, DEK, "HMAC_SHA512")
    again = db.connect(path, DEK, readonly=True)
    try:
        assert db.page_hmac_of(again) == "HMAC_SHA256"
        assert again.execute("SELECT x FROM t").fetchall() == [(1,)]
    finally:
        again.close()


@pytest.mark.parametrize("readonly", [True, False])
def test_a_legacy_register_opens_as_it_is(tmp_path: Path, readonly: bool) -> None:
    work, dek = _saved_copy(tmp_path)
    assert _opens_raw(work, dek, "HMAC_SHA512") and not _opens_raw(work, dek, "HMAC_SHA256")
    before = _digest(work)
    conn = db.connect(work, dek, readonly=readonly)
    try:
        assert db.page_hmac_of(conn) == db.LEGACY_PAGE_HMAC == "HMAC_SHA512"
        assert conn.execute("SELECT count(*) FROM persons").fetchone()[0] > 0
    finally:
        conn.close()
    assert _digest(work) == before  # the first, failed try in the current format wrote nothing


@pytest.mark.parametrize("legacy", [True, False])
def test_a_wrong_key_opens_neither_format_and_changes_nothing(tmp_path: Path, legacy: bool) -> None:
    if legacy:
        work, _ = _saved_copy(tmp_path)
    else:
        work = tmp_path / "new.vxdb"
        db.connect(work, DEK, create=True).close()
    before = _digest(work)
    with pytest.raises(db.RegisterDamaged):
        db.connect(work, bytes(32))
    assert _digest(work) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [work.name]


@pytest.mark.parametrize("legacy", [True, False])
def test_a_backup_keeps_the_page_format_of_its_register(tmp_path: Path, legacy: bool) -> None:
    if legacy:
        work, dek = _saved_copy(tmp_path)
    else:
        work, dek = tmp_path / "new.vxdb", DEK
        made = db.connect(work, dek, create=True)
        made.execute("CREATE TABLE register_meta (key TEXT PRIMARY KEY, value TEXT)")
        made.close()
    conn = db.connect(work, dek)
    out = tmp_path / "backup.vxdb"
    try:
        db.backup_to(conn, out, dek)
    finally:
        conn.close()
    expected = "HMAC_SHA512" if legacy else "HMAC_SHA256"
    assert _opens_raw(out, dek, expected)
    copy = db.connect(out, dek, readonly=True)
    try:
        assert db.page_hmac_of(copy) == expected
        assert db.integrity_check(copy) == []
    finally:
        copy.close()
    if legacy:  # what a restore checks first
        assert backup_check.inspect_copy(out, dek).problems == ()


def test_rekey_brings_a_legacy_register_to_the_current_format(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    make_register(reg)
    database = RegisterLayout(reg).database
    # make it a register of the legacy format, as every register written before format 2 is
    admin = login_as(reg, "admin")
    legacy = tmp_path / "legacy.vxdb"
    try:
        bulk.export_encrypted_variant(
            admin.register.conn, legacy, admin.register.dek, hmac_algorithm="HMAC_SHA512"
        )
        dek = admin.register.dek
    finally:
        admin.register.close()
    database.unlink()
    for leftover in (database.with_name(database.name + s) for s in ("-wal", "-shm")):
        leftover.unlink(missing_ok=True)
    legacy.rename(database)
    assert _opens_raw(database, dek, "HMAC_SHA512")

    admin = login_as(reg, "admin")
    try:
        assert db.page_hmac_of(admin.register.conn) == "HMAC_SHA512"
        people = _people(admin.register.conn)
        key_rotation.rekey_register(admin)
        assert db.page_hmac_of(admin.register.conn) == "HMAC_SHA256"
        assert _people(admin.register.conn) == people and len(people) == 5
        new_dek = admin.register.dek
    finally:
        admin.register.close()
    assert _opens_raw(database, new_dek, "HMAC_SHA256")
    for login in USERS:  # every holder still opens it
        login_as(reg, login).register.close()
