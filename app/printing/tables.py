"""A small data-driven table renderer for lists and reports.

A layout (``resources/forms/<name>.json``) names the page orientation, margins, row heights and
the columns (key, title, width in mm, align, format). Rows are dicts of already formatted text
keyed by column key; a row may carry ``"_style": "subtotal" | "total"`` for shaded rows. Every page
repeats the title, the header lines and the column header, and carries 「n / N」.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.printing.drawing import draw_fit
from app.printing.fonts import GOTHIC

Row = dict[str, str]


def page_size(layout: Any) -> tuple[float, float]:
    w, h = landscape(A4) if layout.get("orientation") == "landscape" else A4
    return float(w), float(h)


def format_value(value: object, fmt: str) -> str:
    """Text of ``value`` for a column format: text, int, yen, percent."""
    if value is None:
        return "—" if fmt == "percent" else ""
    if fmt == "int":
        return f"{int(value):,}"  # type: ignore[call-overload]
    if fmt == "yen":
        return f"{int(value):,}"  # type: ignore[call-overload]
    if fmt == "percent":
        return f"{float(value):.1f}%"  # type: ignore[arg-type]
    return str(value)


@dataclass(slots=True)
class Section:
    """One run of pages: its own header lines and rows (e.g. one institution)."""

    header_lines: Sequence[str]
    rows: Sequence[Row]


def rows_per_page(layout: Any) -> int:
    _, h = page_size(layout)
    usable = h / mm - layout["table_top"] - layout["header_height"] - layout["bottom_margin"]
    return max(1, int(usable // layout["row_height"]))


def count_pages(layout: Any, sections: Sequence[Section]) -> int:
    per = rows_per_page(layout)
    return sum(max(1, -(-len(s.rows) // per)) for s in sections)


def draw_sections(
    c: Canvas,
    layout: Any,
    title: str,
    sections: Sequence[Section],
    footer_left: str = "",
    on_row: Callable[[], None] | None = None,
) -> None:
    """Draw all sections, one page after another; ``on_row`` is called after each row."""
    w, h = page_size(layout)
    per = rows_per_page(layout)
    total = count_pages(layout, sections)
    cols = layout["columns"]
    left = layout["left"] * mm
    xs = [left]
    for col in cols:
        xs.append(xs[-1] + col["width"] * mm)
    right = xs[-1]
    size = layout["size"]
    rh = layout["row_height"] * mm
    page = 0
    for section in sections:
        chunks = [section.rows[i : i + per] for i in range(0, len(section.rows), per)] or [[]]
        for chunk in chunks:
            page += 1
            draw_fit(
                c,
                left,
                h - layout["title_top"] * mm,
                title,
                right - left,
                layout["title_size"],
                align="center",
            )
            y = h - layout["header_top"] * mm
            c.setFont(GOTHIC, layout["header_size"])
            for line in section.header_lines:
                c.drawString(left, y, line)
                y -= layout["header_size"] * 1.45
            top = h - layout["table_top"] * mm
            hh = layout["header_height"] * mm
            c.setLineWidth(0.6)
            c.setFillGray(0.88)
            c.rect(left, top - hh, right - left, hh, stroke=1, fill=1)
            c.setFillGray(0)
            for i, col in enumerate(cols):
                draw_fit(
                    c,
                    xs[i] + 1,
                    top - hh / 2 - size * 0.35,
                    col["title"],
                    xs[i + 1] - xs[i] - 2,
                    size,
                    align="center",
                )
            y = top - hh
            c.setLineWidth(0.3)
            for row in chunk:
                style = row.get("_style")
                if style:
                    c.setFillGray(0.94 if style == "subtotal" else 0.85)
                    c.rect(left, y - rh, right - left, rh, stroke=0, fill=1)
                    c.setFillGray(0)
                base = y - rh / 2 - size * 0.35
                for i, col in enumerate(cols):
                    text = row.get(col["key"], "")
                    draw_fit(
                        c,
                        xs[i] + 1.2 * mm,
                        base,
                        text,
                        xs[i + 1] - xs[i] - 2.4 * mm,
                        size,
                        align=col.get("align", "left"),
                    )
                y -= rh
                c.line(left, y, right, y)
                if on_row is not None:
                    on_row()
            c.setLineWidth(0.6)
            c.rect(left, y, right - left, top - y)
            c.setLineWidth(0.3)
            for x in xs[1:-1]:
                c.line(x, top, x, y)
            c.setFont(GOTHIC, 8)
            c.drawCentredString(w / 2, 7 * mm, f"{page} / {total}")
            if footer_left:
                c.drawString(left, 7 * mm, footer_left)
            c.showPage()
