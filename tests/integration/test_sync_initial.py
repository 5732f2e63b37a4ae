"""``initial`` packages: applied only to a register without residents or records
(E_SYNC_INITIAL_NOT_EMPTY, nothing changed, the file left where it is); into an empty register the
bulk path gives exactly what the general record-by-record path gives (same rows, same
quarantine codes, guardians within a chunk, across chunks and forward references, a duplicate
uid, a constraint failure), the dropped indexes are back, the register is intact, and a
re-import is "already imported"."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.security.person_numbers import NumberCipher
from app.security.session import Session
from app.services import _sync_identity, _sync_initial
from app.services._sync_applier import ApplyStats
from app.services._sync_apply import apply_package
from app.services._sync_initial import InitialNotEmpty, apply_initial
from app.services._sync_records import to_envelope
from app.services.sync_import import import_package
from app.store import audit, db, initial_load, list_kept, sync_apply, sync_outbox
from app.sync.reader import open_package
from tests.support.registers import USERS, login_as
from tests.support.sync_env import (
    SERVER_ID,
    SyncEnv,
    dump_tables,
    make_sync_register,
    person_env,
    server_version,
)

SYNTHETIC = 4500  # three chunks of the bulk path (2,000)
TYPES = ("household", "institution", "vaccine", "lot", "person", "issuance", "vaccination")


def _source_records(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """Every record of a populated register as the server sends it, plus synthetic residents:
    guardians earlier in the same chunk, in an earlier chunk and later in the package (that
    one is quarantined), a second version of one uid and an atena_no used twice."""
    nurse = login_as(directory, "nurse")
    try:
        conn = nurse.register.conn
        records: dict[str, list[dict[str, Any]]] = {t: [] for t in TYPES}
        for rtype in TYPES:
            table = sync_outbox.RECORD_TABLES[rtype]
            uids = [bytes(r[0]) for r in conn.execute(f"SELECT uid FROM {table} ORDER BY id")]
            for row in sync_outbox.read_records(conn, rtype, uids):
                ptype, env = to_envelope(row, party_id=SERVER_ID, cipher=None)
                env["origin"], env["version"] = SERVER_ID, server_version()
                records[ptype].append(env)
    finally:
        nurse.register.close()
    people = [person_env(f"{500000 + i:010d}", "ヤマダ ハナコ") for i in range(SYNTHETIC)]
    for i in range(1, SYNTHETIC, 7):
        people[i]["data"]["guardian_uid"] = people[i - 1]["uid"]  # same chunk, just before
    people[2100]["data"]["guardian_uid"] = people[3]["uid"]  # an earlier chunk
    people[1990]["data"]["guardian_uid"] = people[2500]["uid"]  # later: not there yet
    newer = json.loads(json.dumps(people[20]))
    newer["version"] = server_version()
    newer["data"]["address"] = "テスト市新町1-1"
    people.insert(4300, newer)
    twin = person_env(people[30]["data"]["atena_no"])  # UNIQUE atena_no refuses it
    people.insert(4200, twin)
    records["person"] = people + records["person"]
    return records


def _dump_by_uid(conn: db.Connection) -> dict[str, dict[bytes, tuple[Any, ...]]]:
    """Every synced row by uid, its references given as the referenced uid (row ids differ)."""
    uid_of: dict[str, dict[int, bytes]] = {}
    for table in sync_outbox.RECORD_TABLES.values():
        uid_of[table] = {int(i): bytes(u) for i, u in conn.execute(f"SELECT id, uid FROM {table}")}
    product_of = {int(i): str(p) for i, p in conn.execute("SELECT id, product_id FROM vaccines")}
    out: dict[str, dict[bytes, tuple[Any, ...]]] = {}
    for rtype, table in sync_outbox.RECORD_TABLES.items():
        fks = sync_outbox.FOREIGN_KEYS.get(table, {})
        cur = conn.execute(f"SELECT * FROM {table}")
        names = [c[0] for c in cur.description]
        rows: dict[bytes, tuple[Any, ...]] = {}
        for row in cur:
            values = []
            for name, value in zip(names, row, strict=True):
                if name == "id" or value is None or name not in fks:
                    values.append(None if name == "id" else value)
                    continue
                target = sync_outbox.RECORD_TABLES[fks[name][0]]
                values.append(product_of[value] if target == "vaccines" else uid_of[target][value])
            rows[bytes(row[names.index("uid")])] = tuple(values)
        out[rtype] = rows
    return out


class _Undo(Exception):
    pass


@pytest.fixture
def empty(tmp_path: Path) -> SyncEnv:
    return make_sync_register(
        tmp_path / "new", with_change=False, with_people=False, with_masters=False
    )


@pytest.fixture
def initial_pkg(tmp_path: Path, empty: SyncEnv) -> Path:
    source = make_sync_register(tmp_path / "src")
    pkg = tmp_path / "initial.vxpkg"
    empty.build_update(pkg, _source_records(source.directory), kind="initial")
    return pkg


def _applied(
    session: Session,
    pkg: Path,
    apply: Callable[..., ApplyStats],
) -> tuple[ApplyStats, dict[str, dict[bytes, tuple[Any, ...]]], list[tuple[Any, ...]]]:
    """Apply ``pkg`` with ``apply`` in a transaction, read the outcome, roll it back."""
    conn = session.register.conn
    keys = _sync_identity.identity_keys(conn)
    trust = _sync_identity.stored_trust(conn)
    assert trust is not None
    found: list[Any] = []
    opened = open_package(pkg, trust=trust, identity=keys, tmp_dir=pkg.parent)
    with opened, pytest.raises(_Undo), db.transaction(conn):
        cipher = NumberCipher(session.number_key())
        found.append(apply(conn, opened, party_id=keys.party_id, cipher=cipher))
        found.append(_dump_by_uid(conn))
        found.append(
            conn.execute(
                "SELECT record_uid, code FROM sync_record_quarantine ORDER BY record_uid"
            ).fetchall()
        )
        raise _Undo()
    return found[0], found[1], [tuple(r) for r in found[2]]


@pytest.mark.parametrize("line_path", [True, False], ids=["line-path", "row-builder"])
def test_bulk_path_gives_what_the_general_path_gives(
    empty: SyncEnv, initial_pkg: Path, monkeypatch: pytest.MonkeyPatch, line_path: bool
) -> None:
    bulk_inserted = [0]
    by_lines = [0]
    insert = sync_apply.insert_with_ids
    insert_lines = initial_load.JsonInserter.insert

    def counted(conn: db.Connection, rtype: str, names: Any, rows: list[Any]) -> bool:
        done = insert(conn, rtype, names, rows)
        bulk_inserted[0] += len(rows) if done else 0
        return done

    def counted_lines(self: initial_load.JsonInserter, *args: Any) -> int:
        done = insert_lines(self, *args)
        by_lines[0] += max(done, 0)
        return done

    monkeypatch.setattr(sync_apply, "insert_with_ids", counted)
    monkeypatch.setattr(initial_load.JsonInserter, "insert", counted_lines)
    monkeypatch.setattr(_sync_initial, "LINE_PATH", line_path)
    monkeypatch.setattr(_sync_initial, "LOAD_CHUNK", 2000)  # the chunks the data is laid out for
    number = login_as(empty.directory, "number")
    try:
        before = dump_tables(number.register.conn)
        bulk_stats, bulk_rows, bulk_quarantine = _applied(number, initial_pkg, apply_initial)
        # most rows took the line path (or, without it, the row builder)
        assert (by_lines if line_path else bulk_inserted)[0] > SYNTHETIC // 2
        assert (bulk_inserted if line_path else by_lines)[0] < SYNTHETIC // 2
        assert dump_tables(number.register.conn) == before  # rolled back, indexes included
        general_stats, general_rows, general_quarantine = _applied(
            number, initial_pkg, apply_package
        )
    finally:
        number.register.close()
    assert bulk_rows == general_rows
    assert bulk_quarantine == general_quarantine
    # the twin atena_no; the forward guardian, and in the source data a child listed before
    # its guardian and that child's vaccination
    codes = sorted(code for _, code in bulk_quarantine)
    assert codes == ["E_SYNC_CONSTRAINT"] + ["E_SYNC_REFERENCE"] * 3
    assert (bulk_stats.applied, bulk_stats.quarantined, bulk_stats.unchanged) == (
        general_stats.applied,
        general_stats.quarantined,
        general_stats.unchanged,
    )
    assert bulk_stats.by_type == general_stats.by_type
    people = bulk_rows["person"]
    guardians = sum(1 for row in people.values() if row[12] is not None)
    assert guardians >= SYNTHETIC // 7  # resolved within and across chunks


def test_initial_into_an_empty_register(empty: SyncEnv, initial_pkg: Path) -> None:
    number = login_as(empty.directory, "number")
    try:
        conn = number.register.conn
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()
        result = import_package(number, initial_pkg)
        assert result.kind == "initial" and result.quarantined == 4
        assert result.applied == sum(result.by_type.values()) > SYNTHETIC
        after = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()
        assert after == indexes  # every dropped index is back, as it was
        assert db.integrity_check(conn) == []
        kana = conn.execute(
            "SELECT count(*) FROM persons INDEXED BY persons_kana WHERE kana_key = ?",
            (conn.execute("SELECT kana_key FROM persons WHERE atena_no = '0000500001'").fetchone()),
        ).fetchone()[0]
        assert kana >= SYNTHETIC - 2  # the search key is derived and indexed
        again = import_package(number, initial_pkg)
        assert again.already_imported
    finally:
        number.register.close()


def test_initial_is_refused_by_a_register_with_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = make_sync_register(tmp_path / "reg", demo=True)  # the CLI uses the demo key
    pkg = tmp_path / "initial.vxpkg"
    env.build_update(pkg, {"person": [person_env("0000700001")]}, kind="initial")
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        before = dump_tables(conn)
        with pytest.raises(InitialNotEmpty) as err:
            import_package(number, pkg)
        assert err.value.code == "E_SYNC_INITIAL_NOT_EMPTY"
        assert "初期データ" in err.value.message_ja
        assert dump_tables(conn) == before  # no record, channel, ack or trust changed
        last = next(audit.query(conn, action="sync.import", limit=1))
        assert last.outcome == "failed"
        assert json.loads(last.detail)["code"] == "E_SYNC_INITIAL_NOT_EMPTY"
        assert pkg.is_file()  # a sound package: left where it is
    finally:
        number.register.close()
    monkeypatch.setenv("VAXDESK_PASSWORD", USERS["number"].password)
    args = ["sync", "import", str(pkg), "--register", str(env.directory), "--user", "number"]
    assert main(args) == 65
    assert "E_SYNC_INITIAL_NOT_EMPTY" in capsys.readouterr().err
    assert pkg.is_file()


def test_an_initial_load_leaves_the_lists_to_the_step_after_it(
    empty: SyncEnv, initial_pkg: Path
) -> None:
    """``import_package`` keeps no list judgement (a load's figure is the load's own); the
    importing number-use user prepares them after it (``sync_import.prepare_lists``), audited."""
    from app.services import sync_import

    number = login_as(empty.directory, "number")
    try:
        conn = number.register.conn
        import_package(number, initial_pkg)
        assert conn.execute("SELECT count(*) FROM persons").fetchone()[0] > 0
        assert list_kept.count(conn) == 0
        done = sync_import.prepare_lists(number)
        assert done and all(n >= 0 for n in done.values())
        assert list_kept.count(conn) > 0
        last = conn.execute("SELECT action, detail FROM audit_log ORDER BY seq DESC LIMIT 1")
        action, detail = last.fetchone()
        assert action == "list.prepare" and json.loads(detail)["kind"] == "initial"
        from app.ui.admin.audit_text import detail_text

        words = detail_text(detail)  # the audit viewer's 詳細: Japanese keys and values only
        assert "種類: 初期データの取込後" in words and "基準日: " in words
        assert not any(ch.isascii() and ch.isalpha() for ch in words)
    finally:
        number.register.close()


def test_the_import_command_prepares_the_lists_after_an_initial_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    target = make_sync_register(  # the CLI uses the demo key
        tmp_path / "new", with_change=False, with_people=False, with_masters=False, demo=True
    )
    source = make_sync_register(tmp_path / "src")
    pkg = tmp_path / "initial.vxpkg"
    target.build_update(pkg, _source_records(source.directory), kind="initial")
    monkeypatch.setenv("VAXDESK_PASSWORD", USERS["number"].password)
    args = ["sync", "import", str(pkg), "--register", str(target.directory)]
    assert main([*args, "--user", "number"]) == 0
    out = capsys.readouterr().out
    assert "取り込みました" in out and "未接種者一覧を準備しました" in out
    number = login_as(target.directory, "number")
    try:
        assert list_kept.count(number.register.conn) > 0
    finally:
        number.register.close()


def test_a_failed_preparation_leaves_the_load_standing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """The lists' preparation after a load failing is audited and told; the load stands and the
    command succeeds (the first lists judge everyone)."""
    from app.services import unvaccinated

    def broken(*args: object, **kwargs: object) -> dict[str, int]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(unvaccinated, "_prepare", broken)
    target = make_sync_register(
        tmp_path / "new", with_change=False, with_people=False, with_masters=False, demo=True
    )
    source = make_sync_register(tmp_path / "src")
    pkg = tmp_path / "initial.vxpkg"
    target.build_update(pkg, _source_records(source.directory), kind="initial")
    monkeypatch.setenv("VAXDESK_PASSWORD", USERS["number"].password)
    args = ["sync", "import", str(pkg), "--register", str(target.directory), "--user", "number"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "取り込みました" in out and "準備はできませんでした" in out
    number = login_as(target.directory, "number")
    try:
        conn = number.register.conn
        assert conn.execute("SELECT count(*) FROM persons").fetchone()[0] > 0
        assert list_kept.count(conn) == 0
        last = next(audit.query(conn, action="list.prepare", limit=1))
        assert last.outcome == "failed"
        assert json.loads(last.detail) == {"kind": "initial", "code": "RuntimeError"}
    finally:
        number.register.close()
