"""`vaxdesk sync`: the terminal's side of the exchange with the server (PACKAGE-FORMAT.md)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.commands.common import add_register_options, open_session


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sync", help="サーバーとの同期（端末鍵・エクスポート・インポート・状態）")
    s = p.add_subparsers(dest="sync_command", required=True, metavar="COMMAND")

    k = s.add_parser("terminal-key", help="この端末の公開鍵ファイルを書き出す（サーバーへの登録用）",
                     description="端末の公開鍵ファイル (ID.pub.json) を書き出します。"
                     "秘密鍵は台帳の中にあり、書き出しません。")  # fmt: skip
    add_register_options(k)
    k.add_argument("--out", type=Path, required=True, metavar="FILE", help="出力ファイル")
    k.set_defaults(func=run_terminal_key)

    st = s.add_parser("status", help="同期の状態（未送信件数・通番・隔離・競合）")
    add_register_options(st)
    st.add_argument("--json", action="store_true", help="JSON で出力する")
    st.set_defaults(func=run_status)


def run_terminal_key(args: argparse.Namespace) -> int:
    from app.services.sync_identity import export_terminal_key

    session = open_session(args)
    try:
        key_id = export_terminal_key(session, args.out)
    finally:
        session.register.close()
    print(f"端末の公開鍵を書き出しました: {args.out}（鍵ID {key_id}）")
    return 0


def run_status(args: argparse.Namespace) -> int:
    from app.services.sync_status import sync_status

    session = open_session(args)
    try:
        status = sync_status(session)
    finally:
        session.register.close()
    if args.json:
        print(json.dumps(status.as_json(), ensure_ascii=False, indent=2))
        return 0
    for line in status.lines_ja():
        print(line)
    return 0
