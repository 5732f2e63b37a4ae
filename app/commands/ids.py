"""`vaxdesk id check mynumber|municipality VALUE`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.domain.ids import validate_municipality_code, validate_mynumber
from app.errors import InvalidInput


def add_parser(sub: Any) -> None:
    p = sub.add_parser("id", help="番号の検査")
    id_sub = p.add_subparsers(dest="id_command", required=True, metavar="COMMAND")
    c = id_sub.add_parser(
        "check",
        help="個人番号または地方公共団体コードのチェックデジットを検査する",
        description="正しければ終了コード 0、誤りなら 1 と理由を標準エラーに出力します。"
        " 入力値そのものは出力しません。",
    )
    c.add_argument("kind", choices=["mynumber", "municipality"], help="番号の種類")
    c.add_argument("value", help="検査する番号")
    c.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    try:
        if args.kind == "mynumber":
            validate_mynumber(args.value)
        else:
            validate_municipality_code(args.value)
    except InvalidInput as exc:
        print(f"{exc.code}: {exc.message_ja}", file=sys.stderr)
        return 1
    print("OK")
    return 0
