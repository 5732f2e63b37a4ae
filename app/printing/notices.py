"""個別通知: a letter addressed for a 長3 window envelope, followed by the pre-filled 予診票.

Each notice is two pages (letter, 予診票). The address block sits where the envelope window shows
it after a Z-fold; the coordinates and their assumptions are documented in
``resources/forms/notice_layout.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.domain.wareki import format_wareki
from app.errors import ConfigError
from app.printing.drawing import (
    Cancelled,
    Output,
    Progress,
    birth_and_age,
    draw_fit,
    finish,
    load_form,
    new_canvas,
    postal,
    run_batch,
    wrap_address,
    wrap_ja,
    y_top,
)
from app.printing.fonts import GOTHIC, MINCHO
from app.printing.model import Municipality, NoticeRequest
from app.printing.yoshinhyo import YoshinhyoWriter
from app.printing.yoshinhyo_form import series_form


def _address_block(c: Canvas, A: Any, n: NoticeRequest) -> None:
    p = n.yoshinhyo.person
    x, w = A["x"] * mm, A["width"] * mm
    y = y_top(A["top"]) - A["postal_size"]
    if p.postal_code:
        draw_fit(c, x, y, postal(p.postal_code), w, A["postal_size"])
        y -= A["postal_size"] * 1.6
    for line in wrap_address(p.address, GOTHIC, A["address_size"], w)[:3]:
        draw_fit(c, x, y, line, w, A["address_size"])
        y -= A["address_size"] * 1.4
    y -= A["name_size"] * 0.5
    if p.guardian_name:
        draw_fit(c, x + 4 * mm, y, f"{p.guardian_name}　様", w - 4 * mm, A["name_size"])
        y -= A["name_size"] * 1.3
        draw_fit(c, x + 4 * mm, y, f"（{p.name} さんの保護者様）", w - 4 * mm, 9)
    else:
        draw_fit(c, x + 4 * mm, y, f"{p.name}　様", w - 4 * mm, A["name_size"])


def dose_phrase(series_name: str, dose_label: str, bracket: bool = True) -> str:
    """The dose for the letter, or "" when the series name already says it (no
    「麻しん風しん（第1期）の定期予防接種（第1期）」)."""
    if not dose_label or dose_label in series_name:
        return ""
    return f"（{dose_label}）" if bracket else dose_label


def require_office(m: Municipality) -> None:
    if not (m.office.strip() and m.address.strip() and m.phone.strip()):
        raise ConfigError(
            "個別通知に載せる窓口の名称・住所・電話番号が設定されていません。",
            code="E_OFFICE_NOT_SET",
        )


class NoticeWriter:
    def __init__(self, c: Canvas, municipality: Municipality) -> None:
        require_office(municipality)
        self.c = c
        self.municipality = municipality
        self.layout = load_form("notice_layout")
        self.yoshinhyo = YoshinhyoWriter(c, municipality)
        self._static = False

    def _letter_static(self) -> None:
        """Sender block and fold marks, drawn once per document as a form."""
        L, c, m = self.layout, self.c, self.municipality
        c.beginForm("notice_static")
        S = L["sender"]
        lines = [m.name, m.office, m.address, f"電話 {m.phone}" if m.phone else ""]
        y = y_top(S["top"])
        for line in filter(None, lines):
            draw_fit(c, S["x"] * mm, y, line, S["width"] * mm, S["size"], align="right")
            y -= S["size"] * 1.45
        c.setLineWidth(0.4)
        for fold in L["fold_marks"]:
            c.line(6 * mm, y_top(fold), 11 * mm, y_top(fold))  # ≥ 5 mm: printable strip
            c.line(199 * mm, y_top(fold), 204 * mm, y_top(fold))
        c.endForm()
        self._static = True

    def notice(self, n: NoticeRequest) -> None:
        L, c, m = self.layout, self.c, self.municipality
        if not self._static:
            self._letter_static()
        c.doForm("notice_static")
        req = n.yoshinhyo
        form = series_form(req.series_id)
        series_name = req.series_name or form.name
        p = req.person
        _address_block(c, L["address_block"], n)
        draw_fit(
            c,
            0,
            y_top(L["title"]["top"]),
            f"{series_name}予防接種のお知らせ",
            210 * mm,
            L["title"]["size"],
            align="center",
        )
        B = L["body"]
        template = L["body_text_b"] if n.category == "B" else L["body_text"]
        text = template.format(
            municipality=m.name,
            person=p.name,
            series_name=series_name,
            dose=dose_phrase(series_name, req.dose_label),
        )
        y = y_top(B["top"])
        for para in text.split("\n"):
            lines = wrap_ja("　" + para, MINCHO, B["size"], B["width"] * mm)
            for line in lines:
                c.setFont(MINCHO, B["size"])
                c.drawString(B["left"] * mm, y, line)
                y -= B["size"] * B["leading"]
        info = [
            ("接種を受ける方", f"{p.name}（{birth_and_age(p.birth_date, req.print_date)}）"),
            ("予防接種", f"{series_name}　{dose_phrase(series_name, req.dose_label, False)}"),
            ("接種期限", format_wareki(n.deadline) if n.deadline else "—"),
            ("交付番号", req.issuance_no),
        ]
        box = L["info_box"]
        x, w, rh = box["left"] * mm, box["width"] * mm, box["row_height"]
        c.setLineWidth(0.6)
        for i, (label, value) in enumerate(info):
            top = box["top"] + i * rh
            c.rect(x, y_top(top + rh), w, rh * mm)
            base = y_top(top + rh / 2) - box["size"] * 0.35
            draw_fit(c, x, base, label, 35 * mm, box["size"], align="center")
            c.line(x + 35 * mm, y_top(top), x + 35 * mm, y_top(top + rh))
            draw_fit(c, x + 38 * mm, base, value, w - 40 * mm, box["size"])
        contact = L["contact"].format(office=m.office, address=m.address, phone=m.phone)
        draw_fit(c, 20 * mm, y_top(box["top"] + 4 * rh + 10), contact, 170 * mm, 10)
        draw_fit(
            c,
            20 * mm,
            y_top(box["top"] + 4 * rh + 16),
            f"発行日　{format_wareki(req.print_date)}",
            170 * mm,
            9,
        )
        c.showPage()
        self.yoshinhyo.page(req)


def write_notices(
    notices: Sequence[NoticeRequest],
    out: Output,
    *,
    municipality: Municipality,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Write each notice as letter + 予診票 (2 pages); ``progress`` counts notices."""
    c = new_canvas(out, "個別通知", demo=municipality.demo)
    writer = NoticeWriter(c, municipality)
    run_batch(notices, writer.notice, progress, cancelled)
    return finish(c, cancelled)
