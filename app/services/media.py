"""媒体管理簿 (media ledger): every package written to or read from removable media is recorded
with the medium (volume label and serial where the OS gives them), who carried out the transfer
and who approved it (a second registered staff member); once the server has acknowledged an
exported package, or an import has committed, the file can be erased from the medium and the
erasure is recorded. Every entry is also an audit entry (ids only)."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import psutil

from app.errors import InvalidInput, NotFound, PermissionDenied
from app.security import permissions as perm
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.store import db, media_ledger, sync_state, users

LedgerEntry = media_ledger.LedgerEntry


class ApproverUnknown(InvalidInput):
    code = "E_MEDIA_APPROVER"
    message_ja = (
        "承認者の職員番号が登録されていないか、作業者本人です。別の登録職員の職員番号を"
        "入力してください。"
    )


class NotYetErasable(InvalidInput):
    code = "E_MEDIA_NOT_ACKNOWLEDGED"
    message_ja = (
        "このパッケージはまだサーバーの受領確認がありません。確認後に媒体から消去してください。"
    )


@dataclass(frozen=True, slots=True)
class Volume:
    label: str | None
    serial: str | None


def volume_of(path: Path) -> Volume:
    """Label and serial of the volume holding ``path`` (None where the OS does not say)."""
    target = Path(path).resolve()
    best = None
    for part in psutil.disk_partitions(all=False):
        mount = Path(part.mountpoint)
        if (target == mount or mount in target.parents) and (
            best is None or len(str(mount)) > len(str(best.mountpoint))
        ):
            best = part
    if best is None:
        return Volume(None, None)
    if os.name == "nt":  # pragma: no cover - Windows only
        return _windows_volume(best.mountpoint)
    device = os.path.realpath(best.device)
    return Volume(_by_link("/dev/disk/by-label", device), _by_link("/dev/disk/by-uuid", device))


def _by_link(folder: str, device: str) -> str | None:
    try:
        for name in os.listdir(folder):
            if os.path.realpath(os.path.join(folder, name)) == device:
                return name.replace("\\x20", " ")
    except OSError:
        return None
    return None


def _windows_volume(root: str) -> Volume:  # pragma: no cover - Windows only
    import ctypes

    label = ctypes.create_unicode_buffer(261)
    serial = ctypes.c_uint32()
    ok = ctypes.windll.kernel32.GetVolumeInformationW(  # type: ignore[attr-defined]
        ctypes.c_wchar_p(root), label, 261, ctypes.byref(serial), None, None, None, 0
    )
    if not ok:
        return Volume(None, None)
    return Volume(label.value or None, f"{serial.value:08X}")


def _require_view(session: Session) -> None:
    session.touch()
    if not any(session.can(p) for p in ("sync.export", "sync.import", "audit.read")):
        _audit.record_now(
            session,
            "media.ledger",
            outcome="denied",
            detail={"needs": "sync.export|sync.import|audit.read"},
        )
        raise PermissionDenied()


def ledger(
    session: Session | SessionView,
    *,
    direction: str | None = None,
    date_from: str | None = None,
    date_until: str | None = None,
) -> list[media_ledger.LedgerEntry]:
    session = session_of(session)
    _require_view(session)
    return media_ledger.entries(
        session.register.conn, direction=direction, date_from=date_from, date_until=date_until
    )


def staff_names(session: Session | SessionView) -> dict[int, str]:
    """Who is who in the ledger (its 作業者 and 消去者 are user ids): id → 表示名（職員番号）,
    for whoever may view the ledger."""
    session = session_of(session)
    _require_view(session)
    return {
        u.id: f"{u.display_name}（{u.staff_no}）" if u.staff_no else u.display_name
        for u in users.list_users(session.register.conn)
    }


def ledger_csv(session: Session | SessionView, out: Path, **filters: str | None) -> int:
    session = session_of(session)
    rows = ledger(session, **filters)
    with Path(out).open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "番号",
                "日時",
                "区分",
                "通番",
                "ファイル",
                "ボリュームラベル",
                "シリアル",
                "作業者ID",
                "承認者職員番号",
                "消去日時",
                "消去者ID",
            ]
        )
        for e in rows:
            writer.writerow(
                [
                    e.id,
                    e.at,
                    "書出" if e.direction == "export" else "取込",
                    e.sequence,
                    e.file_name,
                    e.volume_label or "",
                    e.volume_serial or "",
                    e.carried_by,
                    e.approved_by,
                    e.erased_at or "",
                    e.erased_by or "",
                ]
            )
    _audit.record_now(session, "media.ledger_export", detail={"rows": len(rows)})
    return len(rows)


def _wipe(path: Path) -> bool:
    """Overwrite with zeros, flush, then delete. False when the file is already gone."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return False
    with path.open("r+b") as fh:
        remaining = size
        block = bytes(1 << 20)
        while remaining > 0:
            n = min(remaining, len(block))
            fh.write(block[:n])
            remaining -= n
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()
    return True


def erase(session: Session | SessionView, entry_id: int) -> bool:
    """「媒体から消去」: wipe the package file from the medium and record it. Returns whether a
    file was there. Exported packages only after the server acknowledged them."""
    session = session_of(session)
    session.touch()
    if not (session.can(perm.SYNC_EXPORT) or session.can(perm.SYNC_IMPORT)):
        _audit.record_now(
            session, "media.erase", outcome="denied", detail={"needs": "sync.export|sync.import"}
        )
        raise PermissionDenied()
    conn = session.register.conn
    found = media_ledger.entry(conn, entry_id)
    if found is None or found.erased_at is not None:
        raise NotFound()
    if found.direction == "export":
        acked = max((c.acked_seq for c in sync_state.channels(conn)), default=0)
        if found.sequence is None or found.sequence > acked:
            raise NotYetErasable()
    present = _wipe(Path(found.file_path))
    with db.transaction(conn):
        media_ledger.mark_erased(conn, entry_id, session.user_id)
        _audit.record(
            session,
            "media.erase",
            record_type="media_ledger",
            record_id=entry_id,
            detail={"file_present": present},
        )
    return present
