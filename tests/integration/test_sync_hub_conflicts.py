"""Conflicts the hub reports in a package's manifest (field ``conflicts``) reach the terminal's
conflict queue: the losing edit, already acknowledged and overwritten by the kept version, is
shown beside it; keeping the hub's decision writes nothing, taking the other version writes it as
a new change; a conflict repeated in a later package is not queued twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.services import sync_conflicts, sync_export
from app.services.sync_import import import_package
from app.store import sync_outbox
from tests.support.registers import login_as
from tests.support.sync_env import SyncEnv, local_envelope, make_sync_register, server_edit

LOT = "SELECT lot_no FROM vaccinations WHERE uid = ?"


def _hub_decided(tmp_path: Path) -> tuple[SyncEnv, bytes, dict[str, Any]]:
    """The terminal's recorded dose was sent (package 1); the hub kept another terminal's
    concurrent edit of it and says so in the next update, which also acknowledges package 1."""
    env = make_sync_register(tmp_path / "reg")
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        uid = bytes(conn.execute("SELECT uid FROM vaccinations").fetchone()[0])
        sync_export.export_changes(number, tmp_path / "medium")
        mine = local_envelope(conn, "vaccination", uid)
        mine["origin"] = "192015-T0000000000AA"  # as the hub holds this terminal's edit
        kept = server_edit(mine, lot_no="MR-OTHER")
        kept["origin"] = "192015-T0000000000BB"
        entry = {
            "type": "vaccination",
            "uid": kept["uid"],
            "kept_version": kept["version"],
            "kept_origin": kept["origin"],
            "other": mine,
        }
        for n in (1, 2):  # the hub repeats the conflict in a second package
            pkg = tmp_path / f"u{n}.vxpkg"
            env.build_update(
                pkg, {"vaccination": [kept]}, ack=1, manifest_extra={"conflicts": [entry]}
            )
            result = import_package(number, pkg)
            assert result.conflicts == (1 if n == 1 else 0)
        assert conn.execute(LOT, (uid,)).fetchone()[0] == "MR-OTHER"
    finally:
        number.register.close()
    return env, uid, mine


@pytest.mark.parametrize("choice", ["local", "incoming"])
def test_a_conflict_the_hub_decided_is_queued_once_and_resolved(
    tmp_path: Path, choice: str
) -> None:
    env, uid, mine = _hub_decided(tmp_path)
    number = login_as(env.directory, "number")
    try:
        conn = number.register.conn
        [view] = sync_conflicts.open_conflicts(number)
        diff = {f.name: (f.local, f.incoming) for f in view.fields if f.differs}
        assert diff["lot_no"] == ("MR-OTHER", "MR001") and not view.server_owned
        assert view.incoming_version == mine["version"]
        waiting = sync_outbox.unpackaged_count(conn)
        sync_conflicts.resolve(number, view.id, choice)
        assert sync_conflicts.open_conflicts(number) == []
        lot = conn.execute(LOT, (uid,)).fetchone()[0]
        if choice == "local":  # the hub's decision confirmed: nothing written, nothing to send
            assert (lot, sync_outbox.unpackaged_count(conn)) == ("MR-OTHER", waiting)
        else:  # the other version written again as this terminal's new change
            assert (lot, sync_outbox.unpackaged_count(conn)) == ("MR001", waiting + 1)
    finally:
        number.register.close()


def test_malformed_or_server_owned_entries_are_ignored(tmp_path: Path) -> None:
    env = make_sync_register(tmp_path / "reg", with_change=False)
    number = login_as(env.directory, "number")
    try:
        bad: list[Any] = [
            "x",
            {"type": "vaccination", "uid": "not-a-uid", "other": {"version": "1"}},
            {"type": "person", "uid": "0190c0de-0000-7000-8000-000000000001", "other": {}},
            {"type": "nothing", "uid": "0190c0de-0000-7000-8000-000000000001", "other": {}},
            {"type": "vaccination", "uid": "0190c0de-0000-7000-8000-000000000001", "other": 3},
        ]
        pkg = tmp_path / "u1.vxpkg"
        env.build_update(pkg, {}, manifest_extra={"conflicts": bad})
        assert import_package(number, pkg).conflicts == 0
        assert sync_conflicts.open_conflicts(number) == []
    finally:
        number.register.close()
