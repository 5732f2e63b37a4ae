"""`vaxdesk init`: create a real register with its first administrator."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.commands.cli_session import TextPrompt, read_password
from app.errors import InvalidInput

MIN_PASSWORD = 12


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "init",
        help="新しい台帳を作成する（最初の管理者と回復コード）",
        description="新しい暗号化台帳を作成します。端末の鍵は OS の資格情報ストアに保存します"
        "（安全なストアがない端末では作成しません）。回復コードは一度だけ表示されます。"
        "印刷して金庫に保管してください。",
    )
    p.add_argument("--register", type=Path, required=True, metavar="DIR", help="新しい台帳フォルダ")
    p.add_argument("--admin", required=True, metavar="LOGIN", help="管理者のユーザー名")
    p.add_argument("--name", required=True, help="管理者の氏名")
    p.add_argument("--staff-no", required=True, help="管理者の職員番号")
    p.add_argument(
        "--municipality-code",
        required=True,
        metavar="CODE",
        help="地方公共団体コード（検査数字を含む6桁）。同期用の端末IDに使います",
    )
    p.add_argument("--municipality-name", default="", help="市区町村名")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.domain.ids import validate_municipality_code
    from app.services.register import NewUser
    from app.services.register_create import create_register

    municipality_code = validate_municipality_code(args.municipality_code)
    password = read_password("管理者のパスワード: ")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"パスワードは{MIN_PASSWORD}文字以上にしてください。", code="E_PASSWORD_TOO_SHORT"
        )
    if sys.stdin.isatty() and read_password("もう一度: ") != password:
        raise InvalidInput(code="E_PASSWORD_MISMATCH")
    created = create_register(
        args.register,
        admin=NewUser(args.admin, args.name, args.staff_no, password, ("admin",)),
        municipality_code=municipality_code,
        municipality_name=args.municipality_name,
        prompt=TextPrompt(),
    )
    print("台帳を作成しました。")
    print("回復コード（一度だけ表示します。印刷して金庫に保管してください）:")
    print(f"  {created.recovery_code}")
    return 0
