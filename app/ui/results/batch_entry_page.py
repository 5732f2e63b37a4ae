"""Batch entry of a stack of returned 予診票, without the mouse.

For each sheet: scan the 予診票 barcode (issuance number), a voucher number (NW-7 arrives as
A…A) or type the 宛名番号, Enter → the person is shown and the series and dose are pre-filled
(from the issuance, else the first open series of the due list) and the cursor is in 接種日.
Type the fields (Tab between them), Enter saves: warnings ask for a typed reason, hard errors are
shown in Japanese (the code in the message's tooltip). After a save the sheet is cleared (the institution code and
支払月 stay) and the cursor is back in the scan box for the next sheet. Esc clears the sheet.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.catalog import Catalog
from app.security.session import SessionView
from app.services.batch_entry import ScannedSheet, read_scan
from app.ui.common import display_text
from app.ui.common.dialog_parts import message_label, set_message
from app.ui.common.jobs import JobContext, JobRunner
from app.ui.results.batch_entry_log_model import BatchEntryLogModel, EnteredSheet
from app.ui.results.result_entry_form import FormError, ResultEntryForm, series_choices
from app.ui.results.result_recorder import ResultRecorder, SavedResult


class BatchEntryPage(QWidget):
    sheet_ready = Signal(object)  # ScannedSheet, after the form is pre-filled
    sheet_saved = Signal(object)  # SavedResult
    error_shown = Signal(str, str)  # code, Japanese message

    def __init__(
        self, session: SessionView, jobs: JobRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("batchEntryPage")
        self.session = session
        self.jobs = jobs
        self.catalog: Catalog | None = None
        self.sheet: ScannedSheet | None = None
        self.recorder = ResultRecorder(self, jobs, session)
        self.log_model = BatchEntryLogModel(self)
        self._scanning = False
        self._build()
        self.recorder.saved.connect(self._saved)
        self.recorder.failed.connect(self._save_failed)
        self.recorder.override_cancelled.connect(self._override_cancelled)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("Result entry (batch)"), self)
        title.setObjectName("personHeading")
        layout.addWidget(title)
        scan_row = QHBoxLayout()
        scan_label = QLabel(self.tr("Sca&n:"), self)
        self.scan_edit = QLineEdit(self)
        self.scan_edit.setObjectName("scanBox")
        self.scan_edit.setPlaceholderText(
            self.tr("Screening form barcode, voucher number or address no., then Enter")
        )
        scan_label.setBuddy(self.scan_edit)
        scan_row.addWidget(scan_label)
        scan_row.addWidget(self.scan_edit, 1)
        layout.addLayout(scan_row)
        self.person_label = QLabel(self.tr("Scan the next sheet."), self)
        self.person_label.setObjectName("batchPersonLabel")
        self.person_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.person_label)
        self.message = message_label(self, "statusMessage", plain_text=True)
        layout.addWidget(self.message)

        middle = QHBoxLayout()
        sheet_box = QGroupBox(self.tr("Administration record"), self)
        sheet_layout = QVBoxLayout(sheet_box)
        self.form = ResultEntryForm(sheet_box)
        self.form.setEnabled(False)
        sheet_layout.addWidget(self.form)
        self.keys_help = QLabel(
            self.tr("Tab: next field   Enter: save   Esc: clear the sheet"), sheet_box
        )
        self.keys_help.setObjectName("shortcutHelp")
        sheet_layout.addWidget(self.keys_help)
        middle.addWidget(sheet_box, 2)
        log_box = QGroupBox(self.tr("Entered in this sitting"), self)
        log_layout = QVBoxLayout(log_box)
        self.log_table = QTableView(log_box)
        self.log_table.setObjectName("batchLogTable")
        self.log_table.setModel(self.log_model)
        self.log_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.log_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.log_table.verticalHeader().setVisible(False)
        self.log_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.log_table.horizontalHeader().setStretchLastSection(True)
        log_layout.addWidget(self.log_table)
        middle.addWidget(log_box, 3)
        layout.addLayout(middle, 1)

        self.scan_edit.returnPressed.connect(self.scan)
        self.form.submit_requested.connect(self.save_sheet)

    # --- page --------------------------------------------------------------------------------

    def activate(self) -> None:
        self.focus_scan_box()

    def _reactivate(self) -> None:
        """Give the keyboard back to this window after a dialog (the next sheet comes by keys)."""
        if self.isVisible() and not self.window().isActiveWindow():
            self.window().activateWindow()

    def focus_scan_box(self) -> None:
        self._reactivate()
        self.scan_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.scan_edit.selectAll()

    def handle_escape(self) -> None:
        """Esc: drop the sheet being typed and wait for the next scan."""
        if self.recorder.saving:
            return
        self._reset_sheet(self.tr("Sheet cleared. Scan the next sheet."))

    def _show(self, text: str, *, error: bool = False) -> None:
        set_message(self.message, text, error=error)

    def _show_error(self, code: str, message: str) -> None:
        self._show(message, error=True)  # no raw code on screen; it stays in the tooltip
        self.message.setToolTip(code)
        self.error_shown.emit(code, message)

    # --- scan --------------------------------------------------------------------------------

    @Slot()
    def scan(self) -> None:
        code = self.scan_edit.text().strip()
        if not code or self._scanning or self.recorder.saving:
            return
        self._scanning = True
        session, catalog = self.session, self.catalog

        def run_scan(ctx: JobContext) -> ScannedSheet:
            return read_scan(session, code, catalog)

        self._show(self.tr("Reading..."))
        job = self.jobs.submit(run_scan)
        job.succeeded.connect(self._scanned)
        job.failed.connect(self._scan_failed)

    @Slot(object)
    def _scanned(self, sheet: ScannedSheet) -> None:
        self._scanning = False
        if self.catalog is None:
            self.catalog = sheet.catalog
            self.form.set_series_choices(series_choices(sheet.catalog))
        self.sheet = sheet
        p = sheet.person
        atena = self.tr("Address no.")
        self.person_label.setText(
            f"{p.name}（{p.name_kana}）  {atena} {p.atena_no}  "
            f"{display_text.long_date_text(p.birth_date)}  "
            f"{display_text.residence_text(p.moved_out, p.deceased)}"
        )
        self.form.clear_for_next()
        self.form.prefill(sheet.series_id, sheet.dose_label)
        self.form.setEnabled(True)
        self._show(self.tr("Type the administration record, then Enter."))
        self.form.focus_first()
        self.sheet_ready.emit(sheet)

    @Slot(str, str)
    def _scan_failed(self, code: str, message: str) -> None:
        self._scanning = False
        self._show_error(code, message)
        self.focus_scan_box()

    # --- save --------------------------------------------------------------------------------

    @Slot()
    def save_sheet(self) -> None:
        sheet = self.sheet
        if sheet is None or self.recorder.saving:
            return
        try:
            entry = self.form.to_input(sheet.issuance_id)
        except FormError as exc:
            self._show_error("E_FORM", exc.message)
            exc.field.setFocus()
            return
        self._show(self.tr("Saving..."))
        self.recorder.save(sheet.person.person_id, entry)

    @Slot(object)
    def _saved(self, result: SavedResult) -> None:
        sheet = self.sheet
        if sheet is None:
            return
        names = {s.id: s.name_ja for s in sheet.catalog.series}
        series_name = names.get(result.entry.series_id, result.entry.series_id)
        self.log_model.add(
            EnteredSheet(
                self.log_model.rowCount() + 1,
                sheet.person.atena_no,
                sheet.person.name,
                series_name,
                result.entry.dose_label or sheet.dose_label or "",
                result.entry.vaccinated_on,
                result.override_reason,
            )
        )
        self._reset_sheet(
            self.tr("Saved: %1 %2. Scan the next sheet.")
            .replace("%1", sheet.person.name)
            .replace("%2", series_name)
        )
        self.sheet_saved.emit(result)

    def _reset_sheet(self, message: str) -> None:
        self.sheet = None
        self.form.clear_for_next()
        self.form.setEnabled(False)
        self.person_label.setText(self.tr("Scan the next sheet."))
        self._show(message)
        self.scan_edit.clear()
        self.focus_scan_box()

    @Slot(str, str)
    def _save_failed(self, code: str, message: str) -> None:
        self._show_error(code, message)
        self._reactivate()
        self.form.focus_field(code)

    @Slot()
    def _override_cancelled(self) -> None:
        self._show(self.tr("Not saved. Correct the sheet or press Esc to skip it."))
        self._reactivate()
        self.form.focus_first()
