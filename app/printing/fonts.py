"""The fonts every printed document embeds, registered once per process.

reportlab embeds registered TrueType fonts as subsets (only the glyphs used), so each PDF carries
what it needs to print identically on any machine. The files and their licences are in
``resources/fonts/`` (see the README there).
"""

from __future__ import annotations

import threading

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.errors import ConfigError
from app.paths import resource_path

GOTHIC = "IPAexGothic"
MINCHO = "IPAexMincho"
OCRB = "OCRB"

_FILES = {GOTHIC: "ipaexg.ttf", MINCHO: "ipaexm.ttf", OCRB: "OCRB.ttf"}
_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the IPAex and OCR-B fonts with reportlab; safe to call any number of times."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, filename in _FILES.items():
            path = resource_path("fonts", filename)
            if not path.is_file():
                raise ConfigError(
                    f"印刷用フォント {filename} が見つかりません。アプリを再インストールしてください。",
                    code="E_PRINT_FONT",
                )
            pdfmetrics.registerFont(TTFont(name, str(path)))
        _registered = True
