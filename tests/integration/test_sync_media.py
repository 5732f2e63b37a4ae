"""媒体管理簿: transfers recorded with medium, carrier and approver; erasure offered only after the
server acknowledged (exports) or the import committed; the ledger as CSV; permissions."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.errors import PermissionDenied
from app.services import media, sync_export
from app.services.sync_import import import_package
from app.store import audit
from tests.support.registers import login_as
from tests.support.sync_env import SyncEnv


def test_ledger_records_transfers_and_erasure(env: SyncEnv, tmp_path: Path) -> None:
    medium = tmp_path / "usb"
    number = login_as(env.directory, "number")
    try:
        with pytest.raises(media.ApproverUnknown):  # the carrier cannot approve their own transfer
            sync_export.export_changes(number, medium, approved_by="90004")
        assert not medium.exists()
        sent = sync_export.export_changes(number, medium, approved_by="90001")
        [out_entry] = media.ledger(number)
        assert (out_entry.direction, out_entry.sequence, out_entry.approved_by) == (
            "export",
            1,
            "90001",
        )
        assert out_entry.carried_by == number.user_id and out_entry.file_path == str(sent.path)
        with pytest.raises(media.NotYetErasable):
            media.erase(number, out_entry.id)
        update = medium / "update.vxpkg"
        env.build_update(update, ack=1)
        import_package(number, update, approved_by="90001")
        in_entry = media.ledger(number, direction="import")[0]
        assert media.erase(number, out_entry.id) is True
        assert media.erase(number, in_entry.id) is True
        assert not sent.path.exists() and not update.exists()
        erased = {e.id: e.erased_at for e in media.ledger(number)}
        assert all(erased.values())
        actions = [
            e.action for e in audit.query(number.register.conn) if e.action.startswith("media.")
        ]
        assert actions.count("media.transfer") == 2 and actions.count("media.erase") == 2
        rows = media.ledger_csv(number, tmp_path / "ledger.csv")
    finally:
        number.register.close()
    assert rows == 2
    with (tmp_path / "ledger.csv").open(encoding="utf-8-sig") as fh:
        table = list(csv.reader(fh))
    assert table[0][0] == "番号" and {r[2] for r in table[1:]} == {"書出", "取込"}


def test_auditor_reads_the_ledger_clerk_cannot(env: SyncEnv) -> None:
    auditor = login_as(env.directory, "auditor")
    try:
        assert media.ledger(auditor) == []
        with pytest.raises(PermissionDenied):
            media.erase(auditor, 1)
    finally:
        auditor.register.close()
    clerk = login_as(env.directory, "clerk")
    try:
        with pytest.raises(PermissionDenied):
            media.ledger(clerk)
    finally:
        clerk.register.close()
