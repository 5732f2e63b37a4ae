"""The staged line path of an ``initial`` load (app/store/initial_stage.py): the columns taken out
of the JSON on the read-ahead thread into a private in-memory database give exactly the register
the unstaged path gives (every table, row ids included; quarantined records, references not
there yet, guardians in the same chunk, a duplicate uid, NULLs, absent fields, unicode, maximum
lengths, voided records); no file is opened or left in the register folder or the temp folder
for it; a failure or a cancel at each stage leaves the register as it was, nothing attached,
and the package loads afterwards."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

from app.security.person_numbers import NumberCipher
from app.security.session import Session
from app.services import _sync_identity, _sync_initial
from app.services._initial_lines import column_sources
from app.services._sync_apply import ImportCancelled
from app.services._sync_initial import apply_initial
from app.services.sync_import import import_package
from app.store import db, initial_load, initial_stage
from app.store.stage_db import detach_stale
from app.sync.reader import open_package
from tests.support.registers import login_as
from tests.support.sync_env import (
    SyncEnv,
    dump_tables,
    envelope,
    make_sync_register,
    person_env,
)

CHUNK = 400
KANJI = "𠮷野家髙橋﨑"  # outside the BMP, 異体字


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sync_initial, "LOAD_CHUNK", CHUNK)


@pytest.fixture
def empty(tmp_path: Path) -> SyncEnv:
    return make_sync_register(
        tmp_path / "new", with_change=False, with_people=False, with_masters=False
    )


def _odd_people(n: int) -> list[dict[str, Any]]:
    """Residents with NULLs, absent optional fields, unicode, maximum lengths, guardians earlier
    in the same chunk, in an earlier chunk and later in the package (quarantined), an unknown
    household, a voided record, a second version of one uid and an atena_no used twice."""
    people = []
    for i in range(n):
        extra: dict[str, Any] = {}
        if i % 5 == 0:
            extra.update(relationship=None, phone=None, tax_status=None, postal_code=None)
        if i % 5 == 1:
            extra.update(phone="0" * 32, relationship="子" * 32, postal_code="123-4567")
        name = (KANJI * 20)[:100] if i % 3 == 0 else f"テスト {i}"
        address = ("東京都" + KANJI * 40)[:200] if i % 4 == 0 else "テスト市本町1-1"
        p = person_env(f"{700000 + i:010d}", "ヤマダ ハナコ" if i % 2 else "ｱｲｳ ｶﾞｷﾞ", **extra)
        p["data"]["name"], p["data"]["address"] = name, address
        people.append(p)
    for i in range(1, n, 7):
        people[i]["data"]["guardian_uid"] = people[i - 1]["uid"]
    people[CHUNK + 10]["data"]["guardian_uid"] = people[3]["uid"]  # an earlier chunk
    people[CHUNK - 10]["data"]["guardian_uid"] = people[CHUNK + 50]["uid"]  # later: quarantined
    people[2 * CHUNK + 5]["data"]["household_uid"] = "01890000-0000-7000-8000-000000000000"
    people[17]["voided"] = {"at": "2025-01-02T03:04:05Z", "reason": "重複登録"}
    newer = json.loads(json.dumps(people[20]))
    newer["data"]["address"] = "テスト市新町1-1"
    people.insert(2 * CHUNK + 30, newer)
    people.insert(2 * CHUNK + 60, person_env(people[30]["data"]["atena_no"]))
    return people


def _shots(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    shots = []
    for i, p in enumerate(people[: CHUNK + 100]):
        data: dict[str, Any] = {
            "person_uid": p["uid"],
            "series_id": "hib",
            "category": "routine",
            "vaccinated_on": "2024-06-01",
            "follow_up": i % 2 == 0,
        }
        if i % 3 == 0:
            data.update(dose_no=i % 99 + 1, dose_amount_ml=0.5, lot_no="L" * 32, receipt_no=None)
        if i % 3 == 1:
            data.update(dose_label=KANJI, dose_amount_ml=None)
        shots.append(envelope("vaccination", data))
    shots[CHUNK + 3]["data"]["person_uid"] = "01890000-0000-7000-8000-000000000001"  # unknown
    return shots


def _packages(tmp_path: Path, empty: SyncEnv) -> list[Path]:
    source = make_sync_register(tmp_path / "src")
    from tests.integration.test_sync_initial import _source_records

    people = _odd_people(3 * CHUNK)
    records = [
        _source_records(source.directory),
        {"person": people, "vaccination": _shots(people)},
        {"person": [person_env(f"{800000 + i:010d}") for i in range(CHUNK * 2 + 1)]},
    ]
    out = []
    for n, recs in enumerate(records):
        pkg = tmp_path / f"initial-{n}.vxpkg"
        empty.build_update(pkg, recs, kind="initial")
        out.append(pkg)
    return out


class _Undo(Exception):
    pass


def _dump(conn: db.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the audit log, in id order; the time a record was
    quarantined (``at``: when the load ran) left out."""
    out = {}
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for name in sorted(names):
        if name == "audit_log":
            continue
        cur = conn.execute(f"SELECT * FROM {name} ORDER BY 1")
        cols = [c[0] for c in cur.description]
        out[name] = [
            tuple(None if c == "at" else v for c, v in zip(cols, row, strict=True)) for row in cur
        ]
    return out


