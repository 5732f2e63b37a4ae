"""`vaxdesk rekey`: 鍵の更新 (a new DEK for the register, every key slot follows)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.commands.cli_session import add_register_options, open_session


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "rekey",
        help="台帳の鍵を更新する（管理者）",
        description="台帳を新しい鍵 (DEK) で暗号化し直し、すべての利用者の鍵に新しい鍵を届けます。"
        "無効化した利用者が以前の鍵を控えていても、更新後の台帳は読めません。"
        "他の利用者は全員ログアウトしてから実行してください。"
        "更新前のバックアップは以前の鍵のままです。",
    )
    add_register_options(p)
    p.set_defaults(func=run_rekey)


def run_rekey(args: argparse.Namespace) -> int:
    from app.services.key_rotation import rekey_register

    session = open_session(args)
    last = [-1]

    def progress(fraction: float, text: str) -> None:
        percent = int(fraction * 100)
        if percent // 10 != last[0] // 10 or percent == 100:
            print(f"{percent:3d}% {text}", file=sys.stderr, flush=True)
            last[0] = percent

    try:
        result = rekey_register(session, progress=progress)
    finally:
        session.register.close()
    print(
        f"台帳の鍵を更新しました（鍵 {result.slots} 件に新しい鍵を届けました。"
        f"台帳 {result.size_bytes:,} バイト）。各利用者の次回ログインで鍵ファイルに反映されます。"
    )
    return 0
