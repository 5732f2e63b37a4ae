"""`vaxdesk lists prepare`: judge every 未接種者一覧 series of today once and keep the judgements
(``unvaccinated.prepare_lists``), so that the first list of each series at the counter is fast
(after an initial load, or at night)."""

from __future__ import annotations

import argparse
import time
from typing import Any

from app.commands.cli_session import add_register_options, open_session


def add_parser(sub: Any) -> None:
    p = sub.add_parser("lists", help="未接種者一覧の準備")
    cmd = p.add_subparsers(dest="lists_command", required=True, metavar="COMMAND")
    s = cmd.add_parser(
        "prepare",
        help="今日の未接種者一覧を全種類判定して保持する（最初の一覧表示を速くする）",
    )
    add_register_options(s)
    s.set_defaults(func=run_prepare)


def run_prepare(args: argparse.Namespace) -> int:
    from app.services import unvaccinated

    session = open_session(args)
    try:
        started = time.perf_counter()
        done = unvaccinated.prepare_lists(session)
    finally:
        session.register.close()
    print(f"{len(done)} 種類の一覧を準備しました（{time.perf_counter() - started:.1f} 秒）")
    return 0