def _loaded(session: Session, pkg: Path) -> list[Any]:
    """Apply ``pkg`` as an initial load in a transaction: (stats, every table, the quarantine),
    then roll it back."""
    conn = session.register.conn
    keys = _sync_identity.identity_keys(conn)
    trust = _sync_identity.stored_trust(conn)
    assert trust is not None
    found: list[Any] = []
    opened = open_package(pkg, trust=trust, identity=keys, tmp_dir=pkg.parent)
    with opened, pytest.raises(_Undo), db.transaction(conn):
        cipher = NumberCipher(session.number_key())
        stats = apply_initial(conn, opened, party_id=keys.party_id, cipher=cipher)
        found.append((stats.applied, stats.quarantined, stats.unchanged, stats.by_type))
        found.append(_dump(conn))
        found.append(
            conn.execute(
                "SELECT record_uid, code FROM sync_record_quarantine ORDER BY 1"
            ).fetchall()
        )
        raise _Undo()
    return found


def _counting(monkeypatch: pytest.MonkeyPatch, hook: Callable[[], None] | None = None) -> list[int]:
    staged = [0, 0]  # chunks inserted from a staging table, from the JSON
    insert = initial_load.JsonInserter.insert

    def counted(self: initial_load.JsonInserter, *args: Any) -> int:
        staged[0 if len(args) > 5 and args[5] else 1] += 1
        if hook is not None:
            hook()
        return insert(self, *args)

    monkeypatch.setattr(initial_load.JsonInserter, "insert", counted)
    return staged


