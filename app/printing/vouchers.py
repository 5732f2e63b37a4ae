"""接種券 / 助成券 vouchers on an A4 label sheet (63 × 34 mm cells with cut marks).

Each cell carries the municipality, the 10-digit voucher number, the 6-digit municipality code,
the name, an NW-7 (Codabar, start/stop A…A) barcode of the voucher number, a QR code (model 2) of
the 18-digit OCR string and the same 18 digits in OCR-B: 券種(1) + 回数(1) + 市町村コード(6) +
券番号(10). Layout: ``resources/forms/voucher_layout.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.errors import InvalidInput
from app.printing.barcodes import draw_codabar, draw_qr
from app.printing.drawing import (
    DEMO_MARK,
    PAGE_H,
    Cancelled,
    Output,
    Progress,
    draw_fit,
    finish,
    new_canvas,
    run_batch,
)
from app.printing.drawing import load_form as _load
from app.printing.fonts import GOTHIC, OCRB
from app.printing.model import Municipality, Voucher


def layout() -> Any:
    return _load("voucher_layout")


def cells_per_sheet() -> int:
    L = layout()
    return int(L["columns"] * L["rows"])


def cell_origin(index: int) -> tuple[float, float]:
    """Bottom-left corner (points) of cell ``index`` on a sheet, row by row from the top-left."""
    L = layout()
    col, row = index % L["columns"], index // L["columns"]
    x = (L["left"] + col * L["cell_width"]) * mm
    y = PAGE_H - (L["top"] + (row + 1) * L["cell_height"]) * mm
    return x, y


def _cut_marks(c: Canvas) -> None:
    """Crop marks outside the grid and small crosses at inner cell corners."""
    L = layout()
    cw, ch = L["cell_width"] * mm, L["cell_height"] * mm
    x0, ytop = L["left"] * mm, PAGE_H - L["top"] * mm
    cols, rows = L["columns"], L["rows"]
    length, gap = L["cut_mark_length"] * mm, L["cut_mark_gap"] * mm
    x1, y1 = x0 + cols * cw, ytop - rows * ch
    c.setLineWidth(0.3)
    c.setStrokeGray(0)
    for i in range(cols + 1):
        x = x0 + i * cw
        c.line(x, ytop + gap, x, ytop + gap + length)
        c.line(x, y1 - gap, x, y1 - gap - length)
    for j in range(rows + 1):
        y = ytop - j * ch
        c.line(x0 - gap, y, x0 - gap - length, y)
        c.line(x1 + gap, y, x1 + gap + length, y)
    c.setStrokeGray(0.55)
    arm = 1.2 * mm
    for i in range(1, cols):
        for j in range(1, rows):
            x, y = x0 + i * cw, ytop - j * ch
            c.line(x - arm, y, x + arm, y)
            c.line(x, y - arm, x, y + arm)
    c.setStrokeGray(0)


def _draw_cell(c: Canvas, v: Voucher, municipality: Municipality, x: float, y: float) -> None:
    L = layout()
    C = L["cell"]
    h = L["cell_height"]
    pad = C["padding"] * mm
    inner = L["cell_width"] * mm - 2 * pad

    def at(top_mm: float) -> float:
        return float(y + (h - top_mm) * mm)

    draw_fit(
        c,
        x + pad,
        at(C["header"]["top"]),
        f"{municipality.name}　{v.kind_label}",
        inner * 0.55,
        C["header"]["size"],
    )
    draw_fit(
        c,
        x + pad + inner * 0.55,
        at(C["code"]["top"]),
        f"市町村コード {v.municipality_code}",
        inner * 0.45,
        C["code"]["size"],
        align="right",
    )
    n = C["number"]
    c.setFont(GOTHIC, n["label_size"])
    c.drawString(x + pad, at(n["top"]), "券番号")
    c.setFont(OCRB, n["size"])
    c.drawString(x + pad + 9 * mm, at(n["top"]), v.voucher_no)
    draw_fit(
        c,
        x + pad,
        at(C["name"]["top"]),
        f"氏名　{v.name}",
        C["name"]["width"] * mm,
        C["name"]["size"],
    )
    draw_fit(
        c,
        x + pad,
        at(C["series"]["top"]),
        v.series_name,
        C["series"]["width"] * mm,
        C["series"]["size"],
    )
    cb = C["codabar"]
    draw_codabar(
        c,
        v.voucher_no,
        x + pad - 1 * mm,
        at(cb["top"] + cb["height"]),
        cb["height"] * mm,
        cb["width"] * mm,
    )
    q = C["qr"]
    draw_qr(c, v.ocr_digits, x + q["x"] * mm, at(q["top"] + q["size"]), q["size"] * mm)
    draw_fit(c, x + pad, at(C["ocr"]["top"]), v.ocr_digits, inner, C["ocr"]["size"], font=OCRB)
    if municipality.demo:  # each label is cut out alone: it carries its own 見本 mark
        c.saveState()
        c.setFillColorRGB(0.5, 0.5, 0.5)
        c.setFillAlpha(0.35)
        c.setFont(GOTHIC, h * mm * 0.45)
        c.drawCentredString(x + L["cell_width"] * mm * 0.55, y + h * mm * 0.3, DEMO_MARK)
        c.restoreState()


def write_vouchers(
    vouchers: Sequence[Voucher],
    out: Output,
    *,
    municipality: Municipality,
    start_cell: int = 0,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Lay vouchers out 24 to an A4 sheet; returns the page count.

    ``start_cell`` skips cells already used on the first (partly used) label sheet.
    """
    per_sheet = cells_per_sheet()
    if not 0 <= start_cell < per_sheet:
        raise InvalidInput("開始位置が用紙の範囲外です。", code="E_PRINT_START_CELL")
    c = new_canvas(out, "接種券", demo=municipality.demo)
    state = {"slot": start_cell, "marked": 0}

    def draw(v: Voucher) -> None:
        if state["slot"] == per_sheet:
            c.showPage()
            state["slot"] = 0
        if state["marked"] != c.getPageNumber():
            _cut_marks(c)
            state["marked"] = c.getPageNumber()
        _draw_cell(c, v, municipality, *cell_origin(state["slot"]))
        state["slot"] += 1

    run_batch(vouchers, draw, progress, cancelled)
    if vouchers:
        c.showPage()
    return finish(c, cancelled)


def write_single_voucher(
    voucher: Voucher, out: Output, *, municipality: Municipality, cell: int = 0
) -> int:
    """Print one voucher (e.g. a reissue at the counter) into cell ``cell`` of a label sheet."""
    return write_vouchers([voucher], out, municipality=municipality, start_cell=cell)
