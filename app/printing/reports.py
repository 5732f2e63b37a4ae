"""Reports: monthly 実施報告 per institution and the annual vaccination statistics.

Both tables are data-driven: title, header lines, columns and formats come from
``resources/forms/report_monthly.json`` and ``report_annual.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import groupby
from typing import Any

from app.domain.wareki import format_wareki, wareki_year
from app.printing.drawing import Cancelled, Output, Progress, finish, load_form, new_canvas, ticker
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


def _priced(layout: Any, r: MonthlyReportRow, month: Any) -> Row:
    row = _formatted(
        layout,
        {
            "payment_month": _month(month),
            "series": r.series_name,
            "count": r.count,
            "unit_price": r.unit_price,
            "amount": r.amount,
        },
    )
    if r.unit_price is None:  # never a silent 0: the page says the price is missing
        row["unit_price"] = layout["unpriced_label"]
        row["amount"] = "—"
    return row


def monthly_sections(
    rows: Sequence[MonthlyReportRow],
    municipality: Municipality,
    layout: Any,
    print_date: date | None = None,
) -> list[Section]:
    """One section per institution: rows by 支払月 and series, 支払月 subtotals and a total;
    then a 総計 section over every institution (per series, and the grand total)."""
    ordered = sorted(rows, key=lambda r: (r.institution_code, r.payment_month.replace(day=1)))
    created = format_wareki(print_date or date.today())
    unpriced = any(r.unit_price is None for r in rows)
    sections: list[Section] = []
    for (code, name), inst_iter in groupby(
        ordered, key=lambda r: (r.institution_code, r.institution_name)
    ):
        inst_rows = list(inst_iter)
        table: list[Row] = []
        total_count = total_amount = 0
        for month, month_rows in groupby(inst_rows, key=lambda r: r.payment_month.replace(day=1)):
            count = amount = 0
            for r in month_rows:
                table.append(_priced(layout, r, month))
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
        address = next((r.institution_address for r in inst_rows if r.institution_address), "")
        header = [
            line.format(
                mayor_title=municipality.mayor_title,
                institution_code=code,
                institution_name=name,
                institution_address=address or "　" * 12,
                created=created,
            )
            for line in layout["header_lines"]
        ]
        if any(r.unit_price is None for r in inst_rows):
            header.append(layout["unpriced_note"])
        sections.append(Section(header, table))
    if len(sections) > 1 or unpriced:
        sections.append(_grand_total(rows, municipality, layout, created, unpriced))
    return sections


def _grand_total(
    rows: Sequence[MonthlyReportRow],
    municipality: Municipality,
    layout: Any,
    created: str,
    unpriced: bool,
) -> Section:
    by_series: dict[str, list[int]] = {}
    for r in rows:
        sums = by_series.setdefault(r.series_name, [0, 0, 0])
        sums[0] += r.count
        sums[1] += r.amount
        sums[2] += r.count if r.unit_price is None else 0
    table: list[Row] = []
    for series, (count, amount, missing) in by_series.items():
        row = _formatted(layout, {"series": series, "count": count, "amount": amount})
        if missing:
            row["unit_price"] = layout["unpriced_label"]
        table.append(row)
    total = _formatted(
        layout,
        {
            "series": layout["grand_total_label"],
            "count": sum(v[0] for v in by_series.values()),
            "amount": sum(v[1] for v in by_series.values()),
        },
    )
    table.append({**total, "_style": "total"})
    header = [
        line.format(mayor_title=municipality.mayor_title, created=created)
        for line in layout["grand_total_header_lines"]
    ]
    if unpriced:
        header.append(layout["unpriced_note"])
    return Section(header, table)


def write_monthly_report(
    rows: Sequence[MonthlyReportRow],
    out: Output,
    *,
    municipality: Municipality,
    period_label: str,
    print_date: date | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """月次実施報告: a new page run per institution, then the 総計; ``progress`` counts table
    rows. ``print_date`` is the 作成日 (default today)."""
    layout = load_form("report_monthly")
    c = new_canvas(out, "予防接種実施報告書", page_size(layout), demo=municipality.demo)
    sections = monthly_sections(rows, municipality, layout, print_date)
    tick = ticker(sum(len(s.rows) for s in sections), progress, cancelled)
    title = layout["title"].format(period=period_label)
    draw_sections(c, layout, title, sections, footer_left=municipality.name, on_row=tick)
    return finish(c, cancelled)


def annual_rows(rows: Sequence[AnnualReportRow], layout: Any) -> list[Row]:
    """Rows of one series form a group that the table keeps on one page (日本脳炎 1期 is never
    split across a page break)."""
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
        table.append({**_formatted(layout, values), "_group": r.series_name})
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
