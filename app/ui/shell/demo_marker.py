"""How a demo register is marked: 【デモ台帳】 in every window title and a visible banner, so that
nobody mistakes practice data for the real register.

:class:`DemoWindowMarker` puts the marker in the title of every top-level window that opens while
a demo register is in use (dialogs, message boxes, progress dialogs, the print preview, the key
help), whoever created it; the main window and the lock screen also carry a :class:`DemoBanner`.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QWidget

_TITLED = (Qt.WindowType.Window, Qt.WindowType.Dialog, Qt.WindowType.Sheet)


def demo_title_prefix() -> str:
    return QCoreApplication.translate("DemoMarker", "[DEMO REGISTER]")


def window_title(title: str, demo: bool) -> str:
    """``title``, prefixed with the demo marker for a demo register."""
    if not demo or title.startswith(demo_title_prefix()):
        return title
    return f"{demo_title_prefix()} {title}"


def mark_window(widget: QWidget) -> None:
    """Prefix ``widget``'s window title with the demo marker (once)."""
    title = widget.windowTitle()
    marked = window_title(title or "VaxDesk", True)
    if marked != title:
        widget.setWindowTitle(marked)


class DemoWindowMarker(QObject):
    """Application-wide: every top-level window shown (or retitled) while this object lives gets
    the demo marker in its title. Parent it to the demo register's main window; Qt removes the
    filter when the object is destroyed, and :meth:`stop` removes it earlier."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._installed = False

    def start(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def stop(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if (
            kind in (QEvent.Type.Show, QEvent.Type.WindowTitleChange)
            and isinstance(watched, QWidget)
            and watched.isWindow()
            and watched.windowType() in _TITLED
        ):
            mark_window(watched)
        return False


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
