"""The windows of an ``updates`` package's plain records are read, split and staged on a
read-ahead thread (app/services/_sync_fast ``STAGED``: ``sync_fast.WindowRing``, a private
in-memory database attached to the register's connection, app/store/stage_db.py): a window
staged there holds the rows ``stage_lines`` stages on the applying thread, for every kind of
value; an import with staged windows ends exactly as one staging them on the applying thread;
no file appears for the staging; a failure or a cancel at any point of a staged import changes
nothing, leaves no staging database or thread behind, and the same package then imports."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlcipher3

from app.services import _sync_fast
from app.services._initial_reader import ChunkReader
from app.services._sync_apply import ImportCancelled
from app.services._sync_fast import shape_of
from app.services.sync_import import import_package
from app.store import stage_db, sync_apply, sync_fast, sync_state
from app.store.stage_db import STAGE_PREFIX
from tests.integration.test_sync_fast import NOW, _import
from tests.integration.test_sync_fast_staging import _repeated, _residents, _staged, _variants
from tests.integration.test_sync_updates_checks import _edits, _two_copies
from tests.support.registers import login_as
from tests.support.sync_env import SyncEnv, dump_tables, make_sync_register, server_edit

THREAD = "vaxdesk-updates-read"


@pytest.fixture
def env(tmp_path: Path) -> SyncEnv:
    return make_sync_register(tmp_path / "reg", with_change=False)


def _attached(conn: Any) -> list[tuple[str, str]]:
    """The staging databases attached to ``conn``: (name, file)."""
    return [
        (str(r[1]), str(r[2]))
        for r in conn.execute("PRAGMA database_list")
        if str(r[1]).startswith(STAGE_PREFIX)
    ]


def _gone(uri: str) -> bool:
    """True when no staging database lives at ``uri`` any more (a new connection finds an
    empty one)."""
    probe = sqlcipher3.connect(uri, uri=True)
    try:
        return int(probe.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]) == 0
    finally:
        probe.close()


def test_a_window_staged_ahead_holds_the_rows_staged_here(env: SyncEnv) -> None:
    base = _residents(env)
    lines = _variants(base[0])
    lines.append(_repeated(orjson.dumps(server_edit(base[1])), b"address", b'"x"'))  # bad
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        shape = shape_of("person", sync_apply.columns(conn, "persons"))
        assert shape is not None
        here = _staged(conn, shape, lines, True)
        ring = sync_fast.WindowRing(conn, {"person": shape}, 2)
        try:
            assert [f for _, f in _attached(conn)] == ["", ""]  # a slot each, in memory: no file
            blob = b"[" + b",".join(lines) + b"]"
            assert ring.fill("person", 1, blob, len(lines))
            staged = ring.staged("person", 1)
            assert staged.source.startswith(STAGE_PREFIX) and staged.source.endswith("_1")
            assert sync_fast.stage_lines(conn, staged, lines)  # already there: nothing to do
            ahead = [tuple(r) for r in conn.execute(f"SELECT * FROM {staged.source} ORDER BY seq")]
            assert ahead == here and len(ahead) == len(lines)
            bad = shape.staged.index("bad") + 1
            assert [r[bad] for r in ahead] == [0] * (len(lines) - 1) + [1]
            # a window SQLite does not take, or not as many values as lines: slot left empty
            good = orjson.dumps(server_edit(base[0]))
            for window in ([good, b'{"type": "person", "uid": '], [b'{"a":[1', b"2]}"]):
                assert not ring.fill("person", 1, b"[" + b",".join(window) + b"]", len(window))
                assert conn.execute(f"SELECT count(*) FROM {staged.source}").fetchone()[0] == 0
            assert ring.fill("person", 0, blob, len(lines))
        finally:
            ring.close()
        assert _attached(conn) == [] and all(map(_gone, ring.uris))
        sync_fast.drop(conn)
    finally:
        number.register.close()


@pytest.mark.parametrize("window", [3, 50_000])
def test_staged_ahead_ends_as_staged_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, window: int
) -> None:
    directory, pkg = _two_copies(tmp_path)
    monkeypatch.setattr(sync_apply, "utc_now", lambda: NOW)
    monkeypatch.setattr(sync_state, "utc_now", lambda: NOW)
    monkeypatch.setattr(_sync_fast, "WINDOW", window)
    fills: list[bool] = []
    real_fill = sync_fast.WindowRing.fill

    def spy(self: sync_fast.WindowRing, *args: Any) -> bool:
        fills.append(real_fill(self, *args))
        return fills[-1]

    monkeypatch.setattr(sync_fast.WindowRing, "fill", spy)
    ahead = _import(directory, pkg, monkeypatch, fast=True)
    assert fills and all(fills)  # every window of the plain types staged ahead
    staged_windows = len(fills)
    fills.clear()
    monkeypatch.setattr(_sync_fast, "STAGED", False)
    here = _import(tmp_path / "copy", tmp_path / "copy.vxpkg", monkeypatch, fast=True)
    assert fills == []
    assert staged_windows >= (3 if window == 3 else 2)
    assert ahead[0] == here[0]
    assert (ahead[0].applied, ahead[0].quarantined) == (29, 3)
    assert ahead[1:] == here[1:]  # tables, quarantine and conflicts


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_no_file_appears_for_the_staging(
    env: SyncEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While staged windows are planned, the files under the test's folder are those of an
    import staging on the applying thread, and the staging database has no file."""
    monkeypatch.setattr(_sync_fast, "WINDOW", 2)
    seen: list[tuple[set[str], list[tuple[str, str]]]] = []
    real_plan = sync_fast.plan

    def spy(conn: Any, shape: Any) -> tuple[int, int]:
        seen.append((_files(tmp_path), _attached(conn)))
        return real_plan(conn, shape)

    monkeypatch.setattr(sync_fast, "plan", spy)
    edits = _edits(env, address="テスト市先読1")
    pkg = tmp_path / "u.vxpkg"
    env.build_update(pkg, {"person": edits})
    before = _files(tmp_path)
    number = login_as(env.directory, "number")
    try:
        assert import_package(number, pkg).applied == len(edits)
        assert _attached(number.register.conn) == []
    finally:
        number.register.close()
    assert len(seen) >= 2
    for files, attached in seen:
        assert len(attached) == 2 and {f for _, f in attached} == {""}  # in memory
        assert {f for f in files - before if "vxstage" in f or "stage" in f} == set()
        # the register's WAL and the package layer's inner archive, as without staging
        assert {f for f in files - before if not f.startswith("reg/sync-work/")} <= {
            "reg/register.vxdb-wal",
            "reg/register.vxdb-shm",
        }


