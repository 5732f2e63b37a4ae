"""Reset a user (forgotten password or lost key): a new password, then a new security key."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.ui.admin.create_user_dialog import MIN_PASSWORD_LENGTH
from app.ui.common.dialog_parts import message_label, ok_cancel_buttons


class ResetUserDialog(QDialog):
    def __init__(self, login: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resetUserDialog")
        self.setWindowTitle(self.tr("Reset user"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(420)
        self._password: str | None = None
        layout = QVBoxLayout(self)
        explanation = QLabel(
            self.tr(
                "All keys of %1 are replaced by one new key, with a new password. "
                "The user must be present with the new key."
            ).replace("%1", login),
            self,
        )
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        form = QFormLayout()
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit = QLineEdit(self)
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("New password"), self.password_edit)
        form.addRow(self.tr("Password (again)"), self.repeat_edit)
        layout.addLayout(form)
        self.message_label = message_label(self)
        layout.addWidget(self.message_label)
        buttons, _ok = ok_cancel_buttons(
            self, self.tr("Next: enroll the key"), self.tr("Cancel"), self.submit
        )
        layout.addWidget(buttons)

    @Slot()
    def submit(self) -> None:
        password = self.password_edit.text()
        if len(password) < MIN_PASSWORD_LENGTH:
            self.message_label.setText(
                self.tr("The password needs at least %1 characters.").replace(
                    "%1", str(MIN_PASSWORD_LENGTH)
                )
            )
            return
        if password != self.repeat_edit.text():
            self.message_label.setText(self.tr("The two passwords differ. Enter them again."))
            return
        self._password = password
        self.password_edit.clear()
        self.repeat_edit.clear()
        self.accept()

    def take_password(self) -> str | None:
        password, self._password = self._password, None
        return password
