"""Shared machinery of the print engine: canvases, batches, cancel, form data, text fitting."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import cache
from typing import Any, BinaryIO, TypeVar

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.domain.legaldate import age_years_months
from app.domain.wareki import format_wareki
from app.errors import ConfigError, InvalidInput, VaxDeskError
from app.paths import resource_path
from app.printing.fonts import GOTHIC, register_fonts

Output = str | os.PathLike[str] | BinaryIO
Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
T = TypeVar("T")

PAGE_W, PAGE_H = A4
SEX_LABELS = {"M": "男", "F": "女", "": ""}


class PrintCancelled(VaxDeskError):
    """A batch was cancelled; nothing was written to the output."""

    code = "E_PRINT_CANCELLED"


DEMO_MARK = "見本"
DEMO_NOTE = "【デモ台帳】架空のデータによる見本です。実際の接種・請求には使えません。"


class DemoMarkedCanvas(Canvas):  # type: ignore[misc]
    """A canvas that stamps every page, as it is finished, with the demo-register watermark
    (drawn last, translucent, so it shows over boxes and cannot be hidden by page content)."""

    def showPage(self) -> None:
        draw_demo_mark(self)
        super().showPage()


def draw_demo_mark(c: Canvas) -> None:
    w, h = c._pagesize
    c.saveState()
    c.setFillColorRGB(0.55, 0.55, 0.55)
    c.setFillAlpha(0.28)
    c.translate(w / 2, h / 2)
    c.rotate(30 if h >= w else 15)
    size = min(w, h) / 3.2
    c.setFont(GOTHIC, size)
    c.drawCentredString(0, -size / 3, DEMO_MARK)
    note = min(size / 9, 0.8 * min(w, h) / stringWidth(DEMO_NOTE, GOTHIC, 1))
    c.setFont(GOTHIC, note)
    c.drawCentredString(0, -size / 3 - 2 * note, DEMO_NOTE)
    c.restoreState()


def new_canvas(
    out: Output, title: str, pagesize: tuple[float, float] = A4, *, demo: bool = False
) -> Canvas:
    """A canvas with the embedded fonts registered and reproducible output (no timestamps).
    ``demo``: every page carries the 見本 / デモ台帳 watermark (documents of a demo register)."""
    register_fonts()
    target: Any = os.fspath(out) if isinstance(out, str | os.PathLike) else out
    cls = DemoMarkedCanvas if demo else Canvas
    c = cls(target, pagesize=pagesize, pageCompression=1, invariant=1, initialFontName=GOTHIC)
    c.setTitle(title)
    c.setCreator("VaxDesk")
    c.setAuthor("VaxDesk")
    return c


def run_batch(
    items: Sequence[T],
    draw: Callable[[T], None],
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> None:
    """Call ``draw`` for each item, reporting ``progress(done, total)`` after each one.

    ``cancelled()`` is polled before every item; when it returns True the batch stops and
    ``PrintCancelled`` is raised before anything is saved, so no partial file is left behind.
    """
    total = len(items)
    for done, item in enumerate(items):
        if cancelled is not None and cancelled():
            raise PrintCancelled()
        draw(item)
        if progress is not None:
            progress(done + 1, total)


def finish(c: Canvas, cancelled: Cancelled | None) -> int:
    """Save the document (unless cancelled at the last moment) and return its page count."""
    if cancelled is not None and cancelled():
        raise PrintCancelled()
    pages = int(c.getPageNumber()) - 1
    c.save()
    return pages


@cache
def load_form(name: str) -> Any:
    """Parsed JSON of ``resources/forms/<name>.json`` (cached; treat it as read-only)."""
    path = resource_path("forms", f"{name}.json")
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"帳票定義 {name}.json を読み込めません。アプリを再インストールしてください。",
            code="E_PRINT_FORM",
        ) from exc


def y_top(top_mm: float, page_h: float = PAGE_H) -> float:
    """PDF y (points from the bottom) of a position given in mm from the top of the page."""
    return float(page_h - top_mm * mm)


def fit_size(text: str, font: str, size: float, width: float, min_size: float = 5.0) -> float:
    """Largest font size ≤ ``size`` at which ``text`` fits ``width`` points (not below min)."""
    w = float(stringWidth(text, font, size))
    if w <= width or w == 0:
        return size
    return max(min_size, size * width / w)


def draw_fit(
    c: Canvas,
    x: float,
    y: float,
    text: str,
    width: float,
    size: float,
    font: str = GOTHIC,
    align: str = "left",
) -> None:
    """Draw one line of text shrunk to fit ``width`` (left, centre or right aligned)."""
    if not text:
        return
    s = fit_size(text, font, size, width)
    c.setFont(font, s)
    if align == "center":
        c.drawCentredString(x + width / 2, y, text)
    elif align == "right":
        c.drawRightString(x + width, y, text)
    else:
        c.drawString(x, y, text)


_NO_LINE_START = set("、。，．）」』】〕・ー：；？！ぁぃぅぇぉっゃゅょァィゥェォッャュョ")


def wrap_ja(text: str, font: str, size: float, width: float) -> list[str]:
    """Break Japanese text into lines no wider than ``width`` (simple 禁則: no closing mark or
    small kana at the start of a line). Explicit newlines are kept."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for ch in para:
            if line and stringWidth(line + ch, font, size) > width and ch not in _NO_LINE_START:
                lines.append(line)
                line = ch
            else:
                line += ch
        lines.append(line)
    return lines


