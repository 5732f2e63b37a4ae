"""The fast path stages a window of package lines in SQL (app/store/sync_fast.stage_lines: the
lines bound as one JSON array, taken apart by SQLite): the staged rows are those built in Python
from the lines parsed by orjson (``_sync_fast._Rows``, the path before), for every kind of field
value (absent, null, escapes, a NUL character, non-BMP text, booleans, voided); a line SQLite
could read otherwise than orjson (a repeated key: SQLite takes the first, orjson the last) is
never staged as plain, and such a package still ends as orjson reads it; a window that is not
JSON stages nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from app.services import _sync_fast
from app.services._sync_fast import _Rows, shape_of
from app.services.sync_import import import_package
from app.store import sync_apply, sync_fast
from tests.integration.test_sync_updates_checks import _forged
from tests.support.registers import login_as
from tests.support.sync_env import SyncEnv, local_envelope, make_sync_register, server_edit


@pytest.fixture
def env(tmp_path: Path) -> SyncEnv:
    return make_sync_register(tmp_path / "reg", with_change=False)


def _residents(env: SyncEnv) -> list[dict[str, Any]]:
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        uids = [bytes(r[0]) for r in conn.execute("SELECT uid FROM persons ORDER BY id")]
        return [local_envelope(conn, "person", u) for u in uids]
    finally:
        number.register.close()


def _variants(base: dict[str, Any]) -> list[bytes]:
    """Schema-valid lines of one resident with every kind of value the fast path stages."""
    absent = server_edit(base)
    for name in ("phone", "guardian_uid", "postal_code", "moved_out", "tax_status"):
        absent["data"].pop(name, None)
    voided = server_edit(base, address="北町1")
    voided["voided"] = {"at": "2026-11-30T09:15:00Z", "reason": "重複登録"}
    edits = [
        server_edit(base, address="テスト市南町1-2"),
        server_edit(base, phone=None, postal_code=None, household_uid=None, guardian_uid=None),
        absent,
        voided,
        server_edit(base, address='改行\n\\引用"タブ\t', name="ＡＢＣ 𠀋𡈽"),
        server_edit(base, address="a\u0000b", relationship="\u00e9"),
        server_edit(base, moved_out=True, deceased=False, provisional=True),
    ]
    lines = [orjson.dumps(e) for e in edits]
    # the same value written with \u escapes (orjson writes UTF-8), and spaces around members
    lines.append(json.dumps(server_edit(base, address="東町3"), ensure_ascii=True).encode())
    lines.append(
        json.dumps(server_edit(base, address="西町4"), indent=1).encode().replace(b"\n", b"")
    )
    return lines


def _staged(conn: Any, shape: sync_fast.Shape, lines: list[bytes], in_sql: bool) -> list[Any]:
    if in_sql:
        assert sync_fast.stage_lines(conn, shape, lines)
    else:
        rows = _Rows(shape)
        sync_fast.stage(conn, shape, [rows(i, orjson.loads(x)) for i, x in enumerate(lines)])
    return [tuple(r) for r in conn.execute("SELECT * FROM temp.sync_fast_in ORDER BY seq")]


def test_lines_staged_in_sql_are_the_rows_built_in_python(env: SyncEnv) -> None:
    base = _residents(env)[0]
    lines = _variants(base)
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        shape = shape_of("person", sync_apply.columns(conn, "persons"))
        assert shape is not None
        in_sql = _staged(conn, shape, lines, True)
        in_python = _staged(conn, shape, lines, False)
        assert len(in_sql) == len(lines)
        assert in_sql == in_python
        bad = shape.staged.index("bad") + 1
        absent = shape.staged.index("absent") + 1
        assert [r[bad] for r in in_sql] == [0] * len(lines)
        assert in_sql[2][absent] != 0 and in_sql[0][absent] == 0  # absent fields are marked
        address = shape.staged.index("address") + 1
        assert in_sql[5][address] == "a\u0000b"
        sync_fast.drop(conn)
    finally:
        number.register.close()


def _repeated(line: bytes, member: bytes, value: bytes) -> bytes:
    """``line`` with ``member`` given once more at the end of ``data`` (or of the envelope)."""
    if member == b"uid":
        return line[:-1] + b',"uid":' + value + b"}"
    head, _, tail = line.partition(b'"data":{')
    return head + b'"data":{"' + member + b'":' + value + b"," + tail


def test_a_repeated_key_is_never_staged_as_plain(env: SyncEnv) -> None:
    base = _residents(env)
    plain = orjson.dumps(server_edit(base[0], address="一"))
    lines = [
        plain,
        _repeated(
            orjson.dumps(server_edit(base[1], address="二")), b"address", json.dumps("三").encode()
        ),
        _repeated(orjson.dumps(server_edit(base[2])), b"uid", json.dumps(base[3]["uid"]).encode()),
    ]
    voided = server_edit(base[4])
    voided["voided"] = {"at": "2026-11-30T09:15:00Z", "reason": "a"}
    lines.append(orjson.dumps(voided).replace(b'"reason":"a"', b'"reason":"a","reason":"b"'))
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        shape = shape_of("person", sync_apply.columns(conn, "persons"))
        assert shape is not None
        rows = _staged(conn, shape, lines, True)
        bad = shape.staged.index("bad") + 1
        assert [r[bad] for r in rows] == [0, 1, 1, 1]
        sync_fast.drop(conn)
    finally:
        number.register.close()


def test_a_package_with_a_repeated_key_ends_as_orjson_reads_it(
    env: SyncEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The package layer checks the lines as orjson reads them (the last of a repeated key);
    the record goes record by record, so the register gets that value too."""
    monkeypatch.setattr(_sync_fast, "WINDOW", 3)
    base = _residents(env)
    lines = [orjson.dumps(server_edit(r, address="北町5")) for r in base]
    lines[1] = _repeated(lines[1], b"address", '"最初の値"'.encode())  # orjson: 北町5 (the last)
    path = _forged(env, tmp_path / "u.vxpkg", b"".join(x + b"\n" for x in lines))
    number = login_as(env.directory, "number")
    try:
        result = import_package(number, path)
        assert (result.applied, result.quarantined) == (len(base), 0)
        addresses = {r[0] for r in number.register.conn.execute("SELECT address FROM persons")}
        assert addresses == {"北町5"}
    finally:
        number.register.close()


