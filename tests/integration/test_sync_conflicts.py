"""Conflicts and resident changes arriving from the server."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.security.session import Session
from app.services import sync_conflicts, sync_export, unvaccinated
from app.services.sync_import import import_package
from app.store import audit, sync_outbox
from tests.support.registers import login_as
from tests.support.sync_env import (
    SyncEnv,
    local_envelope,
    make_sync_register,
    person_env,
    server_edit,
)


def _uid(session: Session, sql: str) -> bytes:
    return bytes(session.register.conn.execute(sql).fetchone()[0])


def test_local_unacknowledged_result_and_a_different_incoming_one_are_both_kept(
    tmp_path: Path,
) -> None:
    env = make_sync_register(tmp_path / "reg")
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        uid = _uid(number, "SELECT uid FROM vaccinations WHERE series_id = 'mr1'")
        incoming = server_edit(local_envelope(conn, "vaccination", uid), lot_no="MR999")
        pkg = tmp_path / "u1.vxpkg"
        env.build_update(pkg, {"vaccination": [incoming]})
        result = import_package(number, pkg)
        assert (result.conflicts, result.applied) == (1, 0)
        lot = "SELECT lot_no FROM vaccinations WHERE uid = ?"
        assert conn.execute(lot, (uid,)).fetchone()[0] == "MR001"  # nothing overwritten
        [view] = sync_conflicts.open_conflicts(number)
        changed = {f.name: (f.local, f.incoming) for f in view.fields if f.differs}
        assert changed["lot_no"] == ("MR001", "MR999") and not view.server_owned
        waiting = sync_outbox.unpackaged_count(conn)
        version = sync_conflicts.resolve(number, view.id, "merged", merged={"lot_no": "incoming"})
        assert conn.execute(lot, (uid,)).fetchone()[0] == "MR999"
        assert sync_conflicts.open_conflicts(number) == []
        assert sync_outbox.unpackaged_count(conn) == waiting  # same record, queued again
        entry = next(audit.query(conn, action="sync.conflict.resolve"))
        assert entry.outcome == "ok"
        sent = sync_export.export_changes(number, tmp_path / "m")
    finally:
        number.register.close()
    with env.open_as_server(sent.path) as opened:
        [record] = list(opened.records("vaccination"))
    assert record["data"]["lot_no"] == "MR999" and record["version"] == version


def test_server_owned_record_server_wins_and_local_is_kept_for_review(tmp_path: Path) -> None:
    env = make_sync_register(tmp_path / "reg", with_change=False)
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        uid = _uid(number, "SELECT uid FROM persons WHERE atena_no = '0000000003'")
        server_copy = local_envelope(conn, "person", uid)
        # A provisional local edit, not yet acknowledged by the server.
        conn.execute("UPDATE persons SET phone = '000-0000' WHERE uid = ?", (uid,))
        conn.execute(
            "INSERT INTO outbox (record_type, record_uid, version, queued_at)"
            " VALUES ('person', ?, 'x', datetime('now'))",
            (uid,),
        )
        pkg = tmp_path / "u1.vxpkg"
        env.build_update(pkg, {"person": [server_edit(server_copy, address="テスト市新町1")]})
        result = import_package(number, pkg)
        assert (result.applied, result.conflicts) == (1, 1)
        row = conn.execute("SELECT address, phone FROM persons WHERE uid = ?", (uid,)).fetchone()
        assert row == ("テスト市新町1", None)
        [view] = sync_conflicts.open_conflicts(number)
        assert view.server_owned and view.server_applied
        with pytest.raises(sync_conflicts.ConflictRefused):
            sync_conflicts.resolve(number, view.id, "local")
        sync_conflicts.resolve(number, view.id, "incoming")
        assert sync_conflicts.open_conflicts(number) == []
    finally:
        number.register.close()


def test_resident_changes_keep_history_and_leave_the_unvaccinated_list(tmp_path: Path) -> None:
    env = make_sync_register(tmp_path / "reg", with_change=False)
    on = date(2026, 11, 27)
    assert "0000000001" in _listed(env, on)
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        taro = _uid(number, "SELECT uid FROM persons WHERE atena_no = '0000000001'")
        hanako = _uid(number, "SELECT uid FROM persons WHERE atena_no = '0000000002'")
        jiro = _uid(number, "SELECT uid FROM persons WHERE atena_no = '0000000004'")
        updates = [
            server_edit(
                local_envelope(conn, "person", taro), moved_out=True, moved_out_date="2026-11-20"
            ),  # 転出
            server_edit(
                local_envelope(conn, "person", hanako), name="鈴木 花子", name_kana="スズキ ハナコ"
            ),  # 氏名変更
            server_edit(
                local_envelope(conn, "person", jiro), deceased=True, deceased_date="2026-11-01"
            ),  # 死亡
            person_env("0000000300", birth_date="2025-06-01", moved_in_date="2026-11-10"),  # 転入
        ]
        pkg = tmp_path / "u1.vxpkg"
        env.build_update(pkg, {"person": updates})
        assert import_package(number, pkg).applied == 4
        rows = dict(
            conn.execute(
                "SELECT atena_no, moved_out || '/' || ifnull(moved_out_date, '') || '/' || deceased"
                " || '/' || name_kana FROM persons"
            ).fetchall()
        )
        assert rows["0000000001"] == "1/2026-11-20/0/ヤマダ タロウ"  # stays, flagged, dated
        assert rows["0000000002"].endswith("スズキ ハナコ")
        assert rows["0000000004"].startswith("0//1")
        assert "0000000300" in rows
        kana = conn.execute("SELECT kana_key FROM persons WHERE atena_no = '0000000002'")
        assert kana.fetchone()[0] != ""
    finally:
        number.register.close()
    after = _listed(env, on)
    assert "0000000001" not in after and "0000000300" in after


def _listed(env: SyncEnv, on: date) -> list[str]:
    nurse = login_as(env.directory, "nurse")
    try:
        return [e.atena_no for e in unvaccinated.build_list(nurse, "mr1", on).entries]
    finally:
        nurse.register.close()