# Where an address may break, best first: at a space (between the street address and a
# building name), then after the block/lot/room markers. Never inside a building name.
_ADDRESS_BREAK_AFTER = (
    "号室",
    "番地",
    "丁目",
    "号",
    "番",
    "階",
    "－",
    "-",
    "区",
    "市",
    "郡",
    "県",
    "府",
    "都",
)


def wrap_address(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines no wider than ``width`` that break an address at spaces (the usual separator of a
    building name) or after 丁目/番地/番/号; only a single word wider than a line is cut."""
    words = text.replace("\u3000", " ").split()
    lines: list[str] = []
    line = ""
    for word in words:
        trial = f"{line} {word}" if line else word
        if stringWidth(trial, font, size) <= width:
            line = trial
            continue
        if line:
            lines.append(line)
        line = ""
        while stringWidth(word, font, size) > width:
            cut = _address_cut(word, font, size, width)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line or not lines:
        lines.append(line)
    return lines


def _address_cut(word: str, font: str, size: float, width: float) -> int:
    fits = 1
    while fits < len(word) and stringWidth(word[: fits + 1], font, size) <= width:
        fits += 1
    for marker in _ADDRESS_BREAK_AFTER:
        at = word.rfind(marker, 0, fits - len(marker) + 1)
        if at > 0:
            return at + len(marker)
    return fits


def draw_lines(
    c: Canvas, x: float, y: float, lines: Iterable[str], size: float, leading: float, font: str
) -> float:
    """Draw lines downward from baseline ``y``; returns the baseline after the last line."""
    c.setFont(font, size)
    for line in lines:
        c.drawString(x, y, line)
        y -= leading
    return y


def birth_and_age(dob: date, on: date) -> str:
    """令和5年4月1日生（満2歳3か月） — the age is computed on ``on`` (the print date)."""
    if on < dob:
        raise InvalidInput(code="E_PRINT_DATE")
    years, months = age_years_months(dob, on)
    return f"{format_wareki(dob)}生（満{years}歳{months}か月）"


def postal(code: str) -> str:
    """〒160-0022 from 1600022 (other shapes are printed as given)."""
    digits = code.replace("-", "")
    if len(digits) == 7 and digits.isdigit():
        return f"〒{digits[:3]}-{digits[3:]}"
    return f"〒{code}" if code else ""


def yen(amount: int) -> str:
    return f"{amount:,}"


def ticker(
    total: int, progress: Progress | None, cancelled: Cancelled | None
) -> Callable[[], None]:
    """A callable to invoke after each unit of work: reports progress and honours cancel."""
    done = [0]

    def tick() -> None:
        if cancelled is not None and cancelled():
            raise PrintCancelled()
        done[0] += 1
        if progress is not None:
            progress(done[0], total)

    return tick
