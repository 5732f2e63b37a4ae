"""An ``initial`` package's member checks run while it is applied (app.sync.deferred): a package
that fails them is refused with their code even though records went in meanwhile (the
transaction rolls back, every table but the audit log unchanged, the file quarantined with a
report), and their code comes before the apply's own (a register that is not empty)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from app.services import _initial_lines
from app.services.sync_import import import_package
from app.store import audit
from app.sync import deferred
from app.sync.errors import PackageError
from app.sync.opened import scan_inner
from tests.support.registers import login_as
from tests.support.sync_env import SyncEnv, dump_tables, make_sync_register, person_env
from tests.support.sync_forge import forge, inner_zip

PEOPLE = 6000  # more than one chunk of the line path goes in before the bad line


@pytest.fixture
def empty(tmp_path: Path) -> SyncEnv:
    return make_sync_register(
        tmp_path / "new", with_change=False, with_people=False, with_masters=False
    )


def _lines(bad: bytes | None) -> bytes:
    good = b"".join(orjson.dumps(person_env(f"{600000 + i:010d}")) + b"\n" for i in range(PEOPLE))
    return good + (bad or b"")


def _initial(
    env: SyncEnv,
    path: Path,
    bad: bytes | None,
    edit: Callable[[dict[str, Any]], None] | None = None,
) -> Path:
    pid = "01938a2e-7a4b-7c3d-8e4f-123456789abd"
    files = [("records/person.jsonl", _lines(bad))]
    forge(
        path,
        inner_zip(files, pid, edit=edit),
        sender=env.server,
        recipient=env.terminal,
        package_id=pid,
        kind="initial",
    )
    return path


@pytest.fixture
def checks_after_apply(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The member checks start only once the line path has inserted a chunk (so the refusal
    below is a rollback of rows that were in, not a refusal before any)."""
    inserted = threading.Event()
    counted = [0]
    scan = scan_inner  # the function deferred looks up (patched there below)
    insert = _initial_lines.LinePath.insert

    def late_scan(*args: Any) -> Any:
        inserted.wait(timeout=30)
        return scan(*args)

    def noted(self: _initial_lines.LinePath, *args: Any) -> int:
        done = insert(self, *args)
        counted[0] += done
        inserted.set()
        return done

    monkeypatch.setattr(deferred, "scan_inner", late_scan)
    monkeypatch.setattr(_initial_lines.LinePath, "insert", noted)
    yield counted


def _bad_person(**changes: object) -> bytes:
    record = person_env("0000699999")
    record["data"].update(changes)
    return orjson.dumps(record) + b"\n"


CASES: list[tuple[str, bytes | None, Callable[[dict[str, Any]], None] | None, str]] = [
    ("record-schema", _bad_person(sex="X"), None, "E_RECORD_SCHEMA"),
    ("not-json", b'{"type": "person", "uid": \n', None, "E_RECORD_SCHEMA"),
    ("unknown-field", _bad_person(favourite="x"), None, "E_RECORD_SCHEMA"),
    ("manifest-count", None, lambda m: m["files"][0].update(records=PEOPLE + 1), "E_MANIFEST"),
]


@pytest.mark.parametrize(("bad", "edit", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_failed_check_rolls_back_what_went_in(
    empty: SyncEnv,
    tmp_path: Path,
    checks_after_apply: list[int],
    bad: bytes | None,
    edit: Callable[[dict[str, Any]], None] | None,
    code: str,
) -> None:
    path = _initial(empty, tmp_path / "initial.vxpkg", bad, edit)
    number = login_as(empty.directory, "number")
    try:
        conn = number.register.conn
        before = dump_tables(conn)
        with pytest.raises(PackageError) as err:
            import_package(number, path)
        assert err.value.code == code
        assert checks_after_apply[0] >= 5000  # rows were in before the verdict
        assert dump_tables(conn) == before
        assert conn.execute("SELECT count(*) FROM persons").fetchone()[0] == 0
        last = next(audit.query(conn, action="sync.import", limit=1))
        assert last.outcome == "failed" and json.loads(last.detail)["code"] == code
    finally:
        number.register.close()
    assert not path.exists()
    reports = [
        json.loads(r.read_text("utf-8"))
        for r in (empty.directory / "quarantine").glob("*.report.json")
    ]
    assert [r["code"] for r in reports] == [code]


def test_the_same_package_without_the_fault_loads(
    empty: SyncEnv, tmp_path: Path, checks_after_apply: list[int]
) -> None:
    path = _initial(empty, tmp_path / "initial.vxpkg", None)
    number = login_as(empty.directory, "number")
    try:
        result = import_package(number, path)
        assert result.applied == PEOPLE and result.quarantined == 0
        assert checks_after_apply[0] == PEOPLE
        conn = number.register.conn
        assert conn.execute("SELECT count(*) FROM persons").fetchone()[0] == PEOPLE
    finally:
        number.register.close()


def test_a_failed_check_comes_before_a_register_that_is_not_empty(tmp_path: Path) -> None:
    env = make_sync_register(tmp_path / "reg")
    path = _initial(env, tmp_path / "initial.vxpkg", _bad_person(sex="X"))
    number = login_as(env.directory, "number")
    try:
        before = dump_tables(number.register.conn)
        with pytest.raises(PackageError) as err:
            import_package(number, path)
        assert err.value.code == "E_RECORD_SCHEMA"  # not E_SYNC_INITIAL_NOT_EMPTY
        assert dump_tables(number.register.conn) == before
    finally:
        number.register.close()
    assert not path.exists()
