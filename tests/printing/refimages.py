"""Reference-image comparison for printed documents.

Page 1 of each document type is rendered with pypdfium2 at ``DPI`` in grey and compared with
``tests/fixtures/print_refs/<kind>.png``: the mean absolute pixel difference over the page must be
below ``MAX_MEAN_DIFF`` and the worst 24×24-pixel tile below ``MAX_TILE_DIFF`` (so a moved or
missing field is caught even though it is a small part of the page).

Regenerate the references after an intended layout change with:

    VAXDESK_UPDATE_PRINT_REFS=1 .venv/bin/python -m pytest tests/printing/test_reference_images.py
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

REF_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "print_refs"
DPI = 50
TILE = 24
MAX_MEAN_DIFF = 1.0
MAX_TILE_DIFF = 8.0


def updating() -> bool:
    return os.environ.get("VAXDESK_UPDATE_PRINT_REFS") == "1"


def differences(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    """(mean absolute difference over the page, worst tile mean), on a 0–255 scale."""
    if a.size != b.size:
        return 255.0, 255.0
    diff = ImageChops.difference(a.convert("L"), b.convert("L"))
    mean = ImageStat.Stat(diff).mean[0]
    worst = 0.0
    w, h = diff.size
    for y in range(0, h, TILE):
        for x in range(0, w, TILE):
            tile = diff.crop((x, y, min(x + TILE, w), min(y + TILE, h)))
            worst = max(worst, ImageStat.Stat(tile).mean[0])
    return mean, worst
