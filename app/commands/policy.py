"""`vaxdesk policy synced-passkeys allow|refuse`: the administrator's enrolment setting."""

from __future__ import annotations

import argparse
from typing import Any

from app.commands.cli_session import add_register_options, open_session


def add_parser(sub: Any) -> None:
    p = sub.add_parser("policy", help="台帳の設定（管理者）")
    policy_sub = p.add_subparsers(dest="policy_command", required=True, metavar="SETTING")
    s = policy_sub.add_parser(
        "synced-passkeys",
        help="同期されるパスキーの登録を許可する／しない",
        description="クラウドに同期・バックアップされるパスキー（BE/BS フラグ付きの資格情報）を"
        "今後の鍵登録で許可するかどうかを設定します。既定は「許可しない」。変更は監査ログに"
        "記録されます。",
    )
    s.add_argument(
        "value", choices=("allow", "refuse"), help="allow: 許可する / refuse: 許可しない"
    )
    add_register_options(s)
    s.set_defaults(func=run_synced_passkeys)


def run_synced_passkeys(args: argparse.Namespace) -> int:
    from app.services.users_admin import set_synced_passkeys_allowed

    session = open_session(args)
    try:
        set_synced_passkeys_allowed(session, args.value == "allow")
    finally:
        session.register.close()
    state = "許可する" if args.value == "allow" else "許可しない"
    print(f"同期されるパスキーの登録: {state}（監査ログに記録しました）")
    return 0
