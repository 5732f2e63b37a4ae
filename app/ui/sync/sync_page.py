"""同期 page for the number-use role: last export and import, 未送信 count, export and import with
progress and Cancel (a cancelled run leaves nothing half done: the services commit in one
transaction at the end), the quarantine list with its reports, the conflict queue, and a warning
when no server package has arrived for 14 days."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.security import permissions as perm
from app.security.session import SessionView
from app.services import sync_export, sync_import, sync_status
from app.ui.common.dialog_parts import message_label, set_message
from app.ui.common.display_text import local_time_both
from app.ui.common.jobs import Job, JobContext, JobRunner
from app.ui.sync.conflict_panel import ConflictPanel
from app.ui.sync.media_panel import MediaPanel
from app.ui.sync.package_steps import step_text


def _table(parent: QWidget, name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class SyncPage(QWidget):
    finished = Signal(bool)  # an export or import ended (True: it succeeded)

    def __init__(
        self, session: SessionView, jobs: JobRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("syncPage")
        self.session = session
        self.jobs = jobs
        self.job: Job | None = None
        # Cancel is asked of the service (it stops before its commit and changes nothing), not of
        # the job: a job cancelled after the commit would report "cancelled" for done work.
        self._stop = threading.Event()
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("Synchronisation"), self)
        title.setObjectName("personHeading")
        layout.addWidget(title)
        self.freeze_warning = message_label(self, "syncFreezeWarning")
        layout.addWidget(self.freeze_warning)

        box = QGroupBox(self.tr("Exchange with the server"), self)
        grid = QGridLayout(box)
        self.party_label = QLabel(box)
        self.unsent_label = QLabel(box)
        self.unsent_label.setObjectName("syncUnsent")
        self.export_label = QLabel(box)
        self.import_label = QLabel(box)
        grid.addWidget(self.party_label, 0, 0, 1, 3)
        grid.addWidget(self.unsent_label, 1, 0, 1, 3)
        grid.addWidget(self.export_label, 2, 0, 1, 3)
        grid.addWidget(self.import_label, 3, 0, 1, 3)
        self.folder_edit = QLineEdit(box)
        self.folder_edit.setObjectName("syncExportFolder")
        self.folder_edit.setPlaceholderText(self.tr("Folder on the medium"))
        folder_button = QPushButton(self.tr("Choose..."), box)
        self.export_button = QPushButton(self.tr("&Export"), box)
        self.export_button.setObjectName("syncExportButton")
        grid.addWidget(QLabel(self.tr("Export to"), box), 4, 0)
        grid.addWidget(self.folder_edit, 4, 1)
        grid.addWidget(folder_button, 4, 2)
        grid.addWidget(self.export_button, 4, 3)
        self.file_edit = QLineEdit(box)
        self.file_edit.setObjectName("syncImportFile")
        self.file_edit.setPlaceholderText(self.tr("Package file (.vxpkg)"))
        file_button = QPushButton(self.tr("Choose..."), box)
        self.import_button = QPushButton(self.tr("&Import"), box)
        self.import_button.setObjectName("syncImportButton")
        grid.addWidget(QLabel(self.tr("Import from"), box), 5, 0)
        grid.addWidget(self.file_edit, 5, 1)
        grid.addWidget(file_button, 5, 2)
        grid.addWidget(self.import_button, 5, 3)
        row = QHBoxLayout()
        self.progress = QProgressBar(box)
        self.progress.setObjectName("syncProgress")
        self.cancel_button = QPushButton(self.tr("Cancel"), box)
        self.cancel_button.setObjectName("syncCancelButton")
        self.cancel_button.setEnabled(False)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        grid.addLayout(row, 6, 0, 1, 4)
        layout.addWidget(box)
        self.message = message_label(self, "statusMessage")
        layout.addWidget(self.message)

        qbox = QWidget(self)  # the tab names it
        qlayout = QVBoxLayout(qbox)
        self.quarantine_table = _table(
            qbox,
            "syncQuarantine",
            [self.tr("Time"), self.tr("File"), self.tr("Step"), self.tr("Reason")],
        )
        qlayout.addWidget(self.quarantine_table)
        # One list at a time: three stacked tables do not fit a 1280×800 window.
        self.lists = QTabWidget(self)
        self.lists.setObjectName("syncLists")
        self.conflicts = ConflictPanel(session, self)
        self.conflicts.message.connect(self._show)
        self.conflicts.error_message.connect(self._show_error)
        self.conflicts.resolved.connect(self.refresh)
        self.media = MediaPanel(session, self)
        self.media.message.connect(self._show)
        self.media.error_message.connect(self._show_error)
        self.lists.addTab(self.conflicts, self.tr("Conflicts"))
        self.lists.addTab(qbox, self.tr("Quarantine"))
        self.lists.addTab(self.media, self.tr("Media ledger"))
        layout.addWidget(self.lists, 1)

        folder_button.clicked.connect(self._choose_folder)
        file_button.clicked.connect(self._choose_file)
        self.export_button.clicked.connect(self.start_export)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.cancel)
        self.file_edit.returnPressed.connect(self.start_import)
        self.export_button.setEnabled(session.can(perm.SYNC_EXPORT))
        self.import_button.setEnabled(session.can(perm.SYNC_IMPORT))

    def activate(self) -> None:
        self.refresh()
        self.export_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- state ---------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        status = sync_status.sync_status(self.session)
        self.party_label.setText(
            self.tr("Terminal: %1 (key %2)")
            .replace("%1", status.party_id or "-")
            .replace("%2", status.key_id or "-")
        )
        self.unsent_label.setText(
            self.tr("Not yet acknowledged: %1").replace("%1", str(status.unsent))
        )
        chan = status.channels[0] if status.channels else None
        self.export_label.setText(
            self.tr("Last export: %1 (sequence %2, acknowledged %3)")
            .replace("%1", local_time_both(chan.last_export_at if chan else None) or "-")
            .replace("%2", str(chan.last_sent_seq if chan else 0))
            .replace("%3", str(chan.acked_seq if chan else 0))
        )
        self.import_label.setText(
            self.tr("Last import: %1 (sequence %2)")
            .replace("%1", local_time_both(chan.last_import_at if chan else None) or "-")
            .replace("%2", str(chan.last_applied_seq if chan else 0))
        )
        warning = ""
        if status.stale:
            warning = self.tr(
                "No package from the server for %1 days or more. Import the latest "
                "package before continuing."
            ).replace("%1", str(sync_status.FREEZE_DAYS))
        set_message(self.freeze_warning, warning, error=bool(warning))
        reports = sync_status.quarantined_packages(self.session)
        self.quarantine_table.setRowCount(len(reports))
        for r, rep in enumerate(reports):
            cells = (local_time_both(rep.at), rep.file_name, step_text(rep.step), rep.message_ja)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(rep.code)  # Japanese on screen; the code for the help desk
                self.quarantine_table.setItem(r, c, item)
        self.quarantine_table.resizeColumnsToContents()  # time, file and step unclipped
        self.conflicts.refresh()
        self.media.refresh()

    def _show(self, text: str, error: bool) -> None:
        set_message(self.message, text, error=error)

    def _show_error(self, code: str, message_ja: str) -> None:
        """Japanese only; the code in the tooltip."""
        set_message(self.message, message_ja, error=True, code=code)

    # --- export / import -------------------------------------------------------------------------

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Export to"))
        if folder:
            self.folder_edit.setText(folder)

    def _choose_file(self) -> None:
        file, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import from"), "", self.tr("Packages (*.vxpkg)")
        )
        if file:
            self.file_edit.setText(file)

    def _start(self, work: Callable[[JobContext], Any], done: Callable[[Any], None]) -> None:
        self.export_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.conflicts.setEnabled(False)  # one transaction at a time on the session's connection
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 0)
        self._stop.clear()
        job = self.jobs.submit(work)
        job.progress.connect(self._progress)
        job.succeeded.connect(done)
        job.failed.connect(self._failed)
        job.cancelled.connect(self._cancelled)
        job.finished.connect(self._idle)
        self.job = job

    @Slot()
    def start_export(self) -> None:
        folder = self.folder_edit.text().strip()
        if not folder:
            self._show(self.tr("Choose the folder to export to."), True)
            return
        session, stop, approver = self.session, self._stop, self.media.approver()

        def work(ctx: JobContext) -> sync_export.ExportResult:
            return sync_export.export_changes(
                session,
                Path(folder),
                progress=ctx.report_progress,
                cancel=stop.is_set,
                approved_by=approver,
            )

        self._show(self.tr("Exporting..."), False)
        self._start(work, self._exported)

    @Slot()
    def start_import(self) -> None:
        file = self.file_edit.text().strip()
        if not file:
            self._show(self.tr("Choose the package file to import."), True)
            return
        session, stop, approver = self.session, self._stop, self.media.approver()

        def work(ctx: JobContext) -> sync_import.ImportResult:
            result = sync_import.import_package(
                session,
                Path(file),
                progress=ctx.report_progress,
                cancel=stop.is_set,
                approved_by=approver,
            )
            if not result.already_imported:  # committed; the WAL folded back still off the GUI
                sync_import.checkpoint(session)
                if result.kind == "initial":  # the first lists at the counter read no dose
                    sync_import.prepare_lists(session)
            return result

        self._show(self.tr("Importing..."), False)
        self._start(work, self._imported)

    @Slot()
    def cancel(self) -> None:
        self._stop.set()

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _exported(self, result: sync_export.ExportResult) -> None:
        self._show(
            self.tr("Exported sequence %1: %2 changes, %3 audit entries. File: %4")
            .replace("%1", str(result.sequence))
            .replace("%2", str(result.records))
            .replace("%3", str(result.audit_entries))
            .replace("%4", result.path.name),
            False,
        )
        self.refresh()
        self.finished.emit(True)

    def _imported(self, result: sync_import.ImportResult) -> None:
        if result.already_imported:
            text = self.tr("Already imported (sequence %1). Nothing was changed.").replace(
                "%1", str(result.sequence)
            )
        else:
            text = (
                self.tr("Imported sequence %1: %2 applied, %3 quarantined, %4 conflicts.")
                .replace("%1", str(result.sequence))
                .replace("%2", str(result.applied))
                .replace("%3", str(result.quarantined))
                .replace("%4", str(result.conflicts))
            )
        self._show(text, False)
        self.refresh()
        self.finished.emit(True)

    def _failed(self, code: str, message_ja: str) -> None:
        if code == "E_CANCELLED":
            self._cancelled()
            return
        self._show_error(code, message_ja)
        self.refresh()
        self.finished.emit(False)

    def _cancelled(self) -> None:
        self._show(self.tr("Cancelled. Nothing was changed."), False)
        self.finished.emit(False)

    def _idle(self) -> None:
        self.job = None
        self.conflicts.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.export_button.setEnabled(self.session.can(perm.SYNC_EXPORT))
        self.import_button.setEnabled(self.session.can(perm.SYNC_IMPORT))
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