def test_the_staged_load_gives_what_the_unstaged_load_gives(
    tmp_path: Path, empty: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    packages = _packages(tmp_path, empty)
    staged = _counting(monkeypatch)
    number = login_as(empty.directory, "number")
    try:
        before = dump_tables(number.register.conn)
        quarantined = []
        for pkg in packages:
            monkeypatch.setattr(_sync_initial, "STAGED", False)
            plain = _loaded(number, pkg)
            assert staged[0] == 0
            monkeypatch.setattr(_sync_initial, "STAGED", True)
            got = _loaded(number, pkg)
            assert staged[0] > 0  # the staged path did the work
            staged[0] = 0
            assert got == plain
            assert dump_tables(number.register.conn) == before
            quarantined.append(len(plain[2]))
        assert quarantined[1] > 0  # the odd package has quarantined records
    finally:
        number.register.close()


def _open_files() -> set[str]:
    out = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("/"):
            out.add(target)
    return out


def test_no_file_is_written_for_the_staging(
    tmp_path: Path, empty: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = _packages(tmp_path, empty)[1]
    folders = (empty.directory, Path(tempfile.gettempdir()))

    def listing() -> set[str]:
        names = {str(p) for p in empty.directory.rglob("*")}
        tmp = {str(p) for p in folders[1].iterdir() if "vxstage" in p.name or "etilqs" in p.name}
        return names | tmp

    number = login_as(empty.directory, "number")
    try:
        files_before, open_before = listing(), _open_files()
        seen: list[str] = []

        def check() -> None:
            conn = number.register.conn
            stage = [r for r in conn.execute("PRAGMA database_list") if "vxstage" in str(r[1])]
            # one database per slot, each in memory (no file)
            assert len(stage) == initial_stage.SLOTS and all(r[2] == "" for r in stage)
            seen.extend(listing() - files_before)
            seen.extend(f for f in _open_files() - open_before if "vaxdesk-open-" not in f)

        staged = _counting(monkeypatch, check)
        _loaded(number, pkg)
        assert staged[0] > 0
        assert seen == []
        assert listing() == files_before
        conn = number.register.conn
        detach_stale(conn)  # (import_package does, once its transaction is over)
        assert not [r for r in conn.execute("PRAGMA database_list") if "vxstage" in str(r[1])]
        assert conn.execute("PRAGMA read_uncommitted").fetchone()[0] == 0
    finally:
        number.register.close()


class _Boom(Exception):
    pass


def _fail_fill(monkeypatch: pytest.MonkeyPatch, at: int) -> None:
    fill = initial_stage.StageRing.fill
    calls = [0]

    def failing(self: initial_stage.StageRing, *args: Any) -> bool:
        calls[0] += 1
        if calls[0] == at:
            raise _Boom()
        return fill(self, *args)

    monkeypatch.setattr(initial_stage.StageRing, "fill", failing)


def _fail_insert(monkeypatch: pytest.MonkeyPatch, at: int) -> None:
    insert = initial_load.JsonInserter.insert
    calls = [0]

    def failing(self: initial_load.JsonInserter, *args: Any) -> int:
        calls[0] += 1
        if calls[0] == at:
            raise _Boom()
        return insert(self, *args)

    monkeypatch.setattr(initial_load.JsonInserter, "insert", failing)


def _fail_open(monkeypatch: pytest.MonkeyPatch, at: int) -> None:
    def failing(self: initial_stage.StageRing, *args: Any) -> None:
        raise _Boom()

    monkeypatch.setattr(initial_stage.StageRing, "__init__", failing)


@pytest.mark.parametrize(
    ("fail", "at"),
    [
        (_fail_open, 0),
        (_fail_fill, 1),
        (_fail_fill, 4),
        (_fail_insert, 1),
        (_fail_insert, 3),
        (None, 0),  # a cancel
    ],
    ids=["open", "first-fill", "later-fill", "first-insert", "later-insert", "cancel"],
)
def test_a_failure_or_cancel_at_each_stage_leaves_the_register_loadable(
    tmp_path: Path,
    empty: SyncEnv,
    monkeypatch: pytest.MonkeyPatch,
    fail: Callable[[pytest.MonkeyPatch, int], None] | None,
    at: int,
) -> None:
    people = [person_env(f"{900000 + i:010d}", "ヤマダ ハナコ") for i in range(CHUNK * 15)]
    pkg = tmp_path / "initial.vxpkg"
    empty.build_update(pkg, {"person": people}, kind="initial")
    number = login_as(empty.directory, "number")
    try:
        conn = number.register.conn
        before = dump_tables(conn)
        with monkeypatch.context() as patch:
            if fail is None:
                with pytest.raises(ImportCancelled):
                    import_package(number, pkg, cancel=lambda: True)
            else:
                fail(patch, at)
                with pytest.raises(_Boom):
                    import_package(number, pkg)
        assert dump_tables(conn) == before
        assert not [r for r in conn.execute("PRAGMA database_list") if "vxstage" in str(r[1])]
        assert conn.execute("PRAGMA read_uncommitted").fetchone()[0] == 0
        result = import_package(number, pkg)  # and the same package then loads
        assert result.applied == len(people)
    finally:
        number.register.close()


def test_a_slot_is_filled_while_a_statement_reads_another(empty: SyncEnv) -> None:
    """A statement holds the mutex of every shared-cache database it reads for as long as it
    runs: each slot is its own database, so the read-ahead's fill of the next slot goes on while
    the applying thread's statement reads the current one (with one database for every slot,
    the fill waited for the statement to end and the wait below timed out)."""
    spec = (
        initial_load.Column("id", "id"),
        initial_load.Column("uid", "uid"),
        initial_load.Column("name", "data", field="name"),
    )
    text = json.dumps([envelope("institution", {"name": f"医院{i}"}) for i in range(3)]).encode()
    number = login_as(empty.directory, "number")
    ring = initial_stage.StageRing(number.register.conn, {"institution": spec})
    try:
        conn = number.register.conn
        assert ring.fill("institution", 0, text, "")
        filled = threading.Event()

        def fill_next() -> None:
            if ring.fill("institution", 1, text, ""):
                filled.set()

        worker = threading.Thread(target=fill_next)

        def during_the_read(_k: object) -> int:  # runs inside the statement reading slot 0
            worker.start()
            return int(filled.wait(10))

        assert isinstance(conn, sqlcipher3.Connection)  # the driver's, with create_function
        conn.create_function("vx_test_during", 1, during_the_read)
        source = ring.source("institution", 0)
        got = conn.execute(f"SELECT vx_test_during(k) FROM {source} LIMIT 1").fetchone()
        worker.join()
        assert got == (1,)
        assert conn.execute(f"SELECT count(*) FROM {ring.source('institution', 1)}").fetchone() == (
            3,
        )
    finally:
        ring.close()
        number.register.close()


def test_the_staged_vaccinations_go_in_without_a_temporary_table(empty: SyncEnv) -> None:
    number = login_as(empty.directory, "number")
    try:
        conn = number.register.conn
        b = _sync_initial._RowBuilder(conn, "vaccination")
        spec = column_sources("vaccination", b.plain, b.bools, b.ref_fields, b.ref_columns)
        ring = initial_stage.StageRing(conn, {"vaccination": spec})
        try:
            sql = initial_load._apply_sql("vaccination", spec, ring.source("vaccination", 0))
            plan = [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", (None, 1, 1))]
        finally:
            ring.close()
        assert "SCALAR SUBQUERY" in " ".join(plan)  # the cut, once
        assert not [p for p in plan if "MATERIALIZE" in p or "TEMP B-TREE" in p]
    finally:
        number.register.close()
