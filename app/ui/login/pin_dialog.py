"""The security key's PIN, asked when the key has no fingerprint reader (or it failed)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.dialog_parts import message_label, ok_cancel_buttons

MIN_PIN_LENGTH = 4  # CTAP2's minimum
MAX_PIN_LENGTH = 63


class PinDialog(QDialog):
    pin_entered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinDialog")
        self.setWindowTitle(self.tr("Security key PIN"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        heading = QLabel(self.tr("Enter the PIN of your security key."), self)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.pin_edit = QLineEdit(self)
        self.pin_edit.setObjectName("pinEdit")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setMaxLength(MAX_PIN_LENGTH)
        self.pin_edit.setAccessibleName(self.tr("PIN"))
        layout.addWidget(self.pin_edit)
        self.message_label = message_label(self)
        layout.addWidget(self.message_label)
        buttons, self.ok_button = ok_cancel_buttons(
            self, self.tr("OK"), self.tr("Cancel"), self.submit
        )
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        layout.addWidget(buttons)
        self.pin_edit.setFocus()

    @Slot()
    def submit(self) -> None:
        pin = self.pin_edit.text()
        if len(pin) < MIN_PIN_LENGTH:
            self.message_label.setText(
                self.tr("The PIN has at least %1 characters.").replace("%1", str(MIN_PIN_LENGTH))
            )
            return
        self.pin_edit.clear()
        self.pin_entered.emit(pin)
        self.accept()
