"""`vaxdesk settings office`: the office named on individual notices (administrators)."""

from __future__ import annotations

import argparse
from typing import Any

from app.commands.cli_session import add_register_options, open_session


def add_parser(sub: Any) -> None:
    p = sub.add_parser("settings", help="台帳の設定")
    settings_sub = p.add_subparsers(dest="settings_command", required=True, metavar="COMMAND")
    o = settings_sub.add_parser(
        "office",
        help="個別通知に載せる窓口（名称・住所・電話番号）を設定する",
        description="個別通知の差出人と問い合わせ先になる窓口を設定します。"
        "3項目とも設定されるまで個別通知は印刷できません。システム管理者のみ。",
    )
    add_register_options(o)
    o.add_argument("--name", required=True, help="窓口の名称（例: 新宿区健康部 保健予防課）")
    o.add_argument("--address", required=True, help="窓口の住所")
    o.add_argument("--phone", required=True, help="窓口の電話番号（例: 03-5273-3859）")
    o.set_defaults(func=run_office)


def run_office(args: argparse.Namespace) -> int:
    from app.services.office import set_office

    session = open_session(args)
    try:
        office = set_office(session, args.name, args.address, args.phone)
    finally:
        session.register.close()
    print(f"窓口を設定しました: {office.name}　{office.address}　電話 {office.phone}")
    return 0
