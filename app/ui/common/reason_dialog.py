"""The base of the dialogs that need a typed reason (取消, 訂正, 見合わせ, registering despite the
checks' warnings): the reason field, the rule (at least ``MIN_REASON`` characters once trimmed,
as the services require), accept only with a reason and, where the dialog wants it, OK enabled
only while a reason is typed. Labels and messages stay in each dialog (its translation context).
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialog, QLineEdit, QPushButton, QWidget

MIN_REASON = 2


class ReasonDialog(QDialog):
    """Subclasses call ``_add_reason_edit`` where the field belongs (creation order is the Tab
    order), and ``_enable_ok_only_with_reason`` if OK should wait for the reason."""

    reason_edit: QLineEdit

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ok_needs_reason: QPushButton | None = None

    def _add_reason_edit(self, name: str, placeholder: str = "") -> QLineEdit:
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName(name)
        if placeholder:
            self.reason_edit.setPlaceholderText(placeholder)
        return self.reason_edit

    @property
    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def has_reason(self) -> bool:
        return len(self.reason) >= MIN_REASON

    def _enable_ok_only_with_reason(self, ok_button: QPushButton) -> None:
        self._ok_needs_reason = ok_button
        self.reason_edit.textChanged.connect(self._update_ok)
        self._update_ok()

    @Slot()
    def _update_ok(self) -> None:
        if self._ok_needs_reason is not None:
            self._ok_needs_reason.setEnabled(self.has_reason())

    def accept(self) -> None:
        if self.has_reason():
            super().accept()
