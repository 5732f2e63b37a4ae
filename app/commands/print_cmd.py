"""`vaxdesk print DOC`: 予診票, 接種券, 済証, 未接種者一覧, 個別通知 and reports as PDF files.

Persons are named by 宛名番号. Errors print ``CODE: message`` on stderr and leave no file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.commands.cli_session import add_register_options, open_session
from app.domain.wareki import parse_date
from app.errors import InvalidInput, NotFound
from app.security.session import Session
from app.services.issuance import REISSUE_REASONS

DOC_NAMES = {
    "yoshinhyo": "予診票",
    "voucher": "接種券",
    "certificate": "予防接種済証",
    "unvaccinated": "未接種者一覧",
    "notices": "個別通知",
    "monthly": "月次実施報告",
    "annual": "年次実施状況報告",
}


def _date(text: str) -> Any:
    try:
        return parse_date(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(exc.message_ja) from None


def _common(p: argparse.ArgumentParser, out_help: str = "出力する PDF ファイル") -> None:
    add_register_options(p)
    p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help=out_help)


def _on(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--on",
        type=_date,
        metavar="DATE",
        help="作成日（判定・年齢の基準日。例: 2026-04-10, R8.4.10）。既定は今日",
    )


def _reissue(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--reissue-reason",
        choices=sorted(REISSUE_REASONS),
        metavar="REASON",
        help="今年度発行済みの書類を再発行する理由: "
        + ", ".join(f"{k}={v}" for k, v in REISSUE_REASONS.items()),
    )


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "print",
        help="帳票を PDF に出力する（予診票・接種券・済証・一覧・報告）",
        description="台帳から帳票を作成し PDF に出力します。発行番号は"
        "発行履歴に記録され、操作は監査ログに残ります。",
    )
    docs = p.add_subparsers(dest="doc", required=True, metavar="DOC")

    d = docs.add_parser(
        "yoshinhyo",
        help="予診票（接種できる回を印字）",
        description="接種できる予防接種の予診票を作成します。--series を省略"
        "すると、いま接種できるすべての種類を1枚ずつ作成します。",
    )
    d.add_argument("--person", required=True, metavar="宛名番号", help="対象者の宛名番号")
    d.add_argument("--series", metavar="ID", help="予防接種の種類 (例: mr1, hib)")
    _on(d)
    _reissue(d)
    _common(d)
    d.set_defaults(func=run_yoshinhyo)

    d = docs.add_parser(
        "voucher",
        help="接種券・助成券（ラベル用紙）",
        description="宛名番号ごとに接種券番号を発行し、A4 ラベル用紙に印字します。"
        "券種・回数コードの値は自治体の設定に合わせてください（既定値は仮）。",
    )
    d.add_argument(
        "--person",
        required=True,
        action="append",
        metavar="宛名番号",
        help="対象者の宛名番号（複数指定可）",
    )
    d.add_argument("--series", required=True, metavar="ID", help="予防接種の種類")
    d.add_argument("--kind", default="1", metavar="CODE", help="券種コード（1桁、既定 1）")
    d.add_argument("--count", default="1", metavar="CODE", help="回数コード（1桁、既定 1）")
    d.add_argument("--label", default="接種券", choices=("接種券", "助成券"), help="券の名称")
    d.add_argument(
        "--start-cell",
        type=int,
        default=0,
        metavar="N",
        help="使用済みラベルを飛ばす開始位置（0〜23）",
    )
    _on(d)
    _reissue(d)
    _common(d)
    d.set_defaults(func=run_voucher)

    d = docs.add_parser(
        "certificate",
        help="予防接種済証",
        description="台帳の接種記録から予防接種済証を作成します。",
    )
    d.add_argument("--person", required=True, metavar="宛名番号", help="対象者の宛名番号")
    _on(d)
    _reissue(d)
    _common(d)
    d.set_defaults(func=run_certificate)

    d = docs.add_parser(
        "unvaccinated",
        help="未接種者一覧",
        description="基準日に接種期間内で未完了の住民の一覧を作成します。",
    )
    d.add_argument("--series", required=True, metavar="ID", help="予防接種の種類")
    d.add_argument("--area", metavar="CODE", help="地区コード（省略時は全地区）")
    _on(d)
    _common(d)
    d.set_defaults(func=run_unvaccinated)

    d = docs.add_parser(
        "notices",
        help="個別通知（通知文＋予診票）",
        description="未接種者一覧の全員に個別通知を作成します。--split 件ごとに"
        "NAME-001.pdf, NAME-002.pdf … に分けて出力します。",
    )
    d.add_argument("--series", required=True, metavar="ID", help="予防接種の種類")
    d.add_argument("--area", metavar="CODE", help="地区コード（省略時は全地区）")
    d.add_argument(
        "--split", type=int, default=1000, metavar="N", help="1ファイルあたりの通知数（既定 1000）"
    )
    _on(d)
    _reissue(d)
    _common(d, "出力先: NAME.pdf（NAME-001.pdf … を作成）または既存のフォルダ")
    d.set_defaults(func=run_notices)

    d = docs.add_parser(
        "monthly",
        help="月次 予防接種実施報告（医療機関別）",
        description="支払月ごとに医療機関別の件数×単価を集計します。",
    )
    d.add_argument("--month", required=True, metavar="YYYY-MM", help="支払月")
    _common(d)
    d.set_defaults(func=run_monthly)

    d = docs.add_parser(
        "annual",
        help="年次 定期予防接種実施状況報告",
        description="年度の対象者数・接種者数・接種率を種類・期/回ごとに"
        "集計します（定義は帳票の注記を参照）。",
    )
    d.add_argument("--year", required=True, type=int, metavar="FY", help="年度（西暦、例 2025）")
    _common(d)
    d.set_defaults(func=run_annual)


def person_id_for(session: Session, atena_no: str) -> int:
    """The person with exactly this 宛名番号 (found through the person search service)."""
    from app.services import persons

    try:
        found = persons.search(session, atena_no, mode="atena")
    except InvalidInput:
        found = None
    for p in found.people if found else ():
        if p.atena_no == atena_no.strip():
            return p.person_id
    raise NotFound(code="E_PERSON_NOT_FOUND")


def _run(args: argparse.Namespace, action: Any) -> int:
    session = open_session(args)
    try:
        result = action(session)
    finally:
        session.register.close()
    files = result.paths[0] if len(result.paths) == 1 else f"{len(result.paths)} ファイル"
    issued = f"、発行番号 {len(result.issue_numbers)} 件" if result.issue_numbers else ""
    print(f"{DOC_NAMES[result.doc]}を出力しました: {files}（{result.pages} ページ{issued}）")
    for note in result.notes:
        print(f"注意: {note}", file=sys.stderr)
    return 0


def run_yoshinhyo(args: argparse.Namespace) -> int:
    from app.services.printing import print_yoshinhyo

    return _run(
        args,
        lambda s: print_yoshinhyo(
            s,
            person_id_for(s, args.person),
            args.series,
            args.out,
            on=args.on,
            reissue_reason=args.reissue_reason,
        ),
    )


def run_voucher(args: argparse.Namespace) -> int:
    from app.services.printing import print_vouchers

    return _run(
        args,
        lambda s: print_vouchers(
            s,
            [person_id_for(s, a) for a in args.person],
            args.series,
            args.out,
            kind_code=args.kind,
            count_code=args.count,
            kind_label=args.label,
            start_cell=args.start_cell,
            on=args.on,
            reissue_reason=args.reissue_reason,
        ),
    )


def run_certificate(args: argparse.Namespace) -> int:
    from app.services.printing import print_certificate

    return _run(
        args,
        lambda s: print_certificate(
            s,
            person_id_for(s, args.person),
            args.out,
            on=args.on,
            reissue_reason=args.reissue_reason,
        ),
    )


def run_unvaccinated(args: argparse.Namespace) -> int:
    from app.services.printing import print_unvaccinated

    return _run(
        args,
        lambda s: print_unvaccinated(s, args.series, args.out, on=args.on, area_code=args.area),
    )


def run_notices(args: argparse.Namespace) -> int:
    from app.services.printing import print_notices

    return _run(
        args,
        lambda s: print_notices(
            s,
            args.series,
            args.out,
            on=args.on,
            area_code=args.area,
            split=args.split,
            reissue_reason=args.reissue_reason,
        ),
    )


def run_monthly(args: argparse.Namespace) -> int:
    from app.services.printing import print_monthly_report

    return _run(args, lambda s: print_monthly_report(s, args.month, args.out))


def run_annual(args: argparse.Namespace) -> int:
    from app.services.printing import print_annual_report

    return _run(args, lambda s: print_annual_report(s, args.year, args.out))
