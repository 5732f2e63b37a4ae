"""Shown while a security key is being enrolled for someone (create user, reset): the key's
current request (touch, fingerprint, PIN) and a Cancel button that stops the key step."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.services.login_flow import KEY_MESSAGES, KeyRequest
from app.ui.login.qt_key_prompt import PinRequestHandler, QtKeyPrompt


class KeyPromptDialog(QDialog):
    def __init__(self, prompt: QtKeyPrompt, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prompt = prompt
        self.setObjectName("keyPromptDialog")
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        explanation = QLabel(
            self.tr("The person who will use the key holds it now. Follow the instructions below."),
            self,
        )
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        self.message_label = QLabel(self.tr("Preparing the security key..."), self)
        self.message_label.setObjectName("keyPromptMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setMinimumHeight(40)
        layout.addWidget(self.message_label)
        busy = QProgressBar(self)
        busy.setRange(0, 0)
        busy.setTextVisible(False)
        layout.addWidget(busy)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setAutoDefault(False)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        self.pin_handler = PinRequestHandler(prompt, self)
        prompt.key_requested.connect(self._key_requested)
        prompt.message_shown.connect(self.message_label.setText)
        self.cancel_button.clicked.connect(self.reject)

    @Slot(object)
    def _key_requested(self, request: KeyRequest) -> None:
        self.message_label.setText(KEY_MESSAGES[request])

    def reject(self) -> None:
        """Cancel: the running key step ends with E_FIDO_CANCELLED."""
        self.prompt.cancel()
        self.pin_handler.close_dialog()
        super().reject()

    def finish(self) -> None:
        """The job is over (whatever the outcome): close without cancelling."""
        self.pin_handler.close_dialog()
        self.accept()
