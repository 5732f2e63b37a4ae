"""`vaxdesk gui`: the application on a real register."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from app.errors import ConfigError

REGISTER_ENV = "VAXDESK_REGISTER"


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "gui",
        help="台帳を指定してアプリを起動する",
        description=f"台帳フォルダは --register か環境変数 {REGISTER_ENV} で指定します。",
    )
    p.add_argument("--register", type=Path, metavar="DIR", help="台帳フォルダ")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.store.layout import RegisterLayout

    directory = args.register or (
        Path(os.environ[REGISTER_ENV]) if REGISTER_ENV in os.environ else None
    )
    if directory is None:
        raise ConfigError(code="E_REGISTER_NOT_GIVEN")
    if not RegisterLayout(directory).exists():
        raise ConfigError(
            "指定のフォルダに台帳がありません。新しい台帳は vaxdesk init で作成します。",
            code="E_REGISTER_MISSING",
        )
    from app.ui.shell.application import run_gui

    return run_gui(directory)
