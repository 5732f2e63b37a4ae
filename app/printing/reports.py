"""Reports: monthly 実施報告 per institution and the annual vaccination statistics.

Both tables are data-driven: title, header lines, columns and formats come from
``resources/forms/report_monthly.json`` and ``report_annual.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any

from app.domain.wareki import wareki_year
from app.printing.common import Cancelled, Output, Progress, finish, load_form, new_canvas, ticker
from app.printing.model import AnnualReportRow, MonthlyReportRow, Municipality
from app.printing.tables import Row, Section, draw_sections, format_value, page_size


def _month(d: Any) -> str:
    era, year = wareki_year(d)
    return f"{era.name}{'元' if year == 1 else year}年{d.month}月"


def _formatted(layout: Any, values: dict[str, object]) -> Row:
    return {
        col["key"]: format_value(values.get(col["key"]), col.get("format", "text"))
        for col in layout["columns"]
        if col["key"] in values
    }


def monthly_sections(
    rows: Sequence[MonthlyReportRow], municipality: Municipality, layout: Any
) -> list[Section]:
    """One section per institution: rows by 支払月 and series, 支払月 subtotals and a total."""
    ordered = sorted(rows, key=lambda r: (r.institution_code, r.payment_month.replace(day=1)))
    sections: list[Section] = []
    for (code, name), inst_rows in groupby(
        ordered, key=lambda r: (r.institution_code, r.institution_name)
    ):
        table: list[Row] = []
        total_count = total_amount = 0
        for month, month_rows in groupby(inst_rows, key=lambda r: r.payment_month.replace(day=1)):
            count = amount = 0
            for r in month_rows:
                table.append(
                    _formatted(
                        layout,
                        {
                            "payment_month": _month(month),
                            "series": r.series_name,
                            "count": r.count,
                            "unit_price": r.unit_price,
                            "amount": r.amount,
                        },
                    )
                )
                count += r.count
                amount += r.amount
            label = layout["subtotal_label"].format(payment_month=_month(month))
            sub = _formatted(layout, {"series": label, "count": count, "amount": amount})
            table.append({**sub, "_style": "subtotal"})
            total_count += count
            total_amount += amount
        total = _formatted(
            layout, {"series": layout["total_label"], "count": total_count, "amount": total_amount}
        )
        table.append({**total, "_style": "total"})
        header = [
            line.format(
                mayor_title=municipality.mayor_title, institution_code=code, institution_name=name
            )
            for line in layout["header_lines"]
        ]
        sections.append(Section(header, table))
    return sections


def write_monthly_report(
    rows: Sequence[MonthlyReportRow],
    out: Output,
    *,
    municipality: Municipality,
    period_label: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """月次実施報告: a new page run per institution; ``progress`` counts table rows."""
    layout = load_form("report_monthly")
    c = new_canvas(out, "予防接種実施報告書", page_size(layout), demo=municipality.demo)
    sections = monthly_sections(rows, municipality, layout)
    tick = ticker(sum(len(s.rows) for s in sections), progress, cancelled)
    title = layout["title"].format(period=period_label)
    draw_sections(c, layout, title, sections, footer_left=municipality.name, on_row=tick)
    return finish(c, cancelled)


def annual_rows(rows: Sequence[AnnualReportRow], layout: Any) -> list[Row]:
    table: list[Row] = []
    previous = None
    for r in rows:
        values: dict[str, object] = {
            "series": r.series_name if r.series_name != previous else "",
            "term": r.term_label,
            "target": r.target_count,
            "vaccinated": r.vaccinated_count,
            "rate": r.rate,
        }
        previous = r.series_name
        table.append(_formatted(layout, values))
    return table


def write_annual_report(
    rows: Sequence[AnnualReportRow],
    out: Output,
    *,
    municipality: Municipality,
    period_label: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """年次 実施状況: per series and 期/回 — 対象者数, 接種者数, 接種率."""
    layout = load_form("report_annual")
    c = new_canvas(out, "定期予防接種 実施状況報告", page_size(layout), demo=municipality.demo)
    header = [
        line.format(municipality=municipality.name, code=municipality.code)
        for line in layout["header_lines"]
    ]
    table = annual_rows(rows, layout)
    tick = ticker(len(table), progress, cancelled)
    title = layout["title"].format(period=period_label)
    draw_sections(
        c, layout, title, [Section(header, table)], footer_left=municipality.name, on_row=tick
    )
    return finish(c, cancelled)
