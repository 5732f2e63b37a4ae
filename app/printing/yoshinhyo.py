"""予診票 (pre-filled vaccination questionnaire), A4 portrait, one page per request.

The static form of each series is drawn once per document as a Form XObject; each page adds only
the pre-filled values, the pre-marked dose and a Code128 barcode of the issuance number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.domain.wareki import format_wareki
from app.errors import InvalidInput
from app.printing.barcodes import draw_code128
from app.printing.drawing import (
    Cancelled,
    Output,
    Progress,
    birth_and_age,
    draw_fit,
    finish,
    new_canvas,
    postal,
    run_batch,
)
from app.printing.fonts import GOTHIC
from app.printing.model import Municipality, YoshinhyoRequest
from app.printing.yoshinhyo_form import Slots, draw_static, series_form


def _put(c: Canvas, slot: tuple[float, float, float], text: str, size: float) -> None:
    x, y, w = slot
    draw_fit(c, x, y, text, w, size)


DOSE_TEXT_SIZE = 9.0  # pt, the dose selector's font (yoshinhyo_layout.json "dose")


def dose_oval(x: float, y: float, w: float) -> tuple[float, float, float, float]:
    """The ellipse (x1, y1, x2, y2) circling a dose option whose text starts at (x, baseline y)
    and is ``w`` wide. An ellipse must pass outside the corners of the text box: it is made
    taller (b = 1.9 × the half height) and just wide enough for the corners to sit inside, plus
    a margin, so it never crosses a character and stays clear of the 「・」 between options."""
    cx = x + w / 2
    half_h = DOSE_TEXT_SIZE * 0.56
    cy = y + DOSE_TEXT_SIZE * 0.32
    b = half_h * 1.9 + 0.3 * mm
    a = (w / 2) / math.sqrt(1 - (half_h / b) ** 2) + 0.6 * mm
    return cx - a, cy - b, cx + a, cy + b


class YoshinhyoWriter:
    """Draws 予診票 pages on a canvas, defining each series' static form once."""

    def __init__(self, c: Canvas, municipality: Municipality) -> None:
        self.c = c
        self.municipality = municipality
        self._slots: dict[str, Slots] = {}

    def _form(self, series_id: str) -> tuple[str, Slots]:
        name = f"yoshinhyo_{series_id}"
        slots = self._slots.get(series_id)
        if slots is None:
            form = series_form(series_id)
            self.c.beginForm(name)
            slots = draw_static(self.c, form, self.municipality)
            self.c.endForm()
            self._slots[series_id] = slots
        return name, slots

    def page(self, req: YoshinhyoRequest) -> None:
        """Draw one complete page (and end it)."""
        form = series_form(req.series_id)
        if req.dose_label not in form.dose_options:
            raise InvalidInput(code="E_PRINT_DOSE_NOT_ON_FORM")
        name, slots = self._form(req.series_id)
        c = self.c
        c.doForm(name)
        p = req.person
        c.setFillGray(0)
        c.setStrokeGray(0)
        c.setLineWidth(0.9)
        c.ellipse(*dose_oval(*slots.dose[req.dose_label]))
        if p.sex:
            cx, cy = slots.sex[p.sex]
            c.circle(cx, cy, 2.6 * mm)
        t = slots.text
        address = f"{postal(p.postal_code)}　{p.address}" if p.postal_code else p.address
        _put(c, t["address"], address, 10)
        _put(c, t["phone"], p.phone, 10)
        _put(c, t["kana"], p.name_kana, 8)
        _put(c, t["name"], p.name, 13)
        _put(c, t["birth"], birth_and_age(p.birth_date, req.print_date), 10)
        _put(c, t["atena"], p.atena_no, 10)
        if form.guardian:
            _put(c, t["guardian"], p.guardian_name, 10)
            _put(c, t["relation"], p.guardian_relation, 10)
        bx, by, bw, bh = slots.barcode
        draw_code128(c, req.issuance_no, bx, by, bh, bw)
        x, y, w = t["issuance"]
        draw_fit(c, x, y, f"交付番号 {req.issuance_no}", w, 7.5, font=GOTHIC)
        x, y, w = t["issued"]
        draw_fit(c, x, y, f"発行日 {format_wareki(req.print_date)}", w, 7.5, align="right")
        c.showPage()


def write_yoshinhyo(
    requests: Sequence[YoshinhyoRequest],
    out: Output,
    *,
    municipality: Municipality,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Write one pre-filled 予診票 page per request to ``out``; returns the page count.

    Raises ``PrintCancelled`` (nothing written) when ``cancelled()`` turns true.
    """
    c = new_canvas(out, "予診票", demo=municipality.demo)
    writer = YoshinhyoWriter(c, municipality)
    run_batch(requests, writer.page, progress, cancelled)
    return finish(c, cancelled)
