"""Barcodes on printed documents: Code128 (予診票), NW-7/Codabar and QR (vouchers).

NW-7 start/stop characters: the voucher number is encoded as ``A<10 digits>A``. The COVID voucher
specification only says "NW-7"; A/A is the most common choice in Japanese municipal printing and
what most handheld scanners are configured to strip (UNSURE: keep it in sync with the scanner
configuration at the counter).
"""

from __future__ import annotations

from itertools import groupby

from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.common import Codabar
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

CODABAR_START_STOP = "A"


def draw_code128(
    c: Canvas, value: str, x: float, y: float, height: float, max_width: float
) -> float:
    """Draw a Code128 symbol (with quiet zones) at (x, y); returns its width in points.

    The module width is the largest that fits ``max_width``, capped at 0.33 mm and at least
    0.19 mm (reliably read by counter scanners and by the tests at 300 dpi).
    """
    probe = Code128(value, barWidth=1.0, barHeight=height, quiet=1, lquiet=10, rquiet=10)
    bar = min(0.33 * mm, max(0.19 * mm, max_width / probe.width))
    symbol = Code128(value, barWidth=bar, barHeight=height, quiet=1, humanReadable=0)
    symbol.drawOn(c, x, y)
    return float(symbol.width)


def draw_codabar(
    c: Canvas, digits: str, x: float, y: float, height: float, max_width: float
) -> float:
    """Draw ``A<digits>A`` as NW-7 (ratio 2.5) fitted into ``max_width``; returns the width."""
    value = CODABAR_START_STOP + digits + CODABAR_START_STOP
    probe = Codabar(value, barWidth=1.0, ratio=2.5, barHeight=height, quiet=1, lquiet=8, rquiet=8)
    bar = min(0.3 * mm, max_width / probe.width)
    quiet = 8 * bar
    symbol = Codabar(
        value, barWidth=bar, ratio=2.5, barHeight=height, quiet=1, lquiet=quiet, rquiet=quiet
    )
    symbol.drawOn(c, x, y)
    return float(symbol.width)


def draw_qr(c: Canvas, value: str, x: float, y: float, size: float, border: int = 2) -> None:
    """Draw a QR code (model 2, error correction M) of ``value`` into a ``size`` square.

    Dark modules are drawn directly as one filled path of horizontal runs (no graphics widget),
    which is faster and adds no font resources to the page.
    """
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(value)
    qr.make()
    count = qr.getModuleCount()
    box = size / (count + 2 * border)
    path = c.beginPath()
    for r, row in enumerate(qr.modules):
        col = 0
        for dark, run in groupby(bool(m) for m in row):
            n = len(list(run))
            if dark:
                path.rect(x + (col + border) * box, y + size - (r + border + 1) * box, n * box, box)
            col += n
    c.drawPath(path, stroke=0, fill=1)
