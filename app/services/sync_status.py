"""What the 同期 page and `vaxdesk sync status` show: party id, sequences each way, the count of
unacknowledged changes (「未送信 12件」), quarantined packages and open conflicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.errors import PermissionDenied
from app.security import permissions as perm
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services._sync_quarantine import QuarantineReport, quarantine_reports
from app.store import sync_outbox, sync_state

FREEZE_DAYS = 14


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    peer_id: str
    last_sent_seq: int
    acked_seq: int
    last_applied_seq: int
    audit_ack_seq: int
    last_export_at: str | None
    last_import_at: str | None


@dataclass(frozen=True, slots=True)
class SyncStatus:
    party_id: str | None
    key_id: str | None
    server_ids: tuple[str, ...]
    trust_version: int | None
    channels: tuple[ChannelStatus, ...]
    unsent: int
    unpackaged: int
    quarantined_packages: int
    quarantined_records: int
    open_conflicts: int
    stale: bool  # no server package for FREEZE_DAYS (or never, once something was sent)

    def as_json(self) -> dict[str, Any]:
        return {
            "party_id": self.party_id,
            "key_id": self.key_id,
            "servers": list(self.server_ids),
            "trust_version": self.trust_version,
            "channels": [
                {
                    "peer": c.peer_id,
                    "last_sent": c.last_sent_seq,
                    "acknowledged": c.acked_seq,
                    "last_applied": c.last_applied_seq,
                    "audit_ack_seq": c.audit_ack_seq,
                    "last_export_at": c.last_export_at,
                    "last_import_at": c.last_import_at,
                }
                for c in self.channels
            ],
            "unacknowledged": self.unsent,
            "not_yet_exported": self.unpackaged,
            "quarantined_packages": self.quarantined_packages,
            "quarantined_records": self.quarantined_records,
            "open_conflicts": self.open_conflicts,
            "stale": self.stale,
        }

    def lines_ja(self) -> list[str]:
        lines = [
            f"端末ID: {self.party_id or '（未設定）'}  鍵ID: {self.key_id or '-'}",
            f"信頼するサーバー: {', '.join(self.server_ids) or '（なし）'}"
            f"  信頼ファイル版: {self.trust_version if self.trust_version is not None else '-'}",
            f"未送信: {self.unsent}件（うち未エクスポート {self.unpackaged}件）",
        ]
        for c in self.channels:
            lines.append(
                f"相手 {c.peer_id}: 送信 通番{c.last_sent_seq}（受領確認 {c.acked_seq}）"
                f" {c.last_export_at or '-'} / 取込 通番{c.last_applied_seq}"
                f" {c.last_import_at or '-'} / 監査ログ確認済み {c.audit_ack_seq}"
            )
        lines.append(
            f"隔離パッケージ: {self.quarantined_packages}件  隔離レコード:"
            f" {self.quarantined_records}件  未解決の競合: {self.open_conflicts}件"
        )
        if self.stale:
            lines.append(f"警告: サーバーからのパッケージが{FREEZE_DAYS}日以上届いていません。")
        return lines


def unsent_count(session: Session | SessionView) -> int:
    """The 「未送信 N件」 figure of the main window: a count only, for every signed-in role."""
    session = session_of(session)
    session.touch()
    return sync_outbox.unsent_count(session.register.conn)


def _stale(channels: list[sync_state.Channel], now: datetime) -> bool:
    imports = [c.last_import_at for c in channels if c.last_import_at]
    if not imports:
        return any(c.last_sent_seq for c in channels)
    last = max(datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) for t in imports)
    return now - last > timedelta(days=FREEZE_DAYS)


def _require_sync_role(session: Session) -> None:
    """The sync views are for the roles that export or import (番号利用事務担当)."""
    session.touch()
    if not (session.can(perm.SYNC_EXPORT) or session.can(perm.SYNC_IMPORT)):
        _audit.record_now(
            session, "sync.status", outcome="denied", detail={"needs": "sync.export|sync.import"}
        )
        raise PermissionDenied()


def quarantined_packages(session: Session | SessionView) -> list[QuarantineReport]:
    """The reports of the packages moved to the quarantine folder, newest first."""
    session = session_of(session)
    _require_sync_role(session)
    return quarantine_reports(session.register.directory)


def sync_status(session: Session | SessionView, *, now: datetime | None = None) -> SyncStatus:
    """Allowed to the roles that export or import (番号利用事務担当)."""
    session = session_of(session)
    _require_sync_role(session)
    conn = session.register.conn
    identity = sync_state.load_identity(conn)
    trust = sync_state.trust_file(conn)
    servers = tuple(sorted({p.party_id for p in sync_state.trusted_parties(conn, "server")}))
    chans = sync_state.channels(conn)
    return SyncStatus(
        party_id=None if identity is None else identity.party_id,
        key_id=None if identity is None else identity.key_id,
        server_ids=servers,
        trust_version=None if trust is None else trust.version,
        channels=tuple(
            ChannelStatus(
                c.peer_id,
                c.last_sent_seq,
                c.acked_seq,
                c.last_applied_seq,
                c.audit_ack_seq,
                c.last_export_at,
                c.last_import_at,
            )
            for c in chans
        ),
        unsent=sync_outbox.unsent_count(conn),
        unpackaged=sync_outbox.unpackaged_count(conn),
        quarantined_packages=len(quarantine_reports(session.register.directory)),
        quarantined_records=sync_outbox.quarantined_record_count(conn),
        open_conflicts=sync_outbox.open_conflict_count(conn),
        stale=_stale(chans, now or datetime.now(UTC)),
    )
