"""A small data-driven table renderer for lists and reports.

A layout (``resources/forms/<name>.json``) names the page orientation, margins, row heights and
the columns (key, title, width in mm, align, format). Rows are dicts of already formatted text
keyed by column key; a row may carry ``"_style": "subtotal" | "total"`` for shaded rows and
``"_group"`` to keep rows together on one page; a column with ``"wrap": true`` wraps. Every page
repeats the title, the header lines and the column header, and carries 「n / N」.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.printing.drawing import draw_fit, wrap_address
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


LINE_GAP = 1.2  # leading of wrapped lines, times the font size


def cell_lines(layout: Any, col: Any, text: str) -> list[str]:
    """The lines of one cell: a ``"wrap": true`` column wraps (addresses between words, up to
    ``max_lines``) instead of shrinking the text over the next column."""
    if not col.get("wrap"):
        return [text]
    width = (col["width"] - 2.4) * mm
    lines = wrap_address(text, GOTHIC, layout["size"], width)
    limit = int(col.get("max_lines", 3))
    if len(lines) > limit:  # the rest joins the last line, which draw_fit then narrows
        lines = [*lines[: limit - 1], "".join(lines[limit - 1 :])]
    return lines


def row_height(layout: Any, row: Row) -> float:
    """Height of a row in points: the layout's row height, or more for wrapped cells."""
    rh = float(layout["row_height"] * mm)
    n = max(len(cell_lines(layout, col, row.get(col["key"], ""))) for col in layout["columns"])
    if n <= 1:
        return rh
    return max(rh, float(n * layout["size"] * LINE_GAP + 2.4 * mm))


def paginate(layout: Any, rows: Sequence[Row]) -> list[list[Row]]:
    """Rows split into pages by height. Rows with the same ``"_group"`` (e.g. the 回 of one
    期) stay on one page when the group fits on a page at all."""
    _, h = page_size(layout)
    usable = (h / mm - layout["table_top"] - layout["header_height"] - layout["bottom_margin"]) * mm
    pages: list[list[Row]] = [[]]
    used = 0.0
    i = 0
    while i < len(rows):
        group = rows[i].get("_group")
        j = i + 1
        while group and j < len(rows) and rows[j].get("_group") == group:
            j += 1
        block = rows[i:j]
        heights = [row_height(layout, r) for r in block]
        if used + sum(heights) > usable + 0.01 and pages[-1] and sum(heights) <= usable:
            pages.append([])
            used = 0.0
        for r, rh in zip(block, heights, strict=True):
            if used + rh > usable + 0.01 and pages[-1]:
                pages.append([])
                used = 0.0
            pages[-1].append(r)
            used += rh
        i = j
    return pages


def count_pages(layout: Any, sections: Sequence[Section]) -> int:
    return sum(len(paginate(layout, s.rows)) for s in sections)


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
    total = count_pages(layout, sections)
    cols = layout["columns"]
    left = layout["left"] * mm
    xs = [left]
    for col in cols:
        xs.append(xs[-1] + col["width"] * mm)
    right = xs[-1]
    size = layout["size"]
    page = 0
    for section in sections:
        for chunk in paginate(layout, section.rows):
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
            for line in section.header_lines:  # narrowed, never past the table's right edge
                draw_fit(c, left, y, line, right - left, layout["header_size"])
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
                rh = row_height(layout, row)
                if style:
                    c.setFillGray(0.94 if style == "subtotal" else 0.85)
                    c.rect(left, y - rh, right - left, rh, stroke=0, fill=1)
                    c.setFillGray(0)
                for i, col in enumerate(cols):
                    lines = cell_lines(layout, col, row.get(col["key"], ""))
                    base = y - rh / 2 - size * 0.35 + (len(lines) - 1) * size * LINE_GAP / 2
                    for line in lines:
                        draw_fit(
                            c,
                            xs[i] + 1.2 * mm,
                            base,
                            line,
                            xs[i + 1] - xs[i] - 2.4 * mm,
                            size,
                            align=col.get("align", "left"),
                        )
                        base -= size * LINE_GAP
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
