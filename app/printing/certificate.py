"""予防接種済証 / 予防接種証明書 for one person (A4 portrait, IPAex明朝).

Doses the municipality cannot verify are printed struck through with 「記録なし」, and the unused
rows are closed with 以下余白 and a Z line, so nothing can be written in by hand. Layout:
``resources/forms/certificate_layout.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.domain.wareki import format_wareki
from app.printing.drawing import (
    SEX_LABELS,
    Cancelled,
    Output,
    Progress,
    draw_fit,
    finish,
    load_form,
    new_canvas,
    postal,
    run_batch,
    wrap_ja,
    y_top,
)
from app.printing.fonts import GOTHIC, MINCHO
from app.printing.model import CertificateDose, CertificateRequest, Municipality


def _cells(d: CertificateDose) -> dict[str, str]:
    return {
        "series": d.series_name,
        "dose": d.dose_label,
        "date": format_wareki(d.date) if d.date else "",
        "maker": d.maker,
        "lot": d.lot,
        "institution": d.institution,
    }


def _person(c: Canvas, L: Any, req: CertificateRequest) -> None:
    P = L["person"]
    left, width = L["left"] * mm, L["width"] * mm
    lw = P["label_width"] * mm
    p = req.person
    birth = f"{format_wareki(p.birth_date)}（{p.birth_date.year}年）生"
    sex = SEX_LABELS[p.sex]
    address = f"{postal(p.postal_code)}　{p.address}" if p.postal_code else p.address
    rows = (("氏　　名", p.name), ("生年月日", f"{birth}　　性別　{sex}"), ("住　　所", address))
    top = P["top"]
    for h, (label, value) in zip(P["rows"], rows, strict=True):
        c.rect(left, y_top(top + h), width, h * mm)
        c.line(left + lw, y_top(top), left + lw, y_top(top + h))
        base = y_top(top + h / 2) - P["size"] * 0.35
        draw_fit(c, left, base, label, lw, P["size"], font=MINCHO, align="center")
        vx, vw = left + lw + 3 * mm, width - lw - 6 * mm
        if label.startswith("氏"):
            draw_fit(c, vx, y_top(top + 3.6), p.name_kana, vw, 7.5, font=MINCHO)
            draw_fit(c, vx, y_top(top + h - 2.6), value, vw, P["value_size"] + 3, font=MINCHO)
        else:
            draw_fit(c, vx, base - 0.5, value, vw, P["value_size"], font=MINCHO)
        top += h


MIN_CELL_SIZE = 7.5  # pt: a long vaccine or institution name wraps rather than shrinking


def _cell(c: Canvas, x: float, width: float, top: float, h: float, text: str, size: float) -> None:
    """One line at ``size`` when it fits; else two lines (wrapped at a 「・」 or between
    characters) at no less than MIN_CELL_SIZE, centred in the row (top, h in mm)."""
    if not text or stringWidth(text, MINCHO, size) <= width:
        draw_fit(c, x, y_top(top + h / 2) - size * 0.35, text, width, size, MINCHO)
        return
    small = max(MIN_CELL_SIZE, size - 1)
    lines = _two_lines(text, small, width)
    lead = small * 1.15
    base = y_top(top + h / 2) - small * 0.35 + lead / 2
    for line in lines:
        draw_fit(c, x, base, line, width, small, MINCHO)
        base -= lead


def _two_lines(text: str, size: float, width: float) -> list[str]:
    """Break after a 「・」 or before a 「（」 when both halves fit; else where the width ends."""

    def fits(part: str) -> bool:
        return bool(stringWidth(part, MINCHO, size) <= width)

    mid = len(text) / 2
    cuts = [
        i
        for i in range(1, len(text))
        if (text[i - 1] == "・" or text[i] == "（") and fits(text[:i]) and fits(text[i:])
    ]
    if cuts:
        cut = min(cuts, key=lambda i: abs(i - mid))
        return [text[:cut], text[cut:]]
    lines = wrap_ja(text, MINCHO, size, width)
    if len(lines) <= 2:
        return lines
    return [lines[0], "".join(lines[1:])]  # the second line is narrowed by draw_fit


def _dose_table(c: Canvas, L: Any, doses: Sequence[CertificateDose], last_page: bool) -> None:
    D = L["doses"]
    left = L["left"] * mm
    xs = [left]
    for col in D["columns"]:
        xs.append(xs[-1] + col["width"] * mm)
    top, hh, rh = D["top"], D["header_height"], D["row_height"]
    n = D["rows_per_page"]
    bottom = top + hh + n * rh
    c.setLineWidth(0.8)
    c.rect(left, y_top(bottom), xs[-1] - left, (bottom - top) * mm)
    c.setLineWidth(0.4)
    c.line(left, y_top(top + hh), xs[-1], y_top(top + hh))
    for i, col in enumerate(D["columns"]):
        base = y_top(top + hh / 2) - 3
        draw_fit(c, xs[i], base, col["title"], xs[i + 1] - xs[i], D["size"], MINCHO, "center")
        if i:
            c.line(xs[i], y_top(top), xs[i], y_top(bottom))
    for r in range(1, n):
        c.line(left, y_top(top + hh + r * rh), xs[-1], y_top(top + hh + r * rh))
    stamp = L["unverified_stamp"]
    for r, dose in enumerate(doses):
        row_top = top + hh + r * rh
        base = y_top(row_top + rh / 2) - D["size"] * 0.35
        cells = _cells(dose)
        for i, col in enumerate(D["columns"]):
            if not dose.verified and col["key"] not in ("series", "dose"):
                continue
            _cell(
                c,
                xs[i] + 1.2 * mm,
                xs[i + 1] - xs[i] - 2.4 * mm,
                row_top,
                rh,
                cells[col["key"]],
                D["size"],
            )
        if not dose.verified:
            x0 = xs[2]
            y_mid = y_top(row_top + rh / 2)
            c.setLineWidth(0.8)
            c.line(x0 + 1 * mm, y_mid + 1.2 * mm, xs[-1] - 1 * mm, y_mid + 1.2 * mm)
            c.line(x0 + 1 * mm, y_mid - 1.2 * mm, xs[-1] - 1 * mm, y_mid - 1.2 * mm)
            sw = 30 * mm
            sx = (x0 + xs[-1]) / 2 - sw / 2
            c.setFillGray(1)
            c.rect(sx, y_mid - 3 * mm, sw, 6 * mm, stroke=1, fill=1)
            c.setFillGray(0)
            draw_fit(c, sx, y_mid - 1.4 * mm, stamp, sw, 10, GOTHIC, "center")
            c.setLineWidth(0.4)
    used = len(doses)
    if used < n and last_page:
        row_top = top + hh + used * rh
        c.setFont(MINCHO, D["size"])
        c.drawCentredString((left + xs[-1]) / 2, y_top(row_top + rh / 2) - 3, "以　下　余　白")
        if used + 1 < n:
            z_top, z_bottom = y_top(row_top + rh), y_top(bottom)
            c.setLineWidth(0.6)
            c.line(left + 2 * mm, z_top - 1 * mm, xs[-1] - 2 * mm, z_top - 1 * mm)
            c.line(xs[-1] - 2 * mm, z_top - 1 * mm, left + 2 * mm, z_bottom + 1 * mm)
            c.line(left + 2 * mm, z_bottom + 1 * mm, xs[-1] - 2 * mm, z_bottom + 1 * mm)


def _footer(
    c: Canvas, L: Any, req: CertificateRequest, m: Municipality, page: int, pages: int
) -> None:
    left, width = L["left"] * mm, L["width"] * mm
    statement = L["statement"].get(req.title, L["statement"]["予防接種済証"])
    top = L["statement_top"]
    draw_fit(c, left, y_top(top), L["note"], width, 8, MINCHO)
    c.setFont(MINCHO, 11)
    c.drawString(left + 6 * mm, y_top(top + 9), statement)
    c.drawString(left + 12 * mm, y_top(top + 17), format_wareki(req.issue_date))
    S = L["signature"]
    signer = f"{m.mayor_title}　{m.mayor_name}".strip()
    seal = S["seal_size"] * mm
    right = left + width
    draw_fit(
        c, right - seal - 95 * mm, y_top(S["top"]), signer, 90 * mm, S["size"], MINCHO, "right"
    )
    c.setStrokeGray(0.5)
    c.rect(right - seal, y_top(S["top"]) - seal / 2, seal, seal)
    c.setStrokeGray(0)
    c.setFillGray(0.5)
    c.setFont(MINCHO, 9)
    c.drawCentredString(right - seal / 2, y_top(S["top"]) - 3, "公印")
    c.setFillGray(0)
    if pages > 1:
        c.setFont(MINCHO, 8)
        c.drawCentredString(left + width / 2, 10 * mm, f"{page} / {pages}")


class CertificateWriter:
    def __init__(self, c: Canvas, municipality: Municipality) -> None:
        self.c = c
        self.municipality = municipality
        self.layout = load_form("certificate_layout")

    def document(self, req: CertificateRequest) -> None:
        L, c = self.layout, self.c
        per_page = L["doses"]["rows_per_page"]
        chunks = [req.doses[i : i + per_page] for i in range(0, len(req.doses), per_page)] or [()]
        for page, chunk in enumerate(chunks, start=1):
            left, width = L["left"] * mm, L["width"] * mm
            if req.certificate_no:
                draw_fit(
                    c,
                    left,
                    y_top(L["number"]["top"]),
                    f"証明番号　{req.certificate_no}",
                    width,
                    L["number"]["size"],
                    MINCHO,
                    "right",
                )
            draw_fit(
                c,
                left,
                y_top(L["title"]["top"]),
                req.title,
                width,
                L["title"]["size"],
                MINCHO,
                "center",
            )
            _person(c, L, req)
            _dose_table(c, L, chunk, last_page=page == len(chunks))
            _footer(c, L, req, self.municipality, page, len(chunks))
            c.showPage()


def write_certificates(
    requests: Sequence[CertificateRequest],
    out: Output,
    *,
    municipality: Municipality,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Write one 済証/証明書 per request (continued over pages when a person has many doses)."""
    c = new_canvas(out, "予防接種済証", demo=municipality.demo)
    writer = CertificateWriter(c, municipality)
    run_batch(requests, writer.document, progress, cancelled)
    return finish(c, cancelled)
