"""Enter or correct a person's 個人番号 (``mynumber.write``). The 12 digits and the check digit
are checked here already (Japanese message), and again by the service."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.ids import validate_mynumber
from app.errors import VaxDeskError
from app.ui.common.dialog_parts import message_label, ok_cancel_buttons, set_message


class NumberEntryDialog(QDialog):
    number_entered = Signal(str)  # the checked 12 digits; the dialog stays open until told

    def __init__(self, correcting: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("numberEntryDialog")
        self.setWindowTitle(
            self.tr("Correct the personal number")
            if correcting
            else self.tr("Enter the personal number")
        )
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(380)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Personal number (12 digits)"), self))
        self.number_edit = QLineEdit(self)
        self.number_edit.setObjectName("numberEdit")
        self.number_edit.setMaxLength(20)
        layout.addWidget(self.number_edit)
        self.message_label = message_label(self, plain_text=True)
        layout.addWidget(self.message_label)
        buttons, self.ok_button = ok_cancel_buttons(
            self, self.tr("Save"), self.tr("Cancel"), self.submit
        )
        layout.addWidget(buttons)

    @Slot()
    def submit(self) -> None:
        try:
            number = validate_mynumber(self.number_edit.text())
        except VaxDeskError as exc:
            self.show_error(exc.message_ja, exc.code)
            return
        self.ok_button.setEnabled(False)
        set_message(self.message_label, self.tr("Saving..."))
        self.number_entered.emit(number)

    def show_error(self, message_ja: str, code: str = "") -> None:
        """Japanese only; the ``E_…`` code goes in the tooltip."""
        self.ok_button.setEnabled(True)
        set_message(self.message_label, message_ja, error=True, code=code)

    def done(self, result: int) -> None:
        self.number_edit.clear()  # the typed number does not outlive the dialog
        super().done(result)
