"""Reading the audit log (監査担当, 管理者): filtered list and CSV export for periodic review."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.errors import InvalidInput
from app.security import permissions as perm
from app.security.atomic import write_atomic
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.store import audit, users

ACTION_NAMES_JA = {
    "login": "ログイン",
    "login.locked": "ロック中のログイン",
    "lockout": "ロックアウト",
    "unlock": "ロック解除",
    "person.search": "住民検索",
    "person.view": "住民情報の表示",
    "mynumber.reveal": "個人番号の表示",
    "mynumber.write": "個人番号の登録・訂正",
    "mynumber.search": "個人番号での検索",
    "user.create": "ユーザー作成",
    "user.deactivate": "ユーザー無効化",
    "user.roles": "役割の変更",
    "user.reset": "ユーザーの再登録",
    "key.enroll": "セキュリティキー登録",
    "key.remove": "セキュリティキー削除",
    "recovery.use": "回復コードの使用",
    "terminal.rebind": "端末の再登録",
    "register.backup": "バックアップ",
    "register.restore": "復元",
    "audit.verify": "監査ログ検証",
    "audit.view": "監査ログ閲覧",
    "audit.export": "監査ログ出力",
    "access.review": "アクセス権の点検",
    "keyslot.bind_roles": "鍵スロットへの役割の記録",
    "catalog.preview": "ワクチンカタログ訂正の差分確認",
    "catalog.import": "ワクチンカタログの取り込み",
}


class BadDateRange(InvalidInput):
    code = "E_AUDIT_DATE_RANGE"


@dataclass(frozen=True, slots=True)
class AuditFilter:
    user_login: str | None = None
    action: str | None = None
    person_id: int | None = None
    date_from: date | None = None
    date_until: date | None = None
    limit: int = 5000


@dataclass(frozen=True, slots=True)
class AuditRow:
    seq: int
    at: str
    user_login: str | None
    staff_no: str | None
    terminal_id: str
    action: str
    action_ja: str
    outcome: str
    person_id: int | None
    record_type: str | None
    record_id: int | None
    detail: str


def _rows(session: Session, f: AuditFilter) -> list[AuditRow]:
    if f.date_from and f.date_until and f.date_from > f.date_until:
        raise BadDateRange()
    conn = session.register.conn
    user_id = None
    if f.user_login:
        row = users.get_by_login(conn, f.user_login)
        if row is None:
            return []
        user_id = row.id
    by_id = {u.id: u for u in users.list_users(conn)}
    out = []
    for e in audit.query(
        conn,
        user_id=user_id,
        action=f.action,
        person_id=f.person_id,
        date_from=f.date_from.isoformat() if f.date_from else None,
        date_until=f.date_until.isoformat() if f.date_until else None,
        limit=f.limit,
    ):
        u = by_id.get(e.user_id) if e.user_id is not None else None
        out.append(
            AuditRow(
                e.seq,
                e.at,
                u.login if u else None,
                u.staff_no if u else None,
                e.terminal_id,
                e.action,
                ACTION_NAMES_JA.get(e.action, e.action),
                e.outcome,
                e.person_id,
                e.record_type,
                e.record_id,
                e.detail,
            )
        )
    return out


def list_entries(session: Session | SessionView, f: AuditFilter) -> list[AuditRow]:
    session = session_of(session)
    _audit.require(session, perm.AUDIT_READ, "audit.view")
    rows = _rows(session, f)
    _audit.record_now(session, "audit.view", detail={"rows": len(rows)})
    return rows


CSV_HEADER = [
    "連番",
    "日時(UTC)",
    "ユーザー",
    "職員番号",
    "端末",
    "操作",
    "操作名",
    "結果",
    "住民ID",
    "記録種別",
    "記録ID",
    "詳細",
]


def export_csv(session: Session | SessionView, f: AuditFilter, out: Path) -> int:
    """Write the filtered entries as UTF-8 (BOM, for Excel) CSV; returns the row count."""
    session = session_of(session)
    _audit.require(session, perm.AUDIT_EXPORT, "audit.export")
    rows = _rows(session, f)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow(
            [
                r.seq,
                r.at,
                r.user_login or "",
                r.staff_no or "",
                r.terminal_id,
                r.action,
                r.action_ja,
                r.outcome,
                r.person_id or "",
                r.record_type or "",
                r.record_id or "",
                r.detail,
            ]
        )
    write_atomic(Path(out), ("\ufeff" + buf.getvalue()).encode("utf-8"))
    _audit.record_now(session, "audit.export", detail={"rows": len(rows)})
    return len(rows)
