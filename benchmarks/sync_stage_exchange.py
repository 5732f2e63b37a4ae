"""The ``--exchange-in-place FOLDER`` run of ``bench_sync``: the ``export`` stage (today's
export only) then the ``updates`` stage with a package acknowledging that export, both in place
on a prepared register folder (``FOLDER``/register with ``FOLDER``/info.json: a disposable copy
of a cached register; used for the 1,000,000-person figures). A register built before sync first
gets its party, keys and demo server (``ensure_sync_identity``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from app.services import _sync_identity
from app.services.demo import MUNICIPALITY_CODE
from app.store import db, sync_state
from benchmarks.demo_cache import CachedRegister
from benchmarks.sync_stage_export import stage_export
from benchmarks.sync_stage_updates import stage_updates


def ensure_sync_identity(register_dir: Path, recovery_code: str) -> None:
    """A register built before sync (an older cache) gets its party, keys and demo server."""
    from app.services.recovery import open_with_recovery_code

    access = open_with_recovery_code(register_dir, recovery_code)
    try:
        conn = access.register.conn
        if sync_state.load_identity(conn) is None:
            with db.transaction(conn):
                party = _sync_identity.new_terminal_party_id(MUNICIPALITY_CODE)
                _sync_identity.create_identity(conn, party)
                _sync_identity.install_demo_server(conn, register_dir, MUNICIPALITY_CODE)
    finally:
        access.register.close()


def stage_exchange(folder: Path, changes: int) -> dict[str, Any]:
    """Export then import of an acknowledging update, in place on a prepared register folder
    (``folder``/register with ``folder``/info.json; used for the 1,000,000-person figures)."""
    info = json.loads((folder / "info.json").read_text("utf-8"))
    register_dir = folder / "register"
    ensure_sync_identity(register_dir, str(info["recovery_code"]))
    reg = CachedRegister(folder, register_dir, folder / "plain.db", info)
    work = Path(tempfile.mkdtemp(dir=folder))
    try:
        exported = stage_export(reg, work, changes, terminal=register_dir, acknowledged=False)
        updated = stage_updates(reg, work, changes, terminal=register_dir, ack=1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "persons": info["persons"],
        "vaccinations": info["vaccinations"],
        "export": exported,
        "updates": updated,
    }
