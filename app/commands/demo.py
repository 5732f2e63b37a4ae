"""`vaxdesk demo`: the demo register (synthetic people only) and the GUI on it."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import platformdirs

DEFAULT_DEMO_PERSONS = 3000
# The demo hub (DIR/hub) holds every resident in memory while it is built (the 個人番号 exist only
# in this process: they come from a discarded secret), so it is made by default only for registers
# up to this size; --hub forces it for bigger ones, --no-hub leaves it out.
HUB_DEFAULT_MAX_PERSONS = 20_000
MOVE_OUT_SAMPLE = "hub-sample-move-out.csv"


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
    p.add_argument(
        "--hub",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="同じ住民のデモ用ハブ（DIR/hub）も作成する／しない"
        f"（既定: 住民 {HUB_DEFAULT_MAX_PERSONS:,} 人以下のとき作成）",
    )
    p.set_defaults(func=run)


def _progress(stage: str, done: int, total: int) -> None:
    print(f"\r{stage}: {done:,}/{total:,}", end="", file=sys.stderr, flush=True)


def _wants_hub(hub: bool | None, persons: int) -> bool:
    return persons <= HUB_DEFAULT_MAX_PERSONS if hub is None else hub


def _capture(wanted: bool) -> Any:
    if not wanted:
        return None
    from app.demo.generator import HOUSEHOLD_COLUMNS, NUMBER_COLUMNS, PERSON_COLUMNS
    from app.demo.residents import ResidentCapture

    return ResidentCapture(PERSON_COLUMNS, HOUSEHOLD_COLUMNS, NUMBER_COLUMNS)


def _build_hub(directory: Path, terminal_id: str, capture: Any) -> None:
    """DIR/hub on the embedded engine: the register's residents (uids, 個人番号 captured while the
    register was generated) and masters (same uids), the demo server's key and the demo terminal
    enrolled."""
    from app.hub.demo import create_demo_hub

    server = directory / "demo-server"
    keys = sorted(server.glob("*.key.json"))
    if len(keys) != 1 or not terminal_id:
        raise RuntimeError("the demo register has no single demo server key")
    try:
        info = create_demo_hub(
            directory / "hub",
            keys[0],
            capture.rows,
            server / f"{terminal_id}.pub.json",
            masters=capture.masters,
        )
        sample = _write_move_out_sample(directory, capture.rows)
    finally:
        capture.clear()
    print(
        f"デモ用ハブを作成しました: {info.directory} — ハブ {info.hub_id}、住民"
        f" {info.residents:,} 人、マスタ {info.masters:,} 件、登録端末 {', '.join(info.terminals)}"
    )
    if sample is not None:
        print(f"住民記録の変更例（転出 1 人、個人番号なし）: {sample}")


def _write_move_out_sample(directory: Path, rows: list[dict[str, str]]) -> Path | None:
    """``DIR/hub-sample-move-out.csv``: one living demo resident moved out today, for trying
    ``vaxdesk hub import-residents`` (fictional data; the 個人番号 column left empty, which keeps
    the number the hub holds)."""
    from datetime import date

    from app.hub.residents_csv import COLUMNS
    from app.hub.sample import write_residents_csv

    today = date.today().isoformat()
    living = [r for r in rows if not r["異動事由"] and r["生年月日"] < today]
    if not living:
        return None
    row = {**living[0], "個人番号": "", "異動事由": "転出", "異動日": today}
    path = directory / MOVE_OUT_SAMPLE
    write_residents_csv(path, [[row[c] for c in COLUMNS]])
    return path


def _create(directory: Path, persons: int, seed: int, hub: bool | None = None) -> None:
    from app.services.demo import create_demo_register

    if persons < 1:
        from app.errors import InvalidInput

        raise InvalidInput(code="E_DEMO_PERSONS")
    started = time.perf_counter()
    capture = _capture(_wants_hub(hub, persons))
    info = create_demo_register(
        directory, persons=persons, seed=seed, progress=_progress, capture=capture
    )
    print(file=sys.stderr)
    print(
        f"デモ台帳を作成しました: {directory} — 住民 {info.persons:,} 人、接種記録"
        f" {info.vaccinations:,} 件、{time.perf_counter() - started:.1f} 秒"
    )
    print("デモユーザー: admin / clerk / nurse / number / auditor（パスワード demo-<ユーザー名>）")
    if capture is not None:
        _build_hub(Path(directory), info.terminal_id, capture)


def run(args: argparse.Namespace) -> int:
    if args.create is not None:
        _create(args.create, args.persons or DEFAULT_DEMO_PERSONS, args.seed, args.hub)
        return 0
    from app.store.layout import RegisterLayout

    directory = args.register or default_demo_dir()
    if args.reset:
        from app.services.demo import reset_demo_register

        print(f"デモ台帳を作り直しています: {directory}", file=sys.stderr)
        persons = args.persons or DEFAULT_DEMO_PERSONS
        capture = _capture(_wants_hub(args.hub, persons))
        info = reset_demo_register(
            directory, persons=persons, seed=args.seed, progress=_progress, capture=capture
        )
        print(file=sys.stderr)
        if capture is not None:
            _build_hub(Path(directory), info.terminal_id, capture)
    elif not RegisterLayout(directory).exists():
        print(f"デモ台帳を作成しています: {directory}", file=sys.stderr)
        _create(directory, args.persons or DEFAULT_DEMO_PERSONS, args.seed, args.hub)
    from app.ui.shell.application import run_gui

    return run_gui(directory)
