"""How typed text is read into values where the domain has no reader of its own: 支払月.

Dates are read by the domain (``wareki.parse_date``); this module holds the forms the screens
accept on top of that. Bad input raises ``InvalidInput`` with a specific code."""

from __future__ import annotations

import re

from app.domain.wareki import parse_date
from app.errors import InvalidInput

_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")


def parse_payment_month(text: str) -> str | None:
    """支払月 as YYYY-MM (None when empty); raises InvalidInput when it cannot be read."""
    s = text.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not s:
        return None
    if s.isdigit() and len(s) == 6:
        year, month = int(s[:4]), int(s[4:])
    elif m := _MONTH.fullmatch(s):
        year, month = int(m[1]), int(m[2])
    else:
        first = parse_date(f"{s}.1")  # era forms: R7.4 → R7.4.1
        year, month = first.year, first.month
    if not 1 <= month <= 12:
        raise InvalidInput(code="E_PAYMENT_MONTH")
    return f"{year:04d}-{month:02d}"
