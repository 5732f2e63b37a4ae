"""The static part of a 予診票: everything that is the same on every page of one series.

It is drawn once per document and series into a PDF Form XObject; each page then places the form
and writes only the pre-filled values at the ``Slots`` this module computes. Wording comes from
``resources/forms/yoshinhyo_series.json`` and positions from ``yoshinhyo_layout.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.errors import InvalidInput
from app.printing.drawing import draw_fit, fit_size, load_form, wrap_ja, y_top
from app.printing.fonts import GOTHIC
from app.printing.model import Municipality


@dataclass(frozen=True, slots=True)
class SeriesForm:
    series_id: str
    name: str
    subtitle: str
    guardian: bool
    questions: tuple[str, ...]
    dose_options: tuple[str, ...]
    vaccine: str
    amount: str
    route: str
    doctor_lines: tuple[str, ...]
    consent_label: str
    consent_lines: tuple[str, ...]
    sites: tuple[str, ...] = ()  # 接種部位 choices (none for oral vaccines)


@dataclass(slots=True)
class Slots:
    """Where the variable values of one page go (points; y is a text baseline)."""

    dose: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # x, y, width
    sex: dict[str, tuple[float, float]] = field(default_factory=dict)  # centre of 男 / 女
    text: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # x, y, width
    barcode: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # x, y, width, height


DEFAULT_SITES = ("上腕（右・左）", "大腿（右・左）")


@cache
def series_form(series_id: str) -> SeriesForm:
    data = load_form("yoshinhyo_series")
    s = data["series"].get(series_id)
    if s is None:
        raise InvalidInput(code="E_PRINT_SERIES")
    qset = data["question_sets"][s["question_set"]]
    return SeriesForm(
        series_id=series_id,
        name=s["name"],
        subtitle=s.get("subtitle", qset["subtitle"]),
        guardian=bool(qset["guardian"]),
        questions=tuple(qset["questions"]) + tuple(s.get("extra_questions", ())),
        dose_options=tuple(s["dose_options"]),
        vaccine=s["vaccine"],
        amount=s["amount"],
        route=s["route"],
        doctor_lines=tuple(qset.get("doctor_lines", data["doctor_lines"])),
        consent_label=qset["consent"]["label"],
        consent_lines=tuple(qset["consent"]["lines"]),
        sites=tuple(s.get("sites", DEFAULT_SITES)),
    )


def series_ids() -> tuple[str, ...]:
    return tuple(load_form("yoshinhyo_series")["series"])


def _layout() -> Any:
    return load_form("yoshinhyo_layout")


def _cell_label(
    c: Canvas, x: float, top: float, w: float, h: float, text: str, size: float
) -> None:
    """Grey label cell with centred text (x, w in points; top, h in mm)."""
    c.setFillGray(0.9)
    c.rect(x, y_top(top + h), w, h * mm, stroke=1, fill=1)
    c.setFillGray(0)
    lines = text.split("\n")
    lead = size * 1.2
    base = y_top(top + h / 2) - size * 0.35 + (len(lines) - 1) * lead / 2
    for i, line in enumerate(lines):
        draw_fit(c, x + 1, base - i * lead, line, w - 2, size, align="center")


def _options(
    c: Canvas, x: float, y: float, options: tuple[str, ...], size: float, gap: float
) -> dict[str, tuple[float, float, float]]:
    """Draw 「a ・ b ・ c」; returns {option: (x, y, width)} for circling one of them."""
    c.setFont(GOTHIC, size)
    out: dict[str, tuple[float, float, float]] = {}
    for i, opt in enumerate(options):
        w = stringWidth(opt, GOTHIC, size)
        c.drawString(x, y, opt)
        out[opt] = (x, y, w)
        x += w
        if i < len(options) - 1:
            c.drawCentredString(x + gap * mm / 2, y, "・")
            x += gap * mm
    return out


def draw_static(c: Canvas, form: SeriesForm, municipality: Municipality) -> Slots:
    """Draw the fixed parts of the 予診票 at the current origin and return the value slots."""
    L = _layout()
    slots = Slots()
    left = L["left"] * mm
    width = L["width"] * mm
    right = left + width
    c.setLineWidth(L["line_width"])
    c.setStrokeGray(0)
    c.setFillGray(0)

    m = L["municipality"]
    c.setFont(GOTHIC, m["size"])
    c.drawString(left, y_top(m["top"]), f"{municipality.name}（{municipality.code}）")
    t = L["title"]
    draw_fit(
        c, left, y_top(t["top"]), f"{form.name}予防接種予診票", width, t["size"], align="center"
    )
    st = L["subtitle"]
    draw_fit(c, left, y_top(st["top"]), form.subtitle, width, st["size"], align="center")

    d = L["dose"]
    c.setFont(GOTHIC, d["size"])
    c.drawString(left, y_top(d["top"]), d["label"] + "：")
    x0 = left + stringWidth(d["label"] + "：", GOTHIC, d["size"]) + 2 * mm
    slots.dose = _options(c, x0, y_top(d["top"]), form.dose_options, d["size"], d["option_gap"])

    tp = L["temperature"]
    tx, tw = tp["x"] * mm, tp["width"] * mm
    c.rect(tx, y_top(tp["top"] + tp["height"]), tw, tp["height"] * mm)
    c.setFont(GOTHIC, tp["size"])
    base = y_top(tp["top"] + tp["height"] / 2) - tp["size"] * 0.35
    c.drawString(tx + 2 * mm, base, "診察前の体温")
    c.drawRightString(tx + tw - 12 * mm, base, "度")
    c.drawRightString(tx + tw - 2 * mm, base, "分")

    _person_block(c, L["person"], form, left, right, slots)
    _questions(c, L, form, left, width)
    _doctor_and_consent(c, L, form, left, width)
    _record(c, L["record"], form, left)

    f = L["footer"]
    slots.barcode = (
        left,
        y_top(f["top"] + f["barcode_height"]),
        f["barcode_width"] * mm,
        f["barcode_height"] * mm,
    )
    foot_y = y_top(f["top"] + f["barcode_height"]) - f["size"] - 1
    slots.text["issuance"] = (left, foot_y, f["barcode_width"] * mm)
    c.setFont(GOTHIC, f["size"])
    note = f"この予診票は{municipality.name}が発行した定期予防接種用です。"
    c.drawRightString(right, y_top(f["top"] + 3), note)
    slots.text["issued"] = (right - 80 * mm, y_top(f["top"] + 7.5), 80 * mm)
    return slots


def _person_block(
    c: Canvas, P: Any, form: SeriesForm, left: float, right: float, slots: Slots
) -> None:
    top = P["top"]
    lw, rx, rlw = P["label_width"] * mm, P["right_x"] * mm, P["right_label_width"] * mm
    size = P["size"]
    guardian_labels = (
        ("保護者の氏名", "続柄")
        if form.guardian
        else ("代筆者の氏名\n（自署できない場合）", "続柄")
    )
    rows = (
        ("住所", "電話番号", "address", "phone"),
        ("フリガナ\n受ける人の氏名", "性別", "name", "sex"),
        ("生年月日", "宛名番号", "birth", "atena"),
        (guardian_labels[0], guardian_labels[1], "guardian", "relation"),
    )
    for h, (label, rlabel, key, rkey) in zip(P["rows"], rows, strict=True):
        c.rect(left, y_top(top + h), right - left, h * mm)
        _cell_label(c, left, top, lw, h, label, size)
        _cell_label(c, rx, top, rlw, h, rlabel, size)
        value_w = rx - left - lw - 4 * mm
        rvalue_w = right - rx - rlw - 4 * mm
        base = y_top(top + h / 2) - P["value_size"] * 0.35
        if key == "name":
            slots.text["kana"] = (left + lw + 2 * mm, y_top(top + 3.6), value_w)
            slots.text["name"] = (left + lw + 2 * mm, y_top(top + h - 2.2), value_w)
            c.setDash(1, 2)
            c.setLineWidth(0.3)
            c.line(left + lw, y_top(top + 4.6), rx, y_top(top + 4.6))
            c.setDash()
            c.setLineWidth(_layout()["line_width"])
        elif key == "address":
            slots.text["address"] = (left + lw + 2 * mm, base, value_w)
        else:
            slots.text[key] = (left + lw + 2 * mm, base, value_w)
        if rkey == "sex":
            c.setFont(GOTHIC, P["value_size"])
            cx = rx + rlw + (right - rx - rlw) / 2
            c.drawCentredString(cx - 7 * mm, base, "男")
            c.drawCentredString(cx, base, "・")
            c.drawCentredString(cx + 7 * mm, base, "女")
            cy = base + P["value_size"] * 0.35
            slots.sex = {"M": (cx - 7 * mm, cy), "F": (cx + 7 * mm, cy)}
        else:
            slots.text[rkey] = (rx + rlw + 2 * mm, base, rvalue_w)
        top += h


def _questions(c: Canvas, L: Any, form: SeriesForm, left: float, width: float) -> None:
    Q = L["questions"]
    nw, aw, dw = Q["number_width"] * mm, Q["answer_width"] * mm, Q["doctor_width"] * mm
    qw = width - nw - aw - dw
    xs = (left, left + nw, left + nw + qw, left + nw + qw + aw, left + width)
    top, hh = Q["top"], Q["header_height"]
    c.setFillGray(0.9)
    c.rect(left, y_top(top + hh), width, hh * mm, stroke=1, fill=1)
    c.setFillGray(0)
    heads = ("", "質　問　事　項", "回答欄", "医師記入欄")
    for i, head in enumerate(heads):
        draw_fit(c, xs[i], y_top(top + hh / 2) - 2.6, head, xs[i + 1] - xs[i], 8, align="center")
    n = len(form.questions)
    row_h = (Q["bottom"] - top - hh) / n
    y = top + hh
    for i, q in enumerate(form.questions):
        c.rect(left, y_top(y + row_h), width, row_h * mm)
        size = Q["size"]
        lines = wrap_ja(q, GOTHIC, size, qw - 3 * mm)
        while len(lines) > Q["max_lines"] and size > Q["min_size"]:
            size -= 0.2
            lines = wrap_ja(q, GOTHIC, size, qw - 3 * mm)
        lead = size * 1.18
        base = y_top(y + row_h / 2) - size * 0.35 + (len(lines) - 1) * lead / 2
        c.setFont(GOTHIC, size)
        for j, line in enumerate(lines):
            c.drawString(xs[1] + 1.5 * mm, base - j * lead, line)
        draw_fit(c, xs[0], y_top(y + row_h / 2) - 2.6, str(i + 1), nw, 7.5, align="center")
        draw_fit(c, xs[2], y_top(y + row_h / 2) - 2.8, "はい ・ いいえ", aw, 8, align="center")
        y += row_h
    c.setLineWidth(L["thin_line_width"])
    for x in xs[1:4]:
        c.line(x, y_top(top), x, y_top(Q["bottom"]))
    c.setLineWidth(L["line_width"])


def _block(c: Canvas, B: Any, left: float, width: float, label: str, lines: list[str]) -> None:
    c.rect(left, y_top(B["top"] + B["height"]), width, B["height"] * mm)
    _cell_label(c, left, B["top"], B["label_width"] * mm, B["height"], label, 8)
    x = left + B["label_width"] * mm + 2 * mm
    avail = width - B["label_width"] * mm - 4 * mm
    size = B["size"]
    lead = (B["height"] * mm - 2 * mm) / max(len(lines), 1)
    y = y_top(B["top"]) - lead * 0.5 - size * 0.35 - 1 * mm
    for line in lines:
        s = fit_size(line, GOTHIC, size, avail)
        c.setFont(GOTHIC, s)
        c.drawString(x, y, line)
        y -= lead


def _doctor_and_consent(c: Canvas, L: Any, form: SeriesForm, left: float, width: float) -> None:
    _block(c, L["doctor"], left, width, "医師\n記入欄", list(form.doctor_lines))
    _block(c, L["consent"], left, width, form.consent_label, list(form.consent_lines))


def _record(c: Canvas, R: Any, form: SeriesForm, left: float) -> None:
    top, h, hh, size = R["top"], R["height"], R["header_height"], R["size"]
    widths = [w * mm for w in R["columns"]]
    xs = [left]
    for w in widths:
        xs.append(xs[-1] + w)
    heads = (
        "ワクチン名・メーカー・Lot No.",
        "接種量",
        "接種方法・部位",
        "実施場所・医師名・接種年月日",
    )
    c.setFillGray(0.9)
    c.rect(left, y_top(top + hh), xs[-1] - left, hh * mm, stroke=1, fill=1)
    c.setFillGray(0)
    c.rect(left, y_top(top + h), xs[-1] - left, h * mm)
    for i, head in enumerate(heads):
        draw_fit(c, xs[i], y_top(top + hh / 2) - 2.5, head, widths[i], 7.5, align="center")
        if i:
            c.line(xs[i], y_top(top), xs[i], y_top(top + h))
    body = top + hh
    draw_fit(c, xs[0] + 1.5 * mm, y_top(body + 3.5), form.vaccine, widths[0] - 3 * mm, size)
    c.setDash(2, 2)
    c.setLineWidth(0.4)
    c.rect(xs[0] + 2 * mm, y_top(top + h - 1.5), widths[0] - 4 * mm, (h - hh - 6.5) * mm)
    c.setDash()
    c.setLineWidth(_layout()["line_width"])
    draw_fit(
        c,
        xs[0] + 3 * mm,
        y_top(body + 8.5),
        "（メーカー名・Lot No. シール貼付）",
        widths[0] - 6 * mm,
        6.5,
    )
    pad = 1.5 * mm  # the amount keeps clear of the cell rules
    draw_fit(
        c,
        xs[1] + pad,
        y_top(body + h / 2 - 1),
        form.amount,
        widths[1] - 2 * pad,
        size + 0.8,
        align="center",
    )
    sites = [("部位：" if i == 0 else "　　　") + site for i, site in enumerate(form.sites)]
    route_lines = [form.route, *sites]
    for i, line in enumerate(route_lines):
        draw_fit(c, xs[2] + 1.5 * mm, y_top(body + 5 + i * 6), line, widths[2] - 3 * mm, size)
    place = ["実施場所：", "医療機関コード：", "医師名：", "接種年月日：令和　　年　　月　　日"]
    for i, line in enumerate(place):
        draw_fit(c, xs[3] + 1.5 * mm, y_top(body + 5 + i * 6.3), line, widths[3] - 3 * mm, size)
