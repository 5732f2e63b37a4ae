"""管理 → 監査ログ (監査担当 and 管理者, ``audit.read``): filter by user, action (Japanese names),
person id and date range; the entries in a table model with a sort/filter proxy; CSV export
(``audit.export``) and a check of the hash chain. All reads go through the window's job runner;
the service audits every view, export and check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.wareki import format_both
from app.security import permissions as perm
from app.security.session import SessionView
from app.services import audit_review, maintenance
from app.services.audit_review import ACTION_NAMES_JA, AuditFilter, AuditRow
from app.services.maintenance import AuditChainCheck
from app.ui.admin.audit_table_model import AuditColumn, AuditFilterProxy, AuditTableModel
from app.ui.common.dialog_parts import message_label, set_message
from app.ui.common.jobs import JobContext, JobRunner
from app.ui.common.table_view import read_only_table


class AuditViewer(QWidget):
    loaded = Signal(int)  # rows shown
    exported = Signal(int)  # rows written
    verified = Signal(object)  # AuditChainCheck
    failed = Signal(str, str)  # code, Japanese message

    def __init__(
        self, session: SessionView, jobs: JobRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        session.require(perm.AUDIT_READ)
        self.session = session
        self.jobs = jobs
        self.setObjectName("auditViewer")
        self.model = AuditTableModel(self)
        self.proxy = AuditFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("Audit log"), self)
        title.setObjectName("pageHeading")
        layout.addWidget(title)

        form = QFormLayout()
        self.user_edit = QLineEdit(self)
        self.user_edit.setPlaceholderText(self.tr("User name (empty: everyone)"))
        self.action_combo = QComboBox(self)
        self.action_combo.addItem(self.tr("All actions"), None)
        for code, name_ja in ACTION_NAMES_JA.items():
            self.action_combo.addItem(name_ja, code)
        self.person_edit = QLineEdit(self)
        self.person_edit.setPlaceholderText(self.tr("Person ID (empty: all)"))
        self.person_edit.setMaxLength(12)
        dates = QHBoxLayout()
        self.date_check = QCheckBox(self.tr("Period"), self)
        self.date_from = QDateEdit(QDate.currentDate().addDays(-30), self)
        self.date_until = QDateEdit(QDate.currentDate(), self)
        for edit in (self.date_from, self.date_until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.date_check.toggled.connect(self.date_from.setEnabled)
        self.date_check.toggled.connect(self.date_until.setEnabled)
        dates.addWidget(self.date_check)
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("〜", self))
        dates.addWidget(self.date_until)
        self.period_echo = QLabel(self)  # the period in 和暦 + 西暦, like every other page
        self.period_echo.setObjectName("periodEcho")
        dates.addWidget(self.period_echo)
        dates.addStretch(1)
        for edit in (self.date_from, self.date_until):
            edit.dateChanged.connect(self._echo_period)
        self.date_check.toggled.connect(self._echo_period)
        form.addRow(self.tr("User"), self.user_edit)
        form.addRow(self.tr("Action"), self.action_combo)
        form.addRow(self.tr("Person ID"), self.person_edit)
        form.addRow(self.tr("Date (this terminal's time)"), dates)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.search_button = QPushButton(self.tr("Show"), self)
        self.search_button.setObjectName("auditSearch")
        self.export_button = QPushButton(self.tr("Export CSV..."), self)
        self.export_button.setVisible(self.session.can(perm.AUDIT_EXPORT))
        self.verify_button = QPushButton(self.tr("Verify the chain"), self)
        self.quick_filter = QLineEdit(self)
        self.quick_filter.setPlaceholderText(self.tr("Filter the shown rows"))
        self.quick_filter.textChanged.connect(self.proxy.setFilterFixedString)
        for button in (self.search_button, self.export_button, self.verify_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.quick_filter)
        layout.addLayout(buttons)

        self.message_label = message_label(self, "pageMessage", plain_text=True)
        layout.addWidget(self.message_label)

        self.table = read_only_table(
            self,
            "auditTable",
            self.proxy,
            sort_column=AuditColumn.SEQ,
            sort_order=Qt.SortOrder.DescendingOrder,
            tab_key_navigation=True,
        )
        layout.addWidget(self.table, 1)

        self.search_button.clicked.connect(self.refresh)
        self.user_edit.returnPressed.connect(self.refresh)
        self.person_edit.returnPressed.connect(self.refresh)
        self.export_button.clicked.connect(self.export)
        self.verify_button.clicked.connect(self.verify)

    # --- helpers -----------------------------------------------------------------------------

    @Slot()
    def _echo_period(self) -> None:
        if not self.date_check.isChecked():
            self.period_echo.setText("")
            return
        first, last = self.date_from.date().toPython(), self.date_until.date().toPython()
        self.period_echo.setText(f"{format_both(first)} 〜 {format_both(last)}")  # type: ignore[arg-type]

    def show_message(self, text: str, *, error: bool = False, code: str = "") -> None:
        """Japanese only; an error's ``E_…`` code goes in the tooltip."""
        set_message(self.message_label, text, error=error, code=code)

    def current_filter(self) -> AuditFilter | None:
        """The filter from the fields; None (with a message) when the person id is not a number."""
        person_text = self.person_edit.text().strip()
        if person_text and not person_text.isdigit():
            self.show_message(self.tr("The person ID is a number."), error=True)
            return None
        date_from = date_until = None
        if self.date_check.isChecked():
            date_from = self.date_from.date().toPython()
            date_until = self.date_until.date().toPython()
        return AuditFilter(
            user_login=self.user_edit.text().strip() or None,
            action=self.action_combo.currentData(),
            person_id=int(person_text) if person_text else None,
            date_from=date_from,  # type: ignore[arg-type]
            date_until=date_until,  # type: ignore[arg-type]
        )

    def _run(self, work: Callable[[JobContext], Any], done: Callable[[Any], None]) -> None:
        job = self.jobs.submit(work)
        job.succeeded.connect(done)
        job.failed.connect(self._failed)

    @Slot(str, str)
    def _failed(self, code: str, message_ja: str) -> None:
        self.show_message(message_ja, error=True, code=code)
        self.failed.emit(code, message_ja)

    # --- actions -----------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        audit_filter = self.current_filter()
        if audit_filter is None:
            return
        session = self.session

        def load(ctx: JobContext) -> list[AuditRow]:
            return audit_review.list_entries(session, audit_filter)

        self._run(load, self._show_rows)

    def _show_rows(self, rows: list[AuditRow]) -> None:
        self.model.set_rows(rows)
        self.show_message(self.tr("%1 entries.").replace("%1", str(len(rows))))
        self.loaded.emit(len(rows))

    def ask_export_path(self) -> Path | None:
        """Where to write the CSV (a seam: tests replace it)."""
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export the audit log"), "audit-log.csv", self.tr("CSV files (*.csv)")
        )
        return Path(path) if path else None

    @Slot()
    def export(self) -> None:
        audit_filter = self.current_filter()
        if audit_filter is None:
            return
        out = self.ask_export_path()
        if out is None:
            return
        session = self.session

        def write(ctx: JobContext) -> int:
            return audit_review.export_csv(session, audit_filter, out)

        def done(count: int) -> None:
            self.show_message(
                self.tr("%1 entries were written to %2.")
                .replace("%1", str(count))
                .replace("%2", out.name)
            )
            self.exported.emit(count)

        self._run(write, done)

    @Slot()
    def verify(self) -> None:
        session = self.session

        def check(ctx: JobContext) -> AuditChainCheck:
            return maintenance.verify_audit(session)

        def done(report: AuditChainCheck) -> None:
            if report.intact:
                self.show_message(
                    self.tr("The audit log is intact (%1 entries checked).").replace(
                        "%1", str(report.entries)
                    )
                )
            else:
                self.show_message(
                    self.tr(
                        "The audit log is broken from entry no. %1: it was altered or damaged. "
                        "Tell the system administrator."
                    ).replace("%1", str(report.first_broken_seq)),
                    error=True,
                )
            self.verified.emit(report)

        self._run(check, done)
