"""`vaxdesk recover`: open the register with the recovery code and re-bind this terminal."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from app.commands.cli_session import TextPrompt, read_password
from app.errors import AuthError

RECOVERY_ENV = "VAXDESK_RECOVERY_CODE"


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "recover",
        help="回復コードで台帳を開き、この端末を再登録する（再設定した PC など）",
        description="回復コード（金庫に保管したもの）で台帳を開き、この端末に新しい端末鍵を"
        "作成して、指定した管理者の鍵スロットを新しいパスワードとセキュリティキーで作り直します。"
        "ほかの利用者は管理者が再登録します。回復コードの使用は監査ログに記録されます。",
    )
    p.add_argument("--register", type=Path, required=True, metavar="DIR", help="台帳フォルダ")
    p.add_argument("--admin", required=True, metavar="LOGIN", help="再登録する管理者のユーザー名")
    p.set_defaults(func=run)


def _recovery_code() -> str:
    code = os.environ.get(RECOVERY_ENV)
    if code is not None:
        return code
    if not sys.stdin.isatty():
        raise AuthError(code="E_NO_RECOVERY_CODE")
    return getpass.getpass("回復コード: ")


def run(args: argparse.Namespace) -> int:
    from app.services.recovery import open_with_recovery_code, rebind_terminal

    access = open_with_recovery_code(args.register, _recovery_code())
    try:
        password = read_password("管理者の新しいパスワード: ")
        terminal_id = rebind_terminal(access, args.admin, password, prompt=TextPrompt())
    finally:
        access.register.close()
    print(f"この端末を再登録しました（端末ID {terminal_id}）。ほかの利用者は再登録が必要です。")
    return 0
