"""Reasons a document may be issued again in the same 年度 (再発行): code → the label that
発行履歴 stores. The service checks against them, the UI and CLI offer them, the demo uses them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

REISSUE_REASONS: Final[Mapping[str, str]] = {
    "lost": "紛失",
    "damaged": "汚損・破損",
    "moved_in": "転入",
    "error": "記載誤り",
    "other": "その他",
}
