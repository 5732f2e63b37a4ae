"""「未送信 N件」 in the main window's status bar: changes the server has not acknowledged yet.
A count only (no personal data), shown to every role; refreshed every half minute and on demand."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QWidget

from app.errors import VaxDeskError
from app.security.session import SessionView
from app.services import sync_status

REFRESH_MS = 30_000


class UnsentLabel(QLabel):
    def __init__(self, session: SessionView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unsentCount")
        self.session = session
        self.count = 0
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._read()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._timer.start()
        self._read()

    def hideEvent(self, event: QHideEvent) -> None:
        # A closed window's session may be closed too: no reads behind its back.
        self._timer.stop()
        super().hideEvent(event)

    @Slot()
    def refresh(self) -> None:
        if self.isVisible():
            self._read()

    def _read(self) -> None:
        try:
            self.count = sync_status.unsent_count(self.session)
        except VaxDeskError:
            return
        self.setText(self.tr("Unsent: %1").replace("%1", str(self.count)))
