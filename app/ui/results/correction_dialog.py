"""訂正: correct fields of a stored result, with a required reason. Fields the person view knows
are pre-filled; the others are blank and left unchanged when left blank. Only changed fields are
sent to the service (which audits their names and the reason)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.wareki import format_wareki_short, parse_date
from app.errors import InvalidInput
from app.services.persons import HistoryItem
from app.ui.common.dialog_parts import message_label, ok_cancel_buttons
from app.ui.common.input_text import parse_payment_month
from app.ui.common.reason_dialog import ReasonDialog


class CorrectionDialog(ReasonDialog):
    def __init__(self, item: HistoryItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("correctionDialog")
        self.setWindowTitle(self.tr("Correct a result"))
        self.item = item
        layout = QVBoxLayout(self)
        summary = QLabel(
            f"{item.vaccine_name or item.series_id}  {item.dose_label or ''}  "
            f"{format_wareki_short(item.vaccinated_on)}",
            self,
        )
        layout.addWidget(summary)
        form = QFormLayout()
        self.date_edit = QLineEdit(format_wareki_short(item.vaccinated_on), self)
        self.dose_edit = QLineEdit(item.dose_label or "", self)
        self.lot_edit = QLineEdit(item.lot_no or "", self)
        self.doctor_edit = QLineEdit(item.doctor or "", self)
        self.receipt_edit = QLineEdit(self)
        self.payment_month_edit = QLineEdit(self)
        self.amount_edit = QLineEdit(self)
        self._add_reason_edit("correctionReasonEdit")
        for label, edit in (
            (self.tr("&Date given"), self.date_edit),
            (self.tr("Dose (&number)"), self.dose_edit),
            (self.tr("&Lot no."), self.lot_edit),
            (self.tr("D&octor"), self.doctor_edit),
            (self.tr("Re&ceipt no. (blank: unchanged)"), self.receipt_edit),
            (self.tr("&Payment month (blank: unchanged)"), self.payment_month_edit),
            (self.tr("Dose &amount (blank: unchanged)"), self.amount_edit),
            (self.tr("&Reason for the correction"), self.reason_edit),
        ):
            form.addRow(label, edit)
        layout.addLayout(form)
        self.message = message_label(self, "statusMessage")
        layout.addWidget(self.message)
        buttons, _ok = ok_cancel_buttons(self, self.tr("Correct [Enter]"), self.tr("Cancel [Esc]"))
        layout.addWidget(buttons)
        self.changes: dict[str, object] = {}
        self.date_edit.setFocus()

    def _read_changes(self) -> dict[str, object]:
        item = self.item
        changes: dict[str, object] = {}
        on: date = parse_date(self.date_edit.text())
        if on != item.vaccinated_on:
            changes["vaccinated_on"] = on
        for key, edit, before in (
            ("dose_label", self.dose_edit, item.dose_label),
            ("lot_no", self.lot_edit, item.lot_no),
            ("doctor", self.doctor_edit, item.doctor),
        ):
            text = edit.text().strip()
            if text != (before or ""):
                changes[key] = text or None
        if receipt := self.receipt_edit.text().strip():
            changes["receipt_no"] = receipt
        if month := parse_payment_month(self.payment_month_edit.text()):
            changes["payment_month"] = month
        if amount := self.amount_edit.text().strip():
            try:
                changes["dose_amount_ml"] = float(amount)
            except ValueError:
                raise InvalidInput(
                    self.tr("Dose amount must be a number in mL (e.g. 0.5).")
                ) from None
        return changes

    @Slot()
    def accept(self) -> None:
        try:
            changes = self._read_changes()
        except InvalidInput as exc:
            self.message.setText(exc.message_ja)
            return
        if not changes:
            self.message.setText(self.tr("Nothing was changed."))
            return
        if not self.has_reason():
            self.message.setText(self.tr("Type the reason for the correction."))
            self.reason_edit.setFocus()
            return
        self.changes = changes
        super().accept()
