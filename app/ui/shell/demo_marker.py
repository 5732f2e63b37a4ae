"""How a demo register is marked: 【デモ台帳】 in every window title and a visible banner, so that
nobody mistakes practice data for the real register."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QWidget


def demo_title_prefix() -> str:
    return QCoreApplication.translate("DemoMarker", "[DEMO REGISTER]")


def window_title(title: str, demo: bool) -> str:
    """``title``, prefixed with the demo marker for a demo register."""
    return f"{demo_title_prefix()} {title}" if demo else title


class DemoBanner(QLabel):
    """A coloured strip across the top of a window of a demo register."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoBanner")
        self.setText(
            QCoreApplication.translate(
                "DemoMarker",
                "DEMO REGISTER: practice data only. Do not enter real residents' information.",
            )
        )
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAccessibleName(demo_title_prefix())
