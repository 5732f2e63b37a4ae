"""An ``updates`` package is applied while its member checks run (app.sync.deferred), its plain
records staged window by window by SQLite (app/services/_sync_fast): a package that fails the
checks is refused with their code even though plain updates went in meanwhile (the transaction
rolls back: every table but the audit log unchanged, the file quarantined with a report); the
checks run first or alongside, and rows staged from Python or by SQLite, with the same end; an
update that changes only columns no index holds ends as the full update; a cancel leaves no
thread behind."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from app.services import _sync_fast, sync_import
from app.services._sync_apply import ImportCancelled
from app.services.sync_import import import_package
from app.store import audit, sync_apply, sync_fast, sync_state
from app.sync import deferred
from app.sync.errors import PackageError
from app.sync.opened import scan_inner
from tests.integration.test_sync_fast import NOW, _import, _mixed, _setup
from tests.support.registers import login_as
from tests.support.sync_env import (
    SyncEnv,
    dump_tables,
    local_envelope,
    make_sync_register,
    server_edit,
)
from tests.support.sync_forge import forge, inner_zip


@pytest.fixture
def env(tmp_path: Path) -> SyncEnv:
    return make_sync_register(tmp_path / "reg", with_change=False)


def _edits(env: SyncEnv, **changes: Any) -> list[dict[str, Any]]:
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        uids = [bytes(r[0]) for r in conn.execute("SELECT uid FROM persons ORDER BY id")]
        return [server_edit(local_envelope(conn, "person", u), **changes) for u in uids]
    finally:
        number.register.close()


def _forged(
    env: SyncEnv,
    path: Path,
    lines: bytes,
    edit: Callable[[dict[str, Any]], None] | None = None,
) -> Path:
    pid = "01938a2e-7a4b-7c3d-8e4f-123456789abe"
    forge(
        path,
        inner_zip([("records/person.jsonl", lines)], pid, edit=edit),
        sender=env.server,
        recipient=env.terminal,
        package_id=pid,
    )
    return path


@pytest.fixture
def checks_after_write(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Windows of three lines; the member checks start only once the fast path has written a
    window (so a refusal below is a rollback of rows that were written)."""
    monkeypatch.setattr(_sync_fast, "WINDOW", 3)
    written = threading.Event()
    counted = [0]
    scan = scan_inner  # the function deferred looks up (patched there below)
    write = sync_fast.write

    def late_scan(*args: Any) -> Any:
        written.wait(timeout=30)
        return scan(*args)

    def noted(conn: Any, shape: Any) -> bool:
        done = write(conn, shape)
        counted[0] += 1
        written.set()
        return done

    monkeypatch.setattr(deferred, "scan_inner", late_scan)
    monkeypatch.setattr(sync_fast, "write", noted)
    yield counted


def _bad(record: dict[str, Any], **changes: object) -> bytes:
    edited = {**record, "data": {**record["data"], **changes}}
    return orjson.dumps(edited) + b"\n"


def _lines(edits: list[dict[str, Any]], bad: Callable[[dict[str, Any]], bytes] | None) -> bytes:
    good = b"".join(orjson.dumps(e) + b"\n" for e in edits[:-1])
    return good + (bad(edits[-1]) if bad else orjson.dumps(edits[-1]) + b"\n")


CASES: list[
    tuple[str, Callable[[dict[str, Any]], bytes] | None, Callable[..., None] | None, str]
] = [
    ("record-schema", lambda r: _bad(r, sex="X"), None, "E_RECORD_SCHEMA"),
    ("not-json", lambda r: b'{"type": "person", "uid": \n', None, "E_RECORD_SCHEMA"),
    ("unknown-field", lambda r: _bad(r, favourite="x"), None, "E_RECORD_SCHEMA"),
    ("wrong-type", lambda r: _bad(r, address={"x": 1}), None, "E_RECORD_SCHEMA"),
    ("manifest-count", None, lambda m: m["files"][0].update(records=99), "E_MANIFEST"),
]


