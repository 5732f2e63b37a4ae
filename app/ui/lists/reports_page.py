"""帳票 for nurses: the monthly 実施報告 for a 支払月 (YYYY-MM) and the annual statistics for a
年度. Both print through the one print flow (the annual one with progress and Cancel)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.legaldate import fiscal_year
from app.errors import InvalidInput
from app.security import permissions as perm
from app.security.session import SessionView
from app.services import printing
from app.services.printing import PrintResult
from app.ui.common import display_text
from app.ui.common.dialog_parts import message_label, set_message
from app.ui.common.input_text import parse_payment_month
from app.ui.common.jobs import JobContext
from app.ui.printing.document_print_flow import DocumentPrintFlow, PrintRequest


def previous_month(today: date) -> str:
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


class ReportsPage(QWidget):
    def __init__(
        self, session: SessionView, print_flow: DocumentPrintFlow, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reportsPage")
        self.session = session
        self.print_flow = print_flow
        today = date.today()
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("Reports"), self)
        title.setObjectName("personHeading")
        layout.addWidget(title)

        self.monthly_box = QGroupBox(self.tr("Monthly report to institutions"), self)
        monthly = QFormLayout(self.monthly_box)
        self.month_edit = QLineEdit(previous_month(today), self.monthly_box)
        self.month_edit.setObjectName("paymentMonthEdit")
        self.month_edit.setPlaceholderText(self.tr("e.g. 2025-04"))
        self.monthly_button = QPushButton(self.tr("Print monthly report [Enter]"), self.monthly_box)
        self.month_echo = QLabel(self.monthly_box)  # 和暦 + 西暦, as everywhere else
        self.month_echo.setObjectName("monthEcho")
        month_row = QHBoxLayout()
        month_row.addWidget(self.month_edit)
        month_row.addWidget(self.month_echo, 1)
        monthly.addRow(self.tr("&Payment month"), month_row)
        monthly.addRow("", self.monthly_button)
        layout.addWidget(self.monthly_box)

        self.annual_box = QGroupBox(self.tr("Annual statistics"), self)
        annual = QFormLayout(self.annual_box)
        self.year_spin = QSpinBox(self.annual_box)
        self.year_spin.setObjectName("fiscalYearSpin")
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(fiscal_year(today) - 1)
        self.year_spin.setSuffix(self.tr(" fiscal year"))
        self.year_echo = QLabel(self.annual_box)
        self.year_echo.setObjectName("yearEcho")
        year_row = QHBoxLayout()
        year_row.addWidget(self.year_spin)
        year_row.addWidget(self.year_echo, 1)
        self.annual_button = QPushButton(self.tr("Print annual statistics"), self.annual_box)
        annual.addRow(self.tr("&Fiscal year"), year_row)
        annual.addRow("", self.annual_button)
        layout.addWidget(self.annual_box)

        row = QHBoxLayout()
        self.message = message_label(self, "statusMessage")
        row.addWidget(self.message, 1)
        layout.addLayout(row)
        layout.addStretch(1)

        self.month_edit.textChanged.connect(self._echo_month)
        self.year_spin.valueChanged.connect(self._echo_year)
        self._echo_month(self.month_edit.text())
        self._echo_year(self.year_spin.value())
        self.month_edit.returnPressed.connect(self.print_monthly)
        self.monthly_button.clicked.connect(self.print_monthly)
        self.annual_button.clicked.connect(self.print_annual)
        self.monthly_box.setVisible(session.can(perm.REPORT_MONTHLY))
        self.annual_box.setVisible(session.can(perm.REPORT_ANNUAL))
        for button in (self.monthly_button, self.annual_button):
            button.setAutoDefault(False)
        for box in (self.monthly_box, self.annual_box):
            box.setMaximumWidth(560)  # a short form, not stretched across the screen

    @Slot(str)
    def _echo_month(self, text: str) -> None:
        try:
            month = parse_payment_month(text)
        except InvalidInput:
            month = None
        self.month_echo.setText(display_text.month_both(month) if month else "")

    @Slot(int)
    def _echo_year(self, year: int) -> None:
        self.year_echo.setText(display_text.fiscal_year_both(year))

    def activate(self) -> None:
        target = self.month_edit if self.monthly_box.isVisible() else self.year_spin
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show(self, text: str, *, error: bool = False) -> None:
        set_message(self.message, text, error=error)

    @Slot()
    def print_monthly(self) -> None:
        if self.print_flow.busy:
            return
        try:
            month = parse_payment_month(self.month_edit.text())
        except InvalidInput:
            month = None
        if month is None:
            self._show(self.tr("Payment month must be like 2025-04."), error=True)
            return
        session = self.session

        def work(ctx: JobContext, out: Path, reason: str | None) -> PrintResult:
            return printing.print_monthly_report(session, month, out)

        self._show("")
        self.print_flow.start(PrintRequest(self.tr("Monthly report"), "monthly", work))

    @Slot()
    def print_annual(self) -> None:
        if self.print_flow.busy:
            return
        session, year = self.session, self.year_spin.value()

        def work(ctx: JobContext, out: Path, reason: str | None) -> PrintResult:
            return printing.print_annual_report(
                session,
                year,
                out,
                progress=ctx.report_progress,
                cancelled=lambda: ctx.cancelled,
            )

        self._show("")
        self.print_flow.start(
            PrintRequest(self.tr("Annual statistics"), "annual", work, batch=True)
        )
