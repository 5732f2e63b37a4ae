"""The hub's storage on both engines: migrations equal the schema source, bulk paths, refusals."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, select, text

from app.hub.errors import HubDatabaseError, HubDatabaseNewer
from app.hub.store import bulk
from app.hub.store import sync_state as sstore
from app.hub.store.hubstore import HubStore, open_store
from app.hub.store.schema import hub_meta, metadata, persons, records
from tests.hub.helpers import person_tuple


def _open(tmp_path: Path, database_url: str | None, *, create: bool = True) -> HubStore:
    if database_url is None:
        key = (tmp_path / "k").read_bytes() if (tmp_path / "k").exists() else os.urandom(32)
        (tmp_path / "k").write_bytes(key)
        return open_store("sqlcipher", path=tmp_path / "hub.db", db_key=key, create=create)
    return open_store("postgresql", database_url=database_url, create=create)


def test_migrated_database_equals_schema_source(tmp_path: Path, database_url: str | None) -> None:
    store = _open(tmp_path, database_url)
    try:
        with store.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), metadata)
            names = set(store.engine.dialect.get_table_names(conn))
        assert diffs == []
        assert {t.name for t in metadata.sorted_tables} <= names
    finally:
        store.close()


def test_bulk_insert_and_update_round_trip(tmp_path: Path, database_url: str | None) -> None:
    store = _open(tmp_path, database_url)
    try:
        rows = [person_tuple(i) for i in range(1, 2001)]
        with store.begin() as conn:
            assert bulk.insert_rows(conn, persons, [c.name for c in persons.columns], rows) == 2000
        changed = [(r[0], *r[1:2], "新しい 名前", *r[3:]) for r in rows[:10]]
        with store.begin() as conn:
            cols = [c.name for c in persons.columns][1:]
            bulk.update_rows(conn, persons, "uid", cols, changed)
        with store.begin() as conn:
            found: Iterable[tuple[Any, ...]] = conn.execute(select(persons.c.uid, persons.c.name))
            got = {bytes(u): n for u, n in found}
        assert len(got) == 2000
        assert sum(1 for n in got.values() if n == "新しい 名前") == 10
        assert all(got[r[0]] == "新しい 名前" for r in rows[:10])
        assert all(got[r[0]] == r[2] for r in rows[10:])
    finally:
        store.close()


@pytest.mark.parametrize("wanted", [0, 1, 17, 256, 5000])
def test_select_in_finds_exactly_the_listed_rows(
    tmp_path: Path, database_url: str | None, wanted: int
) -> None:
    """Chunked IN look-ups (padded lists on SQLite, one array on PostgreSQL) over every chunk
    size, with a fixed bound value kept per statement key, duplicates and missing keys."""
    store = _open(tmp_path, database_url)
    try:
        rows = [
            (*r[:5], "F" if i % 3 == 0 else "M", *r[6:])
            for i, r in ((i, person_tuple(i)) for i in range(1, 6001))
        ]
        with store.begin() as conn:
            bulk.insert_rows(conn, persons, [c.name for c in persons.columns], rows)
        present = [r[0] for r in rows[:wanted]]
        missing = [i.to_bytes(16, "big") for i in range(10_000, 10_007)]
        asked = present + missing + present[:3]
        with store.begin() as conn:
            stmt = select(persons.c.uid, persons.c.sex)
            got = list(bulk.select_in(conn, "t-all", stmt, persons.c.uid, asked))
            assert sorted(bytes(u) for u, _ in got) == sorted(present)
            assert {bytes(u): s for u, s in got} == {r[0]: r[5] for r in rows[:wanted]}
            only_f = stmt.where(persons.c.sex == "F")
            f_rows = list(bulk.select_in(conn, "t-f", only_f, persons.c.uid, asked))
            assert sorted(bytes(u) for u, _ in f_rows) == sorted(
                r[0] for r in rows[:wanted] if r[5] == "F"
            )
            only_m = stmt.where(persons.c.sex == "M")
            m_rows = list(bulk.select_in(conn, "t-m", only_m, persons.c.uid, asked))
            assert len(f_rows) + len(m_rows) == wanted
    finally:
        store.close()


def test_failed_bulk_insert_leaves_nothing(tmp_path: Path, database_url: str | None) -> None:
    store = _open(tmp_path, database_url)
    try:
        rows = [person_tuple(i) for i in range(1, 101)] + [person_tuple(1)]  # duplicate key
        with pytest.raises(Exception), store.begin() as conn:  # noqa: B017 - engine-specific type
            bulk.insert_rows(conn, persons, [c.name for c in persons.columns], rows)
        with store.begin() as conn:
            assert conn.execute(select(persons.c.uid)).first() is None
    finally:
        store.close()


def test_database_written_by_newer_code_is_refused(
    tmp_path: Path, database_url: str | None
) -> None:
    store = _open(tmp_path, database_url)
    with store.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    store.close()
    with pytest.raises(HubDatabaseNewer):
        _open(tmp_path, database_url, create=False)


def test_embedded_file_is_encrypted_and_owner_only(tmp_path: Path) -> None:
    store = _open(tmp_path, None)
    with store.begin() as conn:
        HubStore.set_meta(conn, "probe", "ハブの平文チェック")
    store.close()
    path = tmp_path / "hub.db"
    assert path.stat().st_mode & 0o077 == 0
    raw = path.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert "ハブの平文チェック".encode() not in raw


def test_embedded_wrong_key_and_plain_file_are_refused_untouched(tmp_path: Path) -> None:
    _open(tmp_path, None).close()
    path = tmp_path / "hub.db"
    before = path.read_bytes()
    with pytest.raises(HubDatabaseError) as err:
        open_store("sqlcipher", path=path, db_key=os.urandom(32))
    assert err.value.code == "E_HUB_DATABASE"
    assert path.read_bytes() == before
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("CREATE TABLE t (a)").connection.close()
    with pytest.raises(HubDatabaseError) as err:
        open_store("sqlcipher", path=plain, db_key=os.urandom(32))
    assert err.value.code == "E_HUB_NOT_ENCRYPTED"


def test_existing_hub_database_is_not_initialised_twice(
    tmp_path: Path, database_url: str | None
) -> None:
    _open(tmp_path, database_url).close()
    if database_url is None:
        with pytest.raises(HubDatabaseError) as err:
            _open(tmp_path, None)
    else:
        with pytest.raises(HubDatabaseError) as err:
            open_store("postgresql", database_url=database_url, create=True)
    assert err.value.code == "E_HUB_EXISTS"


def test_unreachable_server_and_other_urls_are_reported_with_a_code() -> None:
    with pytest.raises(HubDatabaseError) as err:
        open_store("postgresql", database_url="postgresql://nobody:x@127.0.0.1:1/none", create=True)
    assert err.value.code == "E_HUB_DATABASE"
    with pytest.raises(HubDatabaseError) as err:
        open_store("postgresql", database_url="mysql://x@h/db", create=True)
    assert err.value.code == "E_HUB_DATABASE_URL"


def test_meta_survives_reopen(tmp_path: Path, database_url: str | None) -> None:
    store = _open(tmp_path, database_url)
    with store.begin() as conn:
        HubStore.set_meta(conn, "a", "1")
        HubStore.set_meta(conn, "a", "2")
        assert store.allocate_change_seq(conn, 5) == 1
        assert store.allocate_change_seq(conn, 1) == 6
    store.close()
    store = _open(tmp_path, database_url, create=False)
    try:
        with store.begin() as conn:
            assert (
                conn.execute(select(hub_meta.c.value).where(hub_meta.c.key == "a")).scalar() == "2"
            )
            assert store.change_seq(conn) == 6
    finally:
        store.close()


def test_emit_walks_records_in_change_order_without_an_in_memory_sort(tmp_path: Path) -> None:
    """SQLite: the records of one type stream along the change_seq index (no temporary B-tree
    of every row of the type for the ORDER BY, which held gigabytes for 8M vaccinations), and
    come back in change order with the other origins only."""
    store = _open(tmp_path, None)
    try:
        rows = [
            (
                "vaccination",
                i.to_bytes(16, "big"),
                f"{i:013d}.00000.T",
                "T" if i % 3 else "U",
                None,
                None,
                "{}",
                1000 - i,
            )
            for i in range(1, 300)
        ]
        with store.begin() as conn:
            bulk.insert_rows(conn, records, [c.name for c in records.columns], rows)
        seen: list[tuple[str, Any]] = []
        with store.begin() as conn:
            listener = lambda *a: seen.append((a[2], a[3]))  # noqa: E731
            event.listen(conn, "before_cursor_execute", listener)
            got = list(sstore.records_since(conn, "vaccination", 800, 950, skip_origin="U"))
            event.remove(conn, "before_cursor_execute", listener)
            statement, params = seen[-1]
            plan = " ".join(
                str(r) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            )
        assert "TEMP B-TREE" not in plan and "ix_records_change_seq" in plan
        want = sorted((r for r in rows if 800 < r[7] <= 950 and r[3] != "U"), key=lambda r: r[7])
        assert [bytes(g[1]) for g in got] == [r[1] for r in want]
        assert want
    finally:
        store.close()


def test_existing_rows_equals_the_separate_look_ups(
    tmp_path: Path, database_url: str | None
) -> None:
    """The one-round-trip look-up (PostgreSQL) gives exactly what stored_records and
    known_persons give: register persons, provisional persons, other types, missing, duplicates."""
    store = _open(tmp_path, database_url)
    try:
        people = [person_tuple(i) for i in range(1, 301)]
        prov = [i.to_bytes(16, "big") for i in range(50_000, 50_020)]
        vacc = [i.to_bytes(16, "big") for i in range(60_000, 60_100)]

        def rec(rtype: str, uid: bytes, seq: int) -> tuple[Any, ...]:
            return (rtype, uid, f"v{seq}", "T1", None, None, "{}", seq)

        with store.begin() as conn:
            bulk.insert_rows(conn, persons, [c.name for c in persons.columns], people)
            sstore.insert_records(
                conn,
                [rec("person", u, i) for i, u in enumerate(prov, 1)]
                + [rec("vaccination", u, i) for i, u in enumerate(vacc, 100)],
            )
        missing = [i.to_bytes(16, "big") for i in range(70_000, 70_005)]
        asked_recs = vacc[:60] + missing + prov[:5] + vacc[:3]
        asked_people = [p[0] for p in people[:200]] + prov[:10] + missing + vacc[:2]
        with store.begin() as conn:
            for recs, ppl in [
                (asked_recs, asked_people),
                ([], asked_people),
                (asked_recs, []),
                ([], []),
            ]:
                stored, known = sstore.existing_rows(conn, "vaccination", recs, ppl)
                assert stored == sstore.stored_records(conn, "vaccination", recs)
                assert known == sstore.known_persons(conn, ppl)
            stored, known = sstore.existing_rows(conn, "vaccination", asked_recs, asked_people)
            assert len(stored) == 60
            assert known == {p[0] for p in people[:200]} | set(prov[:10])
    finally:
        store.close()
