"""Ask why a document that was already issued this 年度 is issued again (再発行).

The reasons are the service's ``REISSUE_REASONS`` (紛失, 汚損・破損, 転入, 記載誤り, その他);
arrows choose, Enter confirms, Esc cancels."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.services.issuance import REISSUE_REASONS
from app.ui.common.dialog_parts import ok_cancel_buttons


class ReissueReasonDialog(QDialog):
    def __init__(self, document: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reissueReasonDialog")
        self.setWindowTitle(self.tr("Reissue"))
        layout = QVBoxLayout(self)
        explanation = QLabel(
            self.tr(
                "%1 was already issued this fiscal year. Choose the reason for the reissue."
            ).replace("%1", document),
            self,
        )
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        form = QFormLayout()
        self.reason_combo = QComboBox(self)
        for code, text in REISSUE_REASONS.items():
            self.reason_combo.addItem(text, code)
        form.addRow(self.tr("Reason"), self.reason_combo)
        layout.addLayout(form)
        buttons, _ok = ok_cancel_buttons(self, self.tr("Reissue"), self.tr("Cancel"))
        layout.addWidget(buttons)
        self.reason_combo.setFocus()

    @property
    def reason_code(self) -> str:
        return str(self.reason_combo.currentData())
