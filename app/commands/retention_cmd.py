"""`vaxdesk retention show|purge`: what is past retention (counts by kind) and its purge
(administrators; DOMAIN.md §7). ``purge`` shows the counts and removes exactly them only with
``--yes``; nothing is ever purged without it."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from app.commands.cli_session import add_register_options, open_session
from app.domain.retention import KIND_NAMES_JA, KINDS
from app.services.retention import RetentionDateInvalid


def _day(text: str | None) -> date | None:
    """The --on day, checked before the register is opened (the code is the first line)."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise RetentionDateInvalid("基準日は YYYY-MM-DD で指定してください。") from None
    if day > date.today():
        raise RetentionDateInvalid()
    return day


def add_parser(sub: Any) -> None:
    p = sub.add_parser("retention", help="保存期間を過ぎたデータの確認と消去（管理者）")
    cmd = p.add_subparsers(dest="retention_command", required=True, metavar="COMMAND")
    s = cmd.add_parser("show", help="保存期間の設定と、保存期間を過ぎた件数（種類別）を表示する")
    s.add_argument("--on", metavar="YYYY-MM-DD", help="基準日（既定: 今日。未来の日は不可）")
    s.add_argument("--json", action="store_true", help="JSON で出力する")
    add_register_options(s)
    s.set_defaults(func=run_show)
    g = cmd.add_parser(
        "purge",
        help="保存期間を過ぎたデータを消去する（件数を表示し、--yes で消去）",
        description="表示した件数と消去対象が一致する場合だけ、1回の処理で消去します。"
        "消去は監査ログに記録され、サーバーにも消去を伝えるため次回の同期で送信されます。",
    )
    g.add_argument("--on", metavar="YYYY-MM-DD", help="基準日（既定: 今日。未来の日は不可）")
    g.add_argument("--yes", action="store_true", help="表示した件数を確認済みとして消去する")
    add_register_options(g)
    g.set_defaults(func=run_purge)


def _print_counts(counts: dict[str, int]) -> None:
    for kind in KINDS:
        print(f"  {KIND_NAMES_JA[kind]}: {counts[kind]} 件")
    print(f"  合計: {sum(counts.values())} 件")


def run_show(args: argparse.Namespace) -> int:
    from app.services import retention

    on = _day(args.on)
    session = open_session(args)
    try:
        view = retention.current_policy(session)
        preview = retention.preview(session, on)
    finally:
        session.register.close()
    if args.json:
        out = {
            "on": preview.on.isoformat(),
            "policy": view.policy.to_json(),
            "policy_sha256": preview.policy_sha256,
            "counts": preview.counts,
        }
        print(json.dumps(out, ensure_ascii=False))
        return 0
    p = view.policy
    print(f"基準日 {preview.on.isoformat()}")
    print(
        f"保存期間: 接種記録 {p.vaccination_years} 年、発行履歴 {p.issuance_years} 年、"
        f"転出・死亡後 {p.exit_years} 年、在住者の記録は"
        + ("保存" if p.keep_records_of_residents else "期間経過で消去対象")
    )
    for rule in p.extended:
        print(
            f"延長: {', '.join(rule.series)} は死亡後 {rule.after_death_years} 年"
            f"（{rule.effective_from} から適用）"
        )
    print("保存期間を過ぎたデータ:")
    _print_counts(preview.counts)
    return 0


def run_purge(args: argparse.Namespace) -> int:
    from app.services import retention

    on = _day(args.on)
    session = open_session(args)
    try:
        preview = retention.preview(session, on)
        print(f"基準日 {preview.on.isoformat()} に保存期間を過ぎたデータ:")
        _print_counts(preview.counts)
        if not args.yes:
            print("消去していません。件数を確認して --yes を付けて実行してください。")
            return 1

        def progress(stage: str, done: int, total: int) -> None:
            if stage == "vacuum" and total:
                print(f"\r空き領域の整理 {done * 100 // total}%", end="", file=sys.stderr)

        result = retention.purge(session, preview, preview.counts, progress=progress)
        print("", file=sys.stderr)
    finally:
        session.register.close()
    print(
        f"{result.total} 件を消去しました（監査ログ {result.audit_seq}、"
        f"サーバーへの消去通知 {result.purge_records} 件を送信待ちにしました）。"
    )
    return 0
