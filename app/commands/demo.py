"""`vaxdesk demo`: the demo register (synthetic people only) and the GUI on it."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import platformdirs

DEFAULT_DEMO_PERSONS = 3000


def default_demo_dir() -> Path:
    return Path(platformdirs.user_data_dir("VaxDesk", appauthor=False)) / "demo-register"


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="デモ台帳で起動する（なければ作成）、または --create でデモ台帳だけを作成する",
        description="架空の住民データによるデモ台帳です。デモユーザー admin / clerk / nurse /"
        " number / auditor のパスワードは demo-<ユーザー名> です（デモ台帳のみ）。",
    )
    p.add_argument(
        "--create", type=Path, metavar="DIR", help="ウィンドウを開かずに DIR にデモ台帳を作成する"
    )
    p.add_argument(
        "--persons",
        type=int,
        default=None,
        metavar="N",
        help=f"住民数（既定 {DEFAULT_DEMO_PERSONS}、最大 1,000,000 以上も可）",
    )
    p.add_argument(
        "--seed", type=int, default=1, metavar="S", help="乱数の種（同じ種なら同じ台帳）"
    )
    p.add_argument(
        "--reset",
        action="store_true",
        help="デモ台帳を削除して作り直してから起動する（デモ台帳のみ。実台帳は削除しない）",
    )
    p.add_argument(
        "--register",
        type=Path,
        metavar="DIR",
        help="起動するデモ台帳のフォルダ（既定: ユーザーごとのデータフォルダ）",
    )
    p.set_defaults(func=run)


def _progress(stage: str, done: int, total: int) -> None:
    print(f"\r{stage}: {done:,}/{total:,}", end="", file=sys.stderr, flush=True)


def _create(directory: Path, persons: int, seed: int) -> None:
    from app.services.demo import create_demo_register

    if persons < 1:
        from app.errors import InvalidInput

        raise InvalidInput(code="E_DEMO_PERSONS")
    started = time.perf_counter()
    info = create_demo_register(directory, persons=persons, seed=seed, progress=_progress)
    print(file=sys.stderr)
    print(
        f"デモ台帳を作成しました: {directory} — 住民 {info.persons:,} 人、接種記録"
        f" {info.vaccinations:,} 件、{time.perf_counter() - started:.1f} 秒"
    )
    print("デモユーザー: admin / clerk / nurse / number / auditor（パスワード demo-<ユーザー名>）")


def run(args: argparse.Namespace) -> int:
    if args.create is not None:
        _create(args.create, args.persons or DEFAULT_DEMO_PERSONS, args.seed)
        return 0
    from app.store.layout import RegisterLayout

    directory = args.register or default_demo_dir()
    if args.reset:
        from app.services.demo import reset_demo_register

        print(f"デモ台帳を作り直しています: {directory}", file=sys.stderr)
        reset_demo_register(
            directory,
            persons=args.persons or DEFAULT_DEMO_PERSONS,
            seed=args.seed,
            progress=_progress,
        )
        print(file=sys.stderr)
    elif not RegisterLayout(directory).exists():
        print(f"デモ台帳を作成しています: {directory}", file=sys.stderr)
        _create(directory, args.persons or DEFAULT_DEMO_PERSONS, args.seed)
    from app.ui.shell.application import run_gui

    return run_gui(directory)
