"""The storage floor benchmark of the initial load (benchmarks/bench_initial_floor.py) writes the
very rows the initial import writes: at small scale, every loaded table of the register the import
fills equals, row for row and column for column, the ones the floor's three phases fill."""

from __future__ import annotations

import shutil
import sqlite3
from typing import Any

import pytest

from app.services.demo import demo_password
from app.services.register import login
from app.services.sync_import import import_package
from benchmarks import bench_initial_floor as floor
from benchmarks.demo_cache import ensure_register
from benchmarks.sync_stage_initial import _initial_fixture

pytestmark = pytest.mark.slow


def _dump(conn: Any) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for table in floor.TABLES:
        rows = conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
        out[table] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows]
    return out


def _schema(conn: Any) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            " ORDER BY type, name"
        ).fetchall()
    ]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    cache = tmp_path_factory.mktemp("floor-cache")
    reg = ensure_register(cache, 150, 3, covid_special=True)
    target_dir, pkg, _info = _initial_fixture(reg, cache)
    imported = cache / "imported"
    shutil.copytree(target_dir, imported)
    session = login(imported, "number", demo_password("number"))
    try:
        result = import_package(session, pkg)
        expected = _dump(session.register.conn)
        schema = _schema(session.register.conn)
    finally:
        session.register.close()
    scratch = cache / "scratch.db"
    source = login(reg.register_dir, "number", demo_password("number"))
    try:
        counts = floor.build_scratch(source.register.conn, scratch)
    finally:
        source.register.close()
    return {
        "cache": cache,
        "target": target_dir,
        "scratch": scratch,
        "counts": counts,
        "applied": result.applied,
        "expected": expected,
        "schema": schema,
    }


def test_scratch_holds_as_many_rows_as_the_import_applied(loaded: dict[str, Any]) -> None:
    assert loaded["applied"] > 0
    assert sum(loaded["counts"].values()) == loaded["applied"]
    assert loaded["counts"]["vaccinations"] > 0 and loaded["counts"]["persons"] == 150


@pytest.mark.parametrize("phase", floor.PHASES)
def test_each_phase_writes_the_rows_the_import_writes(loaded: dict[str, Any], phase: str) -> None:
    copy, plain = loaded["cache"] / f"copy-{phase}", loaded["cache"] / f"plain-{phase}.db"
    shutil.copytree(loaded["target"], copy)
    figures = floor.load_into(phase, copy, loaded["scratch"], plain)
    assert figures["rows"] == loaded["applied"]
    assert figures["quick_check"] == "ok"
    if phase.startswith("plain"):
        conn: Any = sqlite3.connect(plain)
    else:
        conn = login(copy, "number", demo_password("number")).register.conn
    try:
        got = _dump(conn)
        schema = _schema(conn)
    finally:
        conn.close()
    for table in floor.TABLES:
        assert got[table] == loaded["expected"][table], table
    # the same indexes and triggers afterwards (the deferred phase builds them again)
    wanted = {s for s in loaded["schema"] if s[2] in floor.TABLES}
    assert {s for s in schema if s[2] in floor.TABLES} == wanted
