"""未接種者一覧: people who have not had a due dose, with the address for mailing (A4 landscape).

Columns come from ``resources/forms/list_unvaccinated.json``; the column header repeats on every
page and each page carries 「n / N」.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.domain.legaldate import age_years_months
from app.domain.wareki import format_wareki
from app.printing.drawing import (
    SEX_LABELS,
    Cancelled,
    Output,
    Progress,
    finish,
    load_form,
    new_canvas,
    ticker,
)
from app.printing.model import Municipality, UnvaccinatedRow
from app.printing.tables import Row, Section, draw_sections, page_size


def _row(n: int, r: UnvaccinatedRow, on: date) -> Row:
    p = r.person
    years, months = age_years_months(p.birth_date, on)
    digits = p.postal_code.replace("-", "")
    return {
        "no": str(n),
        "atena_no": p.atena_no,
        "name": p.name,
        "kana": p.name_kana,
        "sex": SEX_LABELS[p.sex],
        "birth": format_wareki(p.birth_date),
        "age": f"{years}歳{months}か月",
        "postal": f"{digits[:3]}-{digits[3:]}" if len(digits) == 7 else p.postal_code,
        "address": p.address,
        "guardian": p.guardian_name,
        "due": r.due_dose_label,
        "deadline": format_wareki(r.deadline) if r.deadline else "",
    }


def write_unvaccinated_list(
    rows: Sequence[UnvaccinatedRow],
    out: Output,
    *,
    municipality: Municipality,
    series_name: str,
    period_label: str,
    print_date: date,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Write the list; ``progress`` counts rows. Ages are computed on ``print_date``."""
    layout = load_form("list_unvaccinated")
    c = new_canvas(out, "未接種者一覧", page_size(layout), demo=municipality.demo)
    header = [
        f"{municipality.name}　接種種類：{series_name}　基準日：{period_label}",
        f"作成日：{format_wareki(print_date)}　該当者 {len(rows):,} 名（年齢は作成日現在）",
    ]
    table = [_row(i + 1, r, print_date) for i, r in enumerate(rows)]
    tick = ticker(len(rows), progress, cancelled)
    draw_sections(
        c,
        layout,
        f"未接種者一覧（{series_name}）",
        [Section(header, table)],
        footer_left="取扱注意：個人情報を含みます",
        on_row=tick,
    )
    return finish(c, cancelled)
