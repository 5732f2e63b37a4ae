"""`vaxdesk schedule`: what is due for a birth date (and history) on a given date."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from app.domain.schedule import Evaluation, Facts, HistoryEntry, Person, SeriesStatus, evaluate
from app.errors import InvalidInput, VaxDeskError

STATUS_JA = {
    "upcoming": "対象期間前",
    "due": "接種可",
    "waiting": "間隔待ち",
    "complete": "完了",
    "missed": "期間終了（未完了）",
    "not_applicable": "対象外",
}


class HistoryFileInvalid(InvalidInput):
    code = "E_HISTORY_INVALID"


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text) if len(text) == 10 else _bad_date(text)
    except ValueError:
        return _bad_date(text)


def _bad_date(text: str) -> date:
    raise argparse.ArgumentTypeError(
        f"E_INVALID_DATE: 日付「{text}」が正しくありません。YYYY-MM-DD の形式で入力してください。"
    )


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "schedule",
        help="予防接種の予定（接種可能日・対象期間）を表示する",
        description="生年月日と接種歴から、指定日時点の各予防接種の状態・次回接種・接種可能日・"
        "対象期間・標準的な接種期間を表示します。個人を特定する情報は入力しません。",
        epilog='接種歴ファイルは JSON の配列です: [{"product": "dpt_ipv_hib", "date": "2025-07-10"},'
        ' {"series": "bcg", "date": "2025-10-15"}]',
    )
    p.add_argument("--dob", type=_iso_date, required=True, metavar="YYYY-MM-DD", help="生年月日")
    p.add_argument("--on", type=_iso_date, required=True, metavar="YYYY-MM-DD", help="判定日")
    p.add_argument("--sex", choices=["F", "M"], help="性別（F: 女性, M: 男性）")
    p.add_argument("--history", type=Path, metavar="FILE", help="接種歴 JSON ファイル")
    p.add_argument(
        "--illness-end",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="長期療養特例: 特別の事情がなくなった日",
    )
    p.add_argument(
        "--due-date", type=_iso_date, metavar="YYYY-MM-DD", help="RSウイルス母子免疫: 出産予定日"
    )
    p.add_argument(
        "--fact",
        action="append",
        default=[],
        metavar="NAME",
        help="カタログで使う事実（disability_60_64, rubella5_eligible）。複数指定可",
    )
    p.add_argument("--json", action="store_true", help="JSON で出力する")
    p.set_defaults(func=run)


def read_history(path: Path) -> list[HistoryEntry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise HistoryFileInvalid(f"接種歴ファイル「{path.name}」を読み込めません。") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HistoryFileInvalid(
            f"接種歴ファイル「{path.name}」が JSON として読めません。"
        ) from exc
    if not isinstance(data, list):
        raise HistoryFileInvalid("接種歴ファイルは JSON の配列にしてください。")
    entries = []
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise HistoryFileInvalid(f"接種歴の{i}件目がオブジェクトではありません。")
        codes = [item[k] for k in ("product", "series") if k in item]
        if len(codes) != 1 or not isinstance(codes[0], str):
            raise HistoryFileInvalid(
                f"接種歴の{i}件目には product か series のどちらか一つを指定してください。"
            )
        raw = item.get("date")
        try:
            when = date.fromisoformat(raw) if isinstance(raw, str) and len(raw) == 10 else None
        except ValueError:
            when = None
        if when is None:
            raise HistoryFileInvalid(f"接種歴の{i}件目の日付が正しくありません（YYYY-MM-DD）。")
        entries.append(HistoryEntry(codes[0], when))
    return entries


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def series_json(s: SeriesStatus) -> dict[str, Any]:
    return {
        "id": s.id,
        "status": s.status,
        "next_dose": s.next_dose,
        "next_product": s.next_product,
        "earliest": _iso(s.earliest),
        "window_from": _iso(s.window_from),
        "window_until": _iso(s.window_until),
        "standard_from": _iso(s.standard_from),
        "standard_until": _iso(s.standard_until),
        "doses_given": s.doses_given,
        "doses_required": s.doses_required,
        "warnings": list(s.warnings),
    }


def evaluation_json(ev: Evaluation) -> dict[str, Any]:
    return {"on": ev.on.isoformat(), "series": [series_json(s) for s in ev.series]}


def _span(a: date | None, b: date | None) -> str:
    if a is None and b is None:
        return "-"
    return f"{_iso(a) or ''}〜{_iso(b) or ''}"


def render_table(ev: Evaluation) -> str:
    lines = [f"判定日: {ev.on.isoformat()}", ""]
    header = ["予防接種", "状態", "次回", "接種可能日", "対象期間", "標準的な期間", "回数"]
    rows = [header]
    notes: list[str] = []
    for s in ev.series:
        count = "-" if s.doses_required is None else f"{s.doses_given}/{s.doses_required}"
        rows.append(
            [
                s.name_ja,
                STATUS_JA[s.status],
                s.next_dose or "-",
                _iso(s.earliest) or "-",
                _span(s.window_from, s.window_until),
                _span(s.standard_from, s.standard_until),
                count,
            ]
        )
        notes.extend(f"  [{s.name_ja}] {w}" for w in s.warnings)
    widths = [max(_width(r[i]) for r in rows) for i in range(len(header))]
    for r in rows:
        lines.append("  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True)))
    if notes:
        lines += ["", "注意:", *notes]
    return "\n".join(line.rstrip() for line in lines)


def _width(text: str) -> int:
    """Display width: full-width characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def run(args: argparse.Namespace) -> int:
    from app.store.catalog_files import load_catalog

    try:
        history = read_history(args.history) if args.history is not None else []
        facts = Facts(
            long_term_illness_end=args.illness_end,
            pregnancy_due_date=args.due_date,
            flags=frozenset(args.fact),
        )
        if args.on < args.dob:
            raise InvalidInput("判定日が生年月日より前です。", code="E_INVALID_DATE")
        ev = evaluate(load_catalog(), Person(args.dob, args.sex), history, args.on, facts)
    except VaxDeskError as exc:
        print(f"{exc.code}: {exc.message_ja}", file=sys.stderr)
        return exc.exit_code
    if args.json:
        print(json.dumps(evaluation_json(ev), ensure_ascii=False, indent=2))
    else:
        print(render_table(ev))
    return 0
