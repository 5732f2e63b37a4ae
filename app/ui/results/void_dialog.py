"""取消: void a stored result. The row stays in the register marked with the reason, which is
required."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.domain.wareki import format_wareki_short
from app.services.persons import HistoryItem
from app.ui.common.dialog_parts import ok_cancel_buttons
from app.ui.common.reason_dialog import ReasonDialog


class VoidDialog(ReasonDialog):
    def __init__(self, item: HistoryItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voidDialog")
        self.setWindowTitle(self.tr("Void a result"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                self.tr("Void this result? It stays in the register, marked as voided.")
                + "\n"
                + f"{item.vaccine_name or item.series_id}  {item.dose_label or ''}  "
                f"{format_wareki_short(item.vaccinated_on)}",
                self,
            )
        )
        label = QLabel(self.tr("&Reason for voiding"), self)
        self._add_reason_edit("voidReasonEdit", self.tr("e.g. entered twice"))
        label.setBuddy(self.reason_edit)
        layout.addWidget(label)
        layout.addWidget(self.reason_edit)
        buttons, self.ok_button = ok_cancel_buttons(
            self, self.tr("Void [Enter]"), self.tr("Cancel [Esc]")
        )
        layout.addWidget(buttons)
        self._enable_ok_only_with_reason(self.ok_button)
        self.reason_edit.setFocus()