class Boom(RuntimeError):
    pass


STAGES = ["ring", "warm", "fill", "read", "plan", "write", "cancel-first", "cancel-later"]


@pytest.mark.parametrize("stage", STAGES)
def test_a_failure_or_cancel_changes_nothing_and_the_package_then_imports(
    env: SyncEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    monkeypatch.setattr(_sync_fast, "WINDOW", 2)
    edits = _edits(env, address="テスト市先読2")
    assert len(edits) >= 5  # three windows at least
    pkg = tmp_path / "u.vxpkg"
    env.build_update(pkg, {"person": edits})
    rings: list[sync_fast.WindowRing] = []
    calls = {"part": 0, "fill": 0, "plan": 0, "write": 0, "cancel": 0}
    real_part, real_warm = stage_db._Part.__init__, sync_fast.warm
    real_init, real_fill = sync_fast.WindowRing.__init__, sync_fast.WindowRing.fill
    real_plan, real_write = sync_fast.plan, sync_fast.write
    real_lines = ChunkReader._chunk

    def init(self: sync_fast.WindowRing, *args: Any) -> None:
        rings.append(self)
        real_init(self, *args)

    def part(self: Any, *args: Any) -> None:
        calls["part"] += 1
        if stage == "ring" and calls["part"] == 2:  # the second slot's database
            raise Boom()
        real_part(self, *args)

    def warm(*args: Any) -> None:
        if stage == "warm":
            raise Boom()
        real_warm(*args)

    def fill(self: sync_fast.WindowRing, *args: Any) -> bool:
        calls["fill"] += 1
        if stage == "fill" and calls["fill"] == 2:
            raise Boom()
        return real_fill(self, *args)

    def chunk(self: Any, *args: Any) -> bool:
        if stage == "read" and calls["fill"] >= 1:
            raise Boom()  # reading the second window fails on the read-ahead thread
        return real_lines(self, *args)

    def plan(conn: Any, shape: Any) -> tuple[int, int]:
        calls["plan"] += 1
        if stage == "plan" and calls["plan"] == 2:
            raise Boom()
        return real_plan(conn, shape)

    def write(conn: Any, shape: Any) -> bool:
        calls["write"] += 1
        if stage == "write" and calls["write"] == 2:
            raise Boom()
        return real_write(conn, shape)

    def cancel() -> bool:
        calls["cancel"] += 1
        return stage == "cancel-first" or (stage == "cancel-later" and calls["cancel"] >= 2)

    monkeypatch.setattr(sync_fast.WindowRing, "__init__", init)
    monkeypatch.setattr(stage_db._Part, "__init__", part)
    monkeypatch.setattr(sync_fast, "warm", warm)
    monkeypatch.setattr(sync_fast.WindowRing, "fill", fill)
    monkeypatch.setattr(ChunkReader, "_chunk", chunk)  # the class _sync_fast reads with
    monkeypatch.setattr(sync_fast, "plan", plan)
    monkeypatch.setattr(sync_fast, "write", write)
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        before = dump_tables(conn)
        expected = ImportCancelled if stage.startswith("cancel") else Boom
        with pytest.raises(expected):
            import_package(number, pkg, cancel=cancel)
        assert dump_tables(conn) == before
        assert _attached(conn) == []
        assert len(rings) == 1 and all(map(_gone, rings[0].uris))
        assert len(rings[0].uris) == (1 if stage == "ring" else 2)
        assert not [t for t in threading.enumerate() if t.name == THREAD]
        monkeypatch.undo()
        monkeypatch.setattr(_sync_fast, "WINDOW", 2)
        result = import_package(number, pkg)
        assert (result.applied, result.quarantined) == (len(edits), 0)
        assert conn.execute(
            "SELECT count(*) FROM persons WHERE address = 'テスト市先読2'"
        ).fetchone()[0] == len(edits)
        assert _attached(conn) == []
    finally:
        number.register.close()
    assert pkg.exists()  # not a package fault: the file stays where it is
