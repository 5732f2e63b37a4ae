"""見合わせ: the 予診 found that the person could not be vaccinated that day. Asks the series,
the date, the reason (required) and optionally the institution code; the caller stores it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.wareki import format_wareki_short, parse_date
from app.errors import InvalidInput
from app.ui.common.dialog_parts import ok_cancel_buttons
from app.ui.common.reason_dialog import ReasonDialog


class PostponementDialog(ReasonDialog):
    def __init__(
        self,
        series: Sequence[tuple[str, str]],  # (series id, name)
        *,
        series_id: str | None,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("postponementDialog")
        self.setWindowTitle(self.tr("Record a postponement"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.series_combo = QComboBox(self)
        for sid, name in series:
            self.series_combo.addItem(name, sid)
        if series_id is not None and (index := self.series_combo.findData(series_id)) >= 0:
            self.series_combo.setCurrentIndex(index)
        self.date_edit = QLineEdit(format_wareki_short(today), self)
        self._add_reason_edit("postponeReasonEdit", self.tr("e.g. fever 37.8 degrees"))
        self.institution_edit = QLineEdit(self)
        form.addRow(self.tr("&Series"), self.series_combo)
        form.addRow(self.tr("&Date"), self.date_edit)
        form.addRow(self.tr("&Reason"), self.reason_edit)
        form.addRow(self.tr("&Institution code"), self.institution_edit)
        layout.addLayout(form)
        self.message = QLabel(self)
        self.message.setObjectName("statusMessage")
        layout.addWidget(self.message)
        buttons, _ok = ok_cancel_buttons(self, self.tr("Record [Enter]"), self.tr("Cancel [Esc]"))
        layout.addWidget(buttons)
        self.reason_edit.setFocus()

    @property
    def series_id(self) -> str:
        return str(self.series_combo.currentData())

    @property
    def institution_code(self) -> str | None:
        return self.institution_edit.text().strip() or None

    def postponed_on(self) -> date:
        return parse_date(self.date_edit.text())

    @Slot()
    def accept(self) -> None:
        try:
            self.postponed_on()
        except InvalidInput as exc:
            self.message.setText(exc.message_ja)
            self.date_edit.setFocus()
            return
        if not self.has_reason():
            self.message.setText(self.tr("Type the reason for the postponement."))
            self.reason_edit.setFocus()
            return
        super().accept()