@pytest.mark.parametrize(("bad", "edit", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_failed_check_rolls_back_the_updates_written(
    env: SyncEnv,
    tmp_path: Path,
    checks_after_write: list[int],
    bad: Callable[[dict[str, Any]], bytes] | None,
    edit: Callable[[dict[str, Any]], None] | None,
    code: str,
) -> None:
    edits = _edits(env, address="テスト市更新1")
    assert len(edits) > 3
    path = _forged(env, tmp_path / "u.vxpkg", _lines(edits, bad), edit)
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        before = dump_tables(conn)
        with pytest.raises(PackageError) as err:
            import_package(number, path)
        assert err.value.code == code
        assert checks_after_write[0] >= 1  # a window was written before the verdict
        assert dump_tables(conn) == before
        assert (
            conn.execute("SELECT count(*) FROM persons WHERE address = 'テスト市更新1'").fetchone()[
                0
            ]
            == 0
        )
        last = next(audit.query(conn, action="sync.import", limit=1))
        assert last.outcome == "failed" and json.loads(last.detail)["code"] == code
    finally:
        number.register.close()
    assert not path.exists()
    reports = [
        json.loads(r.read_text("utf-8"))
        for r in (env.directory / "quarantine").glob("*.report.json")
    ]
    assert [r["code"] for r in reports] == [code]
    assert not [t for t in threading.enumerate() if t.name == "vaxdesk-rows"]


def test_the_same_package_without_the_fault_applies(
    env: SyncEnv, tmp_path: Path, checks_after_write: list[int]
) -> None:
    edits = _edits(env, address="テスト市更新1")
    path = _forged(env, tmp_path / "u.vxpkg", _lines(edits, None))
    number = login_as(env.directory, "number")
    try:
        result = import_package(number, path)
        assert (result.applied, result.quarantined) == (len(edits), 0)
        conn = number.register.conn
        assert conn.execute(
            "SELECT count(*) FROM persons WHERE address = 'テスト市更新1'"
        ).fetchone()[0] == len(edits)
    finally:
        number.register.close()


def _two_copies(tmp_path: Path) -> tuple[Path, Path]:
    env = make_sync_register(tmp_path / "reg", with_change=False, demo=True)  # copyable
    _setup(env, tmp_path)
    number = login_as(env.directory, "number")
    try:
        records = _mixed(number.register.conn)
        # a newer version of a resident whose data does not change: written (its version) and
        # counted as applied, as record by record
        uid = number.register.conn.execute(
            "SELECT uid FROM persons WHERE atena_no = '0000000913'"
        ).fetchone()[0]
        records["person"].append(
            server_edit(local_envelope(number.register.conn, "person", bytes(uid)))
        )
    finally:
        number.register.close()
    pkg = tmp_path / "mixed.vxpkg"
    env.build_update(pkg, records)
    shutil.copytree(env.directory, tmp_path / "copy")
    shutil.copy(pkg, tmp_path / "copy.vxpkg")
    return env.directory, pkg


@pytest.mark.parametrize(
    "variant", ["checks-first", "rows-staged-from-python", "every-indexed-column-set"]
)
def test_variants_end_as_the_default_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variant: str
) -> None:
    """Checks before the apply (DEFER_UPDATES off), staged rows built in Python from parsed
    lines (STAGE_IN_SQL off), or every indexed column written whether it changes or not (one
    statement: MAX_SIGNATURES exceeded), end exactly as the default (checks alongside, lines
    staged by SQLite, only changed indexed columns set), windows of three lines."""
    directory, pkg = _two_copies(tmp_path)
    monkeypatch.setattr(sync_state, "utc_now", lambda: NOW)
    monkeypatch.setattr(sync_apply, "utc_now", lambda: NOW)
    monkeypatch.setattr(_sync_fast, "WINDOW", 3)
    signatures: list[int] = []
    real_write = sync_fast.write

    def spy(conn: Any, shape: Any) -> bool:
        signatures.append(sync_fast.MAX_SIGNATURES)
        return real_write(conn, shape)

    monkeypatch.setattr(sync_fast, "write", spy)
    default = _import(directory, pkg, monkeypatch, fast=True)
    assert signatures and set(signatures) == {sync_fast.MAX_SIGNATURES}
    if variant == "checks-first":
        monkeypatch.setattr(sync_import, "DEFER_UPDATES", False)
    elif variant == "rows-staged-from-python":
        monkeypatch.setattr(_sync_fast, "STAGE_IN_SQL", False)
    else:
        monkeypatch.setattr(sync_fast, "MAX_SIGNATURES", -1)
    other = _import(tmp_path / "copy", tmp_path / "copy.vxpkg", monkeypatch, fast=True)
    result = default[0]
    assert (result.applied, result.unchanged, result.quarantined, result.conflicts) == (29, 2, 3, 2)
    assert result == other[0]
    assert default[1] == other[1]  # every table but the audit log and the users
    assert default[2] == other[2] and default[3] == other[3]


def test_changed_columns_only_touch_their_indexes(tmp_path: Path) -> None:
    """An address edit changes no indexed column since migration 0010 (persons_list holds no
    address): the fast path writes it without setting any indexed column."""
    env = make_sync_register(tmp_path / "reg", with_change=False)
    number = login_as(env.directory, "number")
    try:
        indexed = sync_fast.indexed_columns(number.register.conn, "persons")
        assert "address" not in indexed and "name" not in indexed
        assert "birth_date" in indexed and "atena_no" in indexed
    finally:
        number.register.close()


def test_a_cancel_stops_the_row_worker(
    env: SyncEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sync_fast, "WINDOW", 2)
    edits = _edits(env, address="テスト市中止1")
    pkg = tmp_path / "u.vxpkg"
    env.build_update(pkg, {"person": edits})
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        before = dump_tables(conn)
        with pytest.raises(ImportCancelled):
            import_package(number, pkg, cancel=lambda: True)
        assert dump_tables(conn) == before
    finally:
        number.register.close()
    assert not [t for t in threading.enumerate() if t.name in ("vaxdesk-rows", "vaxdesk-scan")]
