"""`vaxdesk backup`, `vaxdesk restore`, `vaxdesk audit verify`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.commands.cli_session import add_register_options, open_session


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "backup",
        help="台帳の暗号化バックアップを作成する",
        description="SQLite バックアップ API で暗号化されたままの複製を作ります。"
        " keyslots.json の複製 (FILE.keyslots.json) も作ります。",
    )
    add_register_options(p)
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="出力ファイル")
    p.set_defaults(func=run_backup)

    p = sub.add_parser(
        "restore",
        help="検証済みのバックアップから台帳を復元する",
        description="バックアップを開いて整合性を検査し、同じ台帳のものである"
        "ことを確かめてから置き換えます。元のファイルは残します。",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="バックアップファイル")
    add_register_options(p)
    p.set_defaults(func=run_restore)

    p = sub.add_parser("audit", help="監査ログの操作")
    audit_sub = p.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    v = audit_sub.add_parser(
        "verify",
        help="監査ログのハッシュ連鎖を検証する",
        description="改ざんがなければ終了コード 0、あれば 1 と"
        "最初に壊れている記録の番号を出力します。",
    )
    add_register_options(v)
    v.set_defaults(func=run_audit_verify)


def run_backup(args: argparse.Namespace) -> int:
    from app.services.maintenance import backup

    session = open_session(args)
    try:
        info = backup(session, args.out)
    finally:
        session.register.close()
    print(f"バックアップを作成しました: {info.path} ({info.size_bytes:,} バイト)")
    print(f"鍵ファイルの複製: {info.keyslots_copy}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from app.services.maintenance import restore

    session = open_session(args)
    try:
        kept = restore(session, args.file)
    finally:
        session.register.close()
    print(f"復元しました。元の台帳ファイルは {kept.name} として残しています。")
    return 0


def run_audit_verify(args: argparse.Namespace) -> int:
    from app.services.maintenance import verify_audit

    session = open_session(args)
    try:
        report = verify_audit(session)
    finally:
        session.register.close()
    if report.intact:
        print(f"監査ログは正常です（{report.entries} 件）。")
        return 0
    if report.first_broken_seq is not None and report.head_problem is None:
        print(
            f"監査ログの改ざんを検出しました: 記録番号 {report.first_broken_seq}", file=sys.stderr
        )
    if report.head_problem is not None:
        print(
            f"監査ログの改ざんを検出しました: {HEAD_PROBLEMS.get(report.head_problem, '')}"
            f"（台帳の最終記録 {report.entries} 件、台帳外に保存した先頭 {report.head_seq}）",
            file=sys.stderr,
        )
    if report.anchor_missed_seq is not None:
        print(
            f"監査ログがサーバーの受領確認（記録番号 {report.anchor_missed_seq}）と一致しません"
            "（切り詰めまたは書き換え）。",
            file=sys.stderr,
        )
    return 1


HEAD_PROBLEMS = {
    "db_behind": "台帳の監査ログが、台帳外に保存した記録より短くなっています"
    "（末尾の削除、または古い台帳ファイルへの差し替え）。",
    "diverged": "台帳の監査ログが、台帳外に保存した記録と一致しません（書き換えられています）。",
    "head_missing": "台帳外に保存した監査ログの記録 (audit-head.json) がありません。",
    "head_unauthenticated": "台帳外に保存した監査ログの記録 (audit-head.json) を確認できません"
    "（改変、または別の端末のものです）。",
}
