"""`vaxdesk catalog diff|import|history`: vaccine catalog corrections (administrators)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.commands.cli_session import add_register_options, open_session

_CHANGE_JA = {"added": "追加", "removed": "削除", "changed": "変更"}


def add_parser(sub: Any) -> None:
    p = sub.add_parser("catalog", help="ワクチンカタログの訂正（管理者）")
    cat = p.add_subparsers(dest="catalog_command", required=True, metavar="COMMAND")
    d = cat.add_parser("diff", help="訂正ファイルと現在のカタログの差分を表示する")
    d.add_argument("file", type=Path, metavar="FILE")
    add_register_options(d)
    d.set_defaults(func=run_diff)
    i = cat.add_parser(
        "import",
        help="訂正ファイルを台帳に取り込む（差分を表示し、--yes で適用）",
        description="台帳フォルダに置いた catalog.json は使われません。訂正はこのコマンドで"
        "台帳に取り込み、版として履歴に残します。",
    )
    i.add_argument("file", type=Path, metavar="FILE")
    i.add_argument("--yes", action="store_true", help="差分を確認済みとして適用する")
    add_register_options(i)
    i.set_defaults(func=run_import)
    h = cat.add_parser("history", help="取り込んだカタログの版の一覧")
    add_register_options(h)
    h.set_defaults(func=run_history)


def _show(preview: Any) -> None:
    print(f"改訂日 {preview.revision}  sha256 {preview.sha256}")
    if not preview.changes:
        print("差分はありません。")
    for c in preview.changes:
        names = " → ".join(n for n in (c.name_before, c.name_after) if n)
        print(f"  {_CHANGE_JA[c.change]} {c.kind} {c.item_id} {names}".rstrip())


def run_diff(args: argparse.Namespace) -> int:
    from app.services.catalog_admin import preview_import

    session = open_session(args)
    try:
        _show(preview_import(session, args.file))
    finally:
        session.register.close()
    return 0


def run_import(args: argparse.Namespace) -> int:
    from app.services.catalog_admin import apply_import, preview_import

    session = open_session(args)
    try:
        preview = preview_import(session, args.file)
        _show(preview)
        if not args.yes:
            print("適用していません。内容を確認して --yes を付けて実行してください。")
            return 1
        number = apply_import(session, preview)
    finally:
        session.register.close()
    print(f"カタログの版 {number} を取り込みました。")
    return 0


def run_history(args: argparse.Namespace) -> int:
    from app.services.catalog_admin import history

    session = open_session(args)
    try:
        versions = history(session)
    finally:
        session.register.close()
    if not versions:
        print("取り込んだ版はありません（同梱のカタログを使用中）。")
    for v in versions:
        mark = "（使用中）" if v.in_force else ""
        print(f"版 {v.number} {v.imported_at} 職員番号 {v.staff_no} 変更 {v.changes} 件{mark}")
    return 0
