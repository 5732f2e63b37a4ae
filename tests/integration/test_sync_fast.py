"""The set-based fast path of a package apply (app/services/_sync_fast) ends exactly as the
record-by-record path: the same package imported into two copies of one register, one with the
fast path and one without, gives the same tables (every table but the audit log, and the users,
where each login stamps its time), quarantine codes, conflict queue and counts, over a package
that mixes every case the fast path must leave to the record-by-record path with plain updates
it takes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from app.services import _sync_fast
from app.services.sync_import import ImportResult, import_package
from app.store import sync_apply, sync_fast, sync_state
from tests.support.registers import login_as
from tests.support.sync_env import (
    SyncEnv,
    dump_tables,
    envelope,
    local_envelope,
    make_sync_register,
    person_env,
    server_edit,
)

NOW = "2026-12-01T10:00:00+00:00"
MISSING = "01938a2e-7a4b-7c3d-8e4f-0000000000aa"


def _older(env: dict[str, Any]) -> dict[str, Any]:
    return {**env, "version": f"{1:013d}.00000.192015-HUB"}


def _setup(env: SyncEnv, tmp_path: Path) -> None:
    """Thirty more residents in a second household, so that the mixed package has plain
    updates around every special case."""
    household = envelope("household", {"household_no": "H0900", "address": "テスト市北町1"})
    people = [
        person_env(f"00000009{i:02d}", "シンキ タロウ", household_uid=household["uid"])
        for i in range(30)
    ]
    pkg = tmp_path / "setup.vxpkg"
    env.build_update(pkg, {"household": [household], "person": people})
    number = login_as(env.directory, "number")
    try:
        assert import_package(number, pkg).applied == 31
        conn = number.register.conn
        # local edits of two residents, not yet acknowledged by the server
        for atena in ("0000000903", "0000000904"):
            conn.execute("UPDATE persons SET phone = '000-0000' WHERE atena_no = ?", (atena,))
            conn.execute(
                "INSERT INTO outbox (record_type, record_uid, version, queued_at)"
                " SELECT 'person', uid, 'x', datetime('now') FROM persons WHERE atena_no = ?",
                (atena,),
            )
    finally:
        number.register.close()


def _mixed(conn: Any) -> dict[str, list[dict[str, Any]]]:
    def stored(atena: str) -> dict[str, Any]:
        uid = conn.execute("SELECT uid FROM persons WHERE atena_no = ?", (atena,)).fetchone()[0]
        return local_envelope(conn, "person", bytes(uid))

    hh = conn.execute("SELECT uid FROM households WHERE household_no = 'H0900'").fetchone()[0]
    household = local_envelope(conn, "household", bytes(hh))
    a = {i: stored(f"00000009{i:02d}") for i in range(30)}
    newcomer = person_env("0000000950", "テンニュウ ハナコ", moved_in_date="2026-11-01")
    child = person_env("0000000951", "テンニュウ ジロウ", guardian_uid=newcomer["uid"])
    partial = server_edit(a[12], address="テスト市部分1")
    for key in ("household_uid", "phone", "relationship"):  # not carried: stored values kept
        partial["data"].pop(key, None)
    twice = server_edit(a[14], address="一度目")
    persons = [
        server_edit(a[0], address="テスト市南町1"),  # plain
        _older(server_edit(a[1], address="古い住所")),  # older version: unchanged
        a[2],  # equal version: unchanged
        newcomer,  # 転入: a new resident
        server_edit(a[3], address="テスト市競合1"),  # local change waiting: conflict
        server_edit(a[5], moved_out=True, moved_out_date="2026-11-30"),  # 転出
        server_edit(a[6], deceased=True, deceased_date="2026-11-29"),  # 死亡
        server_edit(a[7], name="改名 花子", name_kana="カイメイ ハナコ"),  # 氏名変更
        {**server_edit(a[8]), "voided": {"at": "2026-11-28T09:00:00Z", "reason": "重複登録"}},
        server_edit(a[9], household_uid=MISSING),  # reference to a missing row
        server_edit(a[10], atena_no=a[11]["data"]["atena_no"]),  # unique swap ...
        server_edit(a[11], atena_no=a[10]["data"]["atena_no"]),  # ... refused both ways
        child,  # refers to a resident new in this package
        partial,
        twice,
        server_edit(a[15], birth_date="2001-02-03", sex="F"),  # indexed columns change
        server_edit(a[16], guardian_uid=a[17]["uid"]),  # a reference that resolves
        server_edit(twice, address="二度目"),  # the same uid again
        server_edit(a[18], household_uid=None),  # a reference cleared
        server_edit(a[4], address="テスト市競合2"),  # local change waiting, second
        *(server_edit(a[i], address=f"テスト市西町{i}") for i in range(19, 30)),
    ]
    inst = conn.execute("SELECT uid FROM institutions ORDER BY id LIMIT 1").fetchone()[0]
    institution = server_edit(local_envelope(conn, "institution", bytes(inst)), phone="03-0000")
    return {
        "household": [server_edit(household, address="テスト市北町2")],
        "institution": [institution],
        "person": persons,
    }


def _import(
    directory: Path, pkg: Path, monkeypatch: pytest.MonkeyPatch, *, fast: bool
) -> tuple[ImportResult, str, list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    monkeypatch.setattr(_sync_fast, "ENABLED", fast)
    number = login_as(directory, "number")
    try:
        result = import_package(number, pkg)
        conn = number.register.conn
        quarantine = conn.execute(
            "SELECT record_type, record_uid, version, code FROM sync_record_quarantine ORDER BY id"
        ).fetchall()
        conflicts = conn.execute(
            "SELECT record_type, record_uid, local_version, incoming_version, resolution"
            " FROM sync_conflicts ORDER BY id"
        ).fetchall()
        # every table but the audit log and the users (the login stamps its time there)
        return result, dump_tables(conn, skip=("audit_log", "users")), quarantine, conflicts
    finally:
        number.register.close()


@pytest.mark.parametrize("window", [3, 50_000])
def test_fast_path_ends_as_record_by_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, window: int
) -> None:
    env = make_sync_register(tmp_path / "reg", with_change=False, demo=True)  # copyable
    _setup(env, tmp_path)
    number = login_as(env.directory, "number")
    try:
        records = _mixed(number.register.conn)
    finally:
        number.register.close()
    pkg = tmp_path / "mixed.vxpkg"
    env.build_update(pkg, records)
    shutil.copytree(env.directory, tmp_path / "copy")
    shutil.copy(pkg, tmp_path / "copy.vxpkg")
    # the same clock for both imports (quarantine, conflict and applied-package times)
    monkeypatch.setattr(sync_state, "utc_now", lambda: NOW)
    monkeypatch.setattr(sync_apply, "utc_now", lambda: NOW)
    monkeypatch.setattr(_sync_fast, "WINDOW", window)
    planned: list[tuple[int, int]] = []
    real_plan = sync_fast.plan

    def spy(conn: Any, shape: Any) -> tuple[int, int]:
        planned.append(real_plan(conn, shape))
        return planned[-1]

    monkeypatch.setattr(sync_fast, "plan", spy)
    fast = _import(env.directory, pkg, monkeypatch, fast=True)
    taken = sum(n for n, _ in planned), sum(u for _, u in planned)
    planned.clear()
    slow = _import(tmp_path / "copy", tmp_path / "copy.vxpkg", monkeypatch, fast=False)
    assert planned == []  # the second import went record by record
    result = fast[0]
    # 26 residents, the household and the institution applied (the two residents in conflict
    # too: the server owns them)
    assert (result.applied, result.unchanged, result.quarantined, result.conflicts) == (28, 2, 3, 2)
    assert result == slow[0]
    assert fast[1] == slow[1]  # every table but the audit log and the users
    assert [q[3] for q in fast[2]] == ["E_SYNC_REFERENCE", "E_SYNC_CONSTRAINT", "E_SYNC_CONSTRAINT"]
    assert fast[2] == slow[2]
    assert len(fast[3]) == 2 and fast[3] == slow[3]
    # the fast path took the household, the institution, 19 plain resident updates (and the uid
    # that comes twice when each comes in its own window) and the two unchanged
    assert taken == (23 if window == 3 else 21, 2)


def test_unknown_unique_columns_send_every_record_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table whose UNIQUE constraints are not known column by column (a partial or
    expression index) has no plain records: all of them go record by record, and apply."""
    env = make_sync_register(tmp_path / "reg", with_change=False)
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        uids = [bytes(r[0]) for r in conn.execute("SELECT uid FROM persons ORDER BY id")]
        edits = [server_edit(local_envelope(conn, "person", u), address="北町9") for u in uids]
        pkg = tmp_path / "u.vxpkg"
        env.build_update(pkg, {"person": edits})
        monkeypatch.setattr(sync_fast, "unique_columns", lambda conn, table: None)
        planned: list[tuple[int, int]] = []
        real_plan = sync_fast.plan

        def plan(c: Any, s: Any) -> tuple[int, int]:
            planned.append(real_plan(c, s))
            return planned[-1]

        monkeypatch.setattr(sync_fast, "plan", plan)
        result = import_package(number, pkg)
        assert planned == [(0, 0)]
        assert (result.applied, result.unchanged) == (len(uids), 0)
        addresses = {r[0] for r in conn.execute("SELECT address FROM persons")}
        assert addresses == {"北町9"}
    finally:
        number.register.close()
