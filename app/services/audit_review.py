"""Reading the audit log (監査担当, 管理者): filtered list and CSV export for periodic review."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from app.errors import InvalidInput, VaxDeskError
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
    "register.rekey": "台帳の鍵の更新",
    "mynumber.rekey": "個人番号の鍵の更新",
    "mynumber.rekey_due": "個人番号の鍵の更新待ち",
    "audit.verify": "監査ログ検証",
    "audit.view": "監査ログ閲覧",
    "audit.export": "監査ログ出力",
    "access.review": "アクセス権の点検",
    "settings.areas": "地区名の変更",
    "settings.areas.read": "地区名の表示",
    "settings.office": "窓口設定の変更",
    "settings.office.read": "窓口設定の表示",
    # every other action and permission code the app writes, so the viewer shows no raw code
    "audit.read": "監査ログ閲覧",
    "demo.generate": "デモ台帳の作成",
    "register.create": "台帳の作成",
    "issuance.create": "書類の発行",
    "issuance.read": "発行履歴の閲覧",
    "issuance.reissue": "書類の再発行",
    "issuance.withdraw": "発行番号の取下げ",
    "key.list": "セキュリティキー一覧",
    "key.manage": "セキュリティキー管理",
    "list.areas": "地区一覧",
    "list.unvaccinated": "未接種者一覧",
    "list.unvaccinated.export": "未接種者一覧のCSV出力",
    "list.prepare": "未接種者一覧の準備",
    "masters.read": "マスタの閲覧",
    "mynumber.read": "個人番号の閲覧",
    "mynumber.view": "個人番号欄の表示",
    "person.read": "住民情報の閲覧",
    "person.read_masked": "住民情報の閲覧（伏せ字）",
    "person.match": "住民の照合",
    "person.scan": "バーコード読取",
    "print.annual": "年報の印刷",
    "print.certificate": "予防接種済証の印刷",
    "print.monthly": "月報の印刷",
    "print.notices": "個別通知の印刷",
    "print.unvaccinated": "未接種者一覧の印刷",
    "print.voucher": "接種券の印刷",
    "print.yoshinhyo": "予診票の印刷",
    "report.annual": "年報",
    "report.monthly": "月報",
    "schedule.read": "接種予定の閲覧",
    "schedule.view": "接種予定の表示",
    "user.manage": "ユーザー管理",
    "user.read": "ユーザー一覧",
    "terminal.manage": "端末管理",
    "catalog.manage": "ワクチンカタログ管理",
    "media.erase": "媒体からの消去",
    "media.ledger": "媒体管理簿の閲覧",
    "media.ledger_export": "媒体管理簿のCSV出力",
    "media.transfer": "媒体による受け渡し",
    "policy.synced_passkeys": "同期パスキーの許可設定",
    "policy.synced_passkeys.read": "同期パスキーの許可設定の表示",
    "settings.manage": "窓口設定の管理",
    "sync.conflict.resolve": "同期の競合の解決",
    "sync.identity": "端末の同期用鍵",
    "sync.resend": "同期パッケージの再出力",
    "sync.status": "同期状況の表示",
    "sync.terminal_key": "端末公開鍵の出力",
    "sync.trust": "信頼リストの更新",
    "sync.trust_enrol": "信頼リストの初期登録",
    "sync.import": "同期データの取込",
    "sync.export": "同期データの出力",
    "vaccination.correct": "接種記録の訂正",
    "vaccination.create": "接種記録の登録",
    "vaccination.postpone": "接種の見合わせ",
    "vaccination.read": "接種記録の閲覧",
    "vaccination.void": "接種記録の取消",
    "keyslot.bind_roles": "鍵スロットへの役割の記録",
    "catalog.preview": "ワクチンカタログ訂正の差分確認",
    "catalog.import": "ワクチンカタログの取り込み",
    "catalog.history": "ワクチンカタログの版履歴の閲覧",
    "batch.scan": "一括入力での読み取り",
    "sync.conflicts": "同期の競合の一覧",
    "vaccination.check": "接種記録の事前確認",
    "retention.policy_read": "保存期間の設定の閲覧",
    "retention.policy": "保存期間の設定の変更",
    "retention.preview": "保存期間経過データの件数確認",
    "retention.purge": "保存期間経過データの消去",
}

RECORD_TYPES_JA = {
    "issuance": "発行",
    "purge": "消去",
    "retention_policy": "保存期間の設定",
    "person_number": "個人番号",
    "user": "ユーザー",
    "vaccination": "接種記録",
}


def local_day_bounds(first: date, last: date) -> tuple[str, str]:
    """The UTC instants (as the log writes them) from the start of local day ``first`` to the
    start of the local day after ``last``: the viewer's dates are the terminal's local days,
    like the times it shows."""

    def start(day: date) -> str:
        local = datetime.combine(day, time.min).astimezone()  # naive: the terminal's zone
        return local.astimezone(UTC).isoformat(timespec="milliseconds")

    return start(first), start(last + timedelta(days=1))


class BadDateRange(InvalidInput):
    code = "E_AUDIT_DATE_RANGE"


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What to read; ``date_from``..``date_until`` are local days (inclusive), as the viewer
    shows its times."""

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
        at_from=local_day_bounds(f.date_from, f.date_from)[0] if f.date_from else None,
        at_before=local_day_bounds(f.date_until, f.date_until)[1] if f.date_until else None,
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


TIME_COLUMN = "日時"  # + the terminal's UTC offset, e.g. 「日時(UTC+09:00)」


def utc_offset_text(moment: datetime | None = None) -> str:
    """「UTC+09:00」: the terminal's offset from UTC (at ``moment``, default now)."""
    offset = (moment or datetime.now(UTC)).astimezone().utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_time_csv(utc_text: str) -> str:
    """An audit time (UTC, as the log writes it) as the terminal's local time to the second,
    「2026-12-01 15:36:12」: the zone the audit viewer shows (the offset is in the header)."""
    try:
        moment = datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
    except ValueError:
        return utc_text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


CSV_HEADER = [
    "連番",
    TIME_COLUMN,
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


def csv_header() -> list[str]:
    """The CSV's first row, the time column naming the terminal's offset from UTC."""
    return [f"{c}({utc_offset_text()})" if c == TIME_COLUMN else c for c in CSV_HEADER]


def export_csv(session: Session | SessionView, f: AuditFilter, out: Path) -> int:
    """Write the filtered entries as UTF-8 (BOM, for Excel) CSV; returns the row count. Times
    are the terminal's local time, as in the viewer, with the offset in the header
    (「日時(UTC+09:00)」)."""
    session = session_of(session)
    _audit.require(session, perm.AUDIT_EXPORT, "audit.export")
    rows = _rows(session, f)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(csv_header())
    for r in rows:
        writer.writerow(
            [
                r.seq,
                local_time_csv(r.at),
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
    try:
        write_atomic(Path(out), ("\ufeff" + buf.getvalue()).encode("utf-8"))
    except OSError:  # no such folder, read-only medium: nothing was written
        raise VaxDeskError(
            "出力先に書き込めません。フォルダーがあること、書き込めることを確かめてください。",
            code="E_OUTPUT",
        ) from None
    _audit.record_now(session, "audit.export", detail={"rows": len(rows)})
    return len(rows)
