"""Why the full 個人番号 is shown: one of the recorded reasons (REVEAL_REASONS); その他 needs a
note. The reason goes to the audit log with the reveal."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.person_numbers import REVEAL_REASONS
from app.ui.common.dialog_parts import message_label, ok_cancel_buttons

OTHER = "other"
MIN_NOTE_LENGTH = 2  # as the service requires


class RevealReasonDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("revealReasonDialog")
        self.setWindowTitle(self.tr("Show the personal number"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        explanation = QLabel(
            self.tr("The full number is shown for a short time. The reason is recorded."), self
        )
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        form = QFormLayout()
        self.reason_combo = QComboBox(self)
        self.reason_combo.setObjectName("revealReason")
        self.reason_combo.addItem(self.tr("(choose a reason)"), None)
        for code, name_ja in REVEAL_REASONS.items():
            self.reason_combo.addItem(name_ja, code)
        self.note_edit = QLineEdit(self)
        self.note_edit.setObjectName("revealNote")
        self.note_edit.setMaxLength(200)
        self.note_edit.setPlaceholderText(self.tr("Required for Other (no numbers)"))
        form.addRow(self.tr("Reason"), self.reason_combo)
        form.addRow(self.tr("Note"), self.note_edit)
        layout.addLayout(form)
        self.message_label = message_label(self)
        layout.addWidget(self.message_label)
        buttons, self.ok_button = ok_cancel_buttons(
            self, self.tr("Show"), self.tr("Cancel"), self.submit
        )
        layout.addWidget(buttons)

    def choose(self, code: str, note: str = "") -> None:
        """Select a reason by its code (keyboard users and tests)."""
        self.reason_combo.setCurrentIndex(self.reason_combo.findData(code))
        self.note_edit.setText(note)

    def reason(self) -> tuple[str, str] | None:
        code = self.reason_combo.currentData()
        if code is None:
            return None
        note = self.note_edit.text().strip()
        if code == OTHER and len(note) < MIN_NOTE_LENGTH:
            return None
        return str(code), note

    @Slot()
    def submit(self) -> None:
        if self.reason_combo.currentData() is None:
            self.message_label.setText(self.tr("Choose a reason."))
            return
        if self.reason() is None:
            self.message_label.setText(self.tr("For Other, write what the number is needed for."))
            return
        self.accept()
