"""VaxDesk: the offline vaccination register (予防接種台帳) for municipal health centers."""

from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "VaxDesk"
