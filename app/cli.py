"""The `vaxdesk` command: GUI launch, demo, administration, schedule, printing, backup."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app import __version__
from app.errors import VaxDeskError


def build_parser() -> argparse.ArgumentParser:
    from app.commands import (
        catalog_cmd,
        demo,
        gui,
        hub,
        ids,
        init,
        lists_cmd,
        maintenance,
        package,
        policy,
        print_cmd,
        recover,
        rekey_cmd,
        retention_cmd,
        schedule,
        settings,
        sync_cmd,
    )

    parser = argparse.ArgumentParser(
        prog="vaxdesk",
        description="VaxDesk 予防接種台帳システム",
    )
    parser.add_argument("--version", action="version", version=f"VaxDesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo.add_parser(sub)
    gui.add_parser(sub)
    hub.add_parser(sub)
    init.add_parser(sub)
    lists_cmd.add_parser(sub)
    ids.add_parser(sub)
    maintenance.add_parser(sub)
    policy.add_parser(sub)
    catalog_cmd.add_parser(sub)
    recover.add_parser(sub)
    retention_cmd.add_parser(sub)
    rekey_cmd.add_parser(sub)
    schedule.add_parser(sub)
    print_cmd.add_parser(sub)
    package.add_parser(sub)
    settings.add_parser(sub)
    sync_cmd.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args))
    except VaxDeskError as exc:
        print(f"{exc.code}: {exc.message_ja}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("中断しました。", file=sys.stderr)
        return 130
    except Exception as exc:  # last resort: no message or traceback (could hold personal data)
        print(
            f"E_INTERNAL: 内部エラーが発生しました（{type(exc).__name__}）。管理者に連絡して"
            "ください。",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":
    sys.exit(main())