def test_a_window_that_is_not_json_stages_nothing(env: SyncEnv) -> None:
    base = _residents(env)
    good = orjson.dumps(server_edit(base[0]))
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        shape = shape_of("person", sync_apply.columns(conn, "persons"))
        assert shape is not None
        for window in ([good, b'{"type": "person", "uid": '], [good, b""], [b'{"a":1', good]):
            staged = sync_fast.stage_lines(conn, shape, window)
            count = conn.execute("SELECT count(*) FROM temp.sync_fast_in").fetchone()[0]
            assert (staged, count) == (False, 0)
        # two bad lines that join into as many JSON values: staged, but none is plain
        assert sync_fast.stage_lines(conn, shape, [b'{"a":[1', b"2]},{}"])
        rows = conn.execute("SELECT bad FROM temp.sync_fast_in ORDER BY seq").fetchall()
        assert [r[0] for r in rows] == [1, 1]
        sync_fast.drop(conn)
    finally:
        number.register.close()


def test_windows_are_cut_by_bytes_too(
    env: SyncEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A window also ends once its lines reach WINDOW_BYTES (they are bound as one value): with
    a cap below one line, every line is its own window, and all of them apply."""
    monkeypatch.setattr(_sync_fast, "WINDOW_BYTES", 1)
    base = _residents(env)
    lines = [orjson.dumps(server_edit(r, address="南町8")) for r in base]
    path = _forged(env, tmp_path / "u.vxpkg", b"".join(x + b"\n" for x in lines))
    staged: list[int] = []
    real = sync_fast.stage_lines

    def spy(conn: Any, shape: sync_fast.Shape, window: list[bytes]) -> bool:
        staged.append(len(window))
        return real(conn, shape, window)

    monkeypatch.setattr(sync_fast, "stage_lines", spy)
    number = login_as(env.directory, "number")
    try:
        result = import_package(number, path)
        assert (result.applied, result.quarantined) == (len(base), 0)
        assert staged == [1] * len(base)
        addresses = {r[0] for r in number.register.conn.execute("SELECT address FROM persons")}
        assert addresses == {"南町8"}
    finally:
        number.register.close()
