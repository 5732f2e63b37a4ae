"""The checks found something (interval, window, lot, duplicate ...): show each warning and store
the result only with a typed reason (at least 2 characters), or cancel.

Keyboard: the reason field has the focus; Enter registers once a reason is typed; Esc cancels."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.results import ResultWarning
from app.ui.common.dialog_parts import ok_cancel_buttons
from app.ui.common.reason_dialog import ReasonDialog


class OverrideReasonDialog(ReasonDialog):
    def __init__(self, warnings: Sequence[ResultWarning], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overrideReasonDialog")
        self.setWindowTitle(self.tr("Check before registering"))
        layout = QVBoxLayout(self)
        heading = QLabel(
            self.tr("Please check the following. To register anyway, type the reason."), self
        )
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.warning_list = QListWidget(self)
        self.warning_list.setObjectName("warningList")
        self.warning_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for w in warnings:
            item = QListWidgetItem(w.message_ja, self.warning_list)
            item.setToolTip(w.code)  # Japanese only; the code is for the help desk
        layout.addWidget(self.warning_list)
        label = QLabel(self.tr("&Reason for registering"), self)
        self._add_reason_edit(
            "overrideReasonEdit", self.tr("e.g. confirmed with the clinic by phone")
        )
        label.setBuddy(self.reason_edit)
        layout.addWidget(label)
        layout.addWidget(self.reason_edit)
        self.buttons, self.ok_button = ok_cancel_buttons(
            self, self.tr("Register with this reason [Enter]"), self.tr("Cancel [Esc]")
        )
        layout.addWidget(self.buttons)
        self._enable_ok_only_with_reason(self.ok_button)
        self.reason_edit.setFocus()
        self.resize(560, 320)
