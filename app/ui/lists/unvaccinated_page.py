"""未接種者一覧 (menu 業務 → 未接種者一覧): persons in a series' window on a date who have not
completed it, optionally for one area. The list is decided first (who, status, count) and the
table shows the count and the first page of rows at once; further rows are fetched as the table
scrolls, and all of them once the table is filtered or sorted. It can be saved as CSV (for
mailing; streamed with progress and 中止), printed as a PDF list, and turned into a 個別通知
batch (letter plus pre-filled 予診票 per person, numbered) with progress and Cancel.

Keyboard: Enter in the date field lists; Ctrl+F filters; Ctrl+S saves CSV; Ctrl+P prints the
list; Ctrl+N makes the notices. Test seams: ``ask_csv_path`` and ``ask_notice_folder``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.catalog import Catalog
from app.domain.wareki import format_both, format_wareki_short, parse_date
from app.errors import InvalidInput
from app.security import permissions as perm
from app.security.session import SessionView
from app.services import unvaccinated
from app.services.unvaccinated import AreaChoice, UnvaccinatedDecision, UnvaccinatedEntry
from app.ui.common.dialog_parts import message_label, set_message
from app.ui.common.jobs import Job, JobContext, JobRunner
from app.ui.common.record_sort_proxy import RecordSortProxy
from app.ui.common.table_view import cap_column_widths, read_only_table
from app.ui.lists import unvaccinated_outputs as outputs
from app.ui.lists.list_rows import ListRowLoader
from app.ui.lists.unvaccinated_table_model import UnvaccinatedTableModel, area_text
from app.ui.printing.document_print_flow import DocumentPrintFlow, PrintRequest

LIST_CAPS = {5: 150, 6: 300}  # 地区, 住所 (px)


class UnvaccinatedPage(QWidget):
    list_filled = Signal(object)  # UnvaccinatedDecision (its first page is in the model)
    all_rows_loaded = Signal()  # every row of the list is in the model (filter, sort)
    csv_saved = Signal(object)  # Path
    error_shown = Signal(str, str)

    def __init__(
        self,
        session: SessionView,
        jobs: JobRunner,
        print_flow: DocumentPrintFlow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("unvaccinatedPage")
        self.session = session
        self.jobs = jobs
        self.print_flow = print_flow
        self.listing: UnvaccinatedDecision | None = None
        self.model = UnvaccinatedTableModel(self)
        self.loader = ListRowLoader(session, jobs, self.model, self)
        self.loader.rows_added.connect(self._update_count)
        self.loader.all_loaded.connect(self._all_loaded)
        self.loader.progress.connect(self._loading)
        self.loader.failed.connect(self._error)
        self._csv_job: Job | None = None
        self.proxy = RecordSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.ask_csv_path: Callable[[], Path | None] = self._ask_csv_path
        self.ask_notice_folder: Callable[[], Path | None] = self._ask_notice_folder
        self._areas_loaded = False
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("Unvaccinated persons"), self)
        title.setObjectName("personHeading")
        layout.addWidget(title)
        row = QHBoxLayout()
        self.series_combo = QComboBox(self)
        self.series_combo.setObjectName("unvaccinatedSeries")
        self.date_edit = QLineEdit(format_wareki_short(date.today()), self)
        self.date_edit.setObjectName("unvaccinatedDate")
        self.date_echo = QLabel(self)  # the day in 和暦 + 西暦 (令和8年12月1日 (2026-12-01))
        self.date_echo.setObjectName("dateEcho")
        self.date_edit.textChanged.connect(self._echo_date)
        self._echo_date(self.date_edit.text())
        self.area_combo = QComboBox(self)
        self.area_combo.addItem(self.tr("All areas"), None)
        self.list_button = QPushButton(self.tr("List [Enter]"), self)
        for label, widget in (
            (self.tr("&Series"), self.series_combo),
            (self.tr("&Date"), self.date_edit),
            ("", self.date_echo),
            (self.tr("&Area"), self.area_combo),
        ):
            if label:
                caption = QLabel(label, self)
                caption.setBuddy(widget)
                row.addWidget(caption)
            row.addWidget(widget)
        row.addWidget(self.list_button)
        row.addStretch(1)
        layout.addLayout(row)

        tools = QHBoxLayout()
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(self.tr("Filter the list (name, kana, address...)"))
        self.count_label = QLabel(self)
        self.count_label.setObjectName("resultCount")
        self.csv_button = QPushButton(self.tr("Save CSV... [Ctrl+S]"), self)
        self.pdf_button = QPushButton(self.tr("Print list [Ctrl+P]"), self)
        self.notices_button = QPushButton(self.tr("Individual notices... [Ctrl+N]"), self)
        self.cancel_csv_button = QPushButton(self.tr("Stop saving"), self)
        self.cancel_csv_button.setVisible(False)
        tools.addWidget(self.filter_edit, 1)
        tools.addWidget(self.count_label)
        for button in (
            self.csv_button,
            self.cancel_csv_button,
            self.pdf_button,
            self.notices_button,
        ):
            button.setAutoDefault(False)
            tools.addWidget(button)
        layout.addLayout(tools)
        self.message = message_label(self, "statusMessage")
        layout.addWidget(self.message)

        self.table = read_only_table(self, "unvaccinatedTable", self.proxy, sort_column=-1)
        layout.addWidget(self.table, 1)

        self.list_button.clicked.connect(self.fill)
        self.date_edit.returnPressed.connect(self.fill)
        self.filter_edit.textChanged.connect(self._filter)
        self.csv_button.clicked.connect(self.export_csv)
        self.cancel_csv_button.clicked.connect(self.cancel_csv)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sorted)
        self.pdf_button.clicked.connect(self.print_list)
        self.notices_button.clicked.connect(self.print_notices)
        for keys, slot in (
            ("Ctrl+S", self.export_csv),
            ("Ctrl+P", self.print_list),
            ("Ctrl+N", self.print_notices),
            ("Ctrl+F", self.filter_edit.setFocus),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        can_notices = self.session.can(perm.PRINT_NOTICES)
        self.notices_button.setVisible(can_notices)
        self.notices_button.setEnabled(can_notices)
        self._update_buttons()

    # --- setup -------------------------------------------------------------------------------

    def set_catalog(self, catalog: Catalog) -> None:
        current = self.series_combo.currentData()
        self.series_combo.clear()
        for s in catalog.series:
            self.series_combo.addItem(s.name_ja, s.id)
        if current is not None and (index := self.series_combo.findData(current)) >= 0:
            self.series_combo.setCurrentIndex(index)

    def activate(self) -> None:
        self.series_combo.setFocus()
        if self._areas_loaded:
            return
        session = self.session
        job = self.jobs.submit(lambda ctx: unvaccinated.area_choices(session))
        job.succeeded.connect(self._areas)
        job.failed.connect(self._error)

    @Slot(object)
    def _areas(self, areas: list[AreaChoice]) -> None:
        """The 地区 by name (code in brackets), in the filter and in the table."""
        self._areas_loaded = True
        names = {a.code: a.name for a in areas if a.name}
        self.model.area_names = names
        for area in areas:
            self.area_combo.addItem(area_text(area.code, names), area.code)
        if self.model.rowCount():
            self.model.layoutChanged.emit()

    # --- messages ----------------------------------------------------------------------------

    def _show(self, text: str, *, error: bool = False) -> None:
        set_message(self.message, text, error=error)

    @Slot(str, str)
    def _error(self, code: str, message: str) -> None:
        set_message(self.message, message, error=True, code=code)
        self.error_shown.emit(code, message)

    # --- the list ----------------------------------------------------------------------------

    def _query(self) -> tuple[str, date, str | None] | None:
        series = self.series_combo.currentData()
        if series is None:
            self._show(self.tr("Choose the vaccine series."), error=True)
            return None
        try:
            on = parse_date(self.date_edit.text())
        except InvalidInput as exc:
            self._error(exc.code, exc.message_ja)
            self.date_edit.setFocus()
            return None
        area = self.area_combo.currentData()
        return str(series), on, str(area) if area else None

    @Slot()
    def fill(self) -> None:
        query = self._query()
        if query is None:
            return
        series, on, area = query
        session = self.session
        self.loader.stop()
        self._show(self.tr("Listing..."))

        first = self.model.page_rows

        def work(ctx: JobContext) -> tuple[UnvaccinatedDecision, list[UnvaccinatedEntry]]:
            decision = unvaccinated.decide_list(session, series, on, area_code=area)
            return decision, unvaccinated.entries(session, decision, 0, first)

        job = self.jobs.submit(work)
        job.succeeded.connect(self._filled)
        job.failed.connect(self._error)

    @Slot(object)
    def _filled(self, result: tuple[UnvaccinatedDecision, list[UnvaccinatedEntry]]) -> None:
        listing, first = result
        self.listing = listing
        self.loader.show(listing, first)
        # Long addresses and 地区 names are elided (whole in the tooltip) so that the status and
        # the dates stay in view.
        cap_column_widths(self.table, LIST_CAPS)
        self._update_count()
        self._update_buttons()
        self._show(
            self.tr("%1: %2 persons have not completed it.")
            .replace("%1", listing.series_name)
            .replace("%2", str(len(listing)))
        )
        if self.proxy.rowCount():
            self.table.selectRow(0)
            self.table.setFocus()
        self.list_filled.emit(listing)
        if self.filter_edit.text().strip() or self.proxy.sortColumn() >= 0:
            self.load_all_rows()

    # --- rows fetched as they are needed ----------------------------------------------------

    def load_all_rows(self) -> None:
        """Filtering and sorting need every row: fetch the ones not fetched yet."""
        self.loader.load_all()

    @Slot(int, int)
    def _loading(self, done: int, total: int) -> None:
        self._show(
            self.tr("Reading the whole list... %1 of %2")
            .replace("%1", str(done))
            .replace("%2", str(total))
        )

    @Slot()
    def _all_loaded(self) -> None:
        self._update_count()
        if self.listing is not None:
            self._show(
                self.tr("%1: %2 persons have not completed it.")
                .replace("%1", self.listing.series_name)
                .replace("%2", str(len(self.listing)))
            )
        self.all_rows_loaded.emit()

    @Slot(int, Qt.SortOrder)
    def _sorted(self, column: int, order: Qt.SortOrder) -> None:
        if column >= 0:
            self.load_all_rows()

    @Slot(str)
    def _echo_date(self, text: str) -> None:
        try:
            self.date_echo.setText(format_both(parse_date(text)) if text.strip() else "")
        except InvalidInput:
            self.date_echo.setText("")

    @Slot(str)
    def _filter(self, text: str) -> None:
        self.proxy.set_text_filter(text)
        self._update_count()
        if text.strip():
            self.load_all_rows()

    def _update_count(self) -> None:
        if self.listing is None:
            self.count_label.setText("")
            return
        self.count_label.setText(
            self.tr("%1 of %2 shown")
            .replace("%1", str(self.proxy.rowCount()))
            .replace("%2", str(self.model.total))
        )

    def _update_buttons(self) -> None:
        has_rows = bool(self.listing and len(self.listing))
        for button in (self.csv_button, self.pdf_button, self.notices_button):
            button.setEnabled(has_rows)

    # --- outputs -----------------------------------------------------------------------------

    def _ask_csv_path(self) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save CSV"), "unvaccinated.csv", self.tr("CSV files (*.csv)")
        )
        return Path(name) if name else None

    def _ask_notice_folder(self) -> Path | None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder for the notice PDFs"))
        return Path(folder) if folder else None

    @Slot()
    def export_csv(self) -> None:
        listing = self.listing
        if listing is None or not len(listing) or self._csv_job is not None:
            return
        path = self.ask_csv_path()
        if path is None:
            return
        job = self._csv_job = self.jobs.submit(outputs.csv_work(self.session, listing, path))
        self.cancel_csv_button.setVisible(True)
        job.progress.connect(
            lambda done, total: self._show(
                self.tr("Saving CSV... %1 of %2").replace("%1", str(done)).replace("%2", str(total))
            )
        )
        job.succeeded.connect(lambda rows: self._csv_saved(path, rows))
        job.failed.connect(self._error)
        job.cancelled.connect(
            lambda: self._show(self.tr("Saving the CSV was stopped; no file was written."))
        )
        job.finished.connect(self._csv_finished)

    @Slot()
    def cancel_csv(self) -> None:
        if self._csv_job is not None:
            self._csv_job.cancel()

    def _csv_finished(self) -> None:
        self._csv_job = None
        self.cancel_csv_button.setVisible(False)

    def _csv_saved(self, path: Path, rows: int) -> None:
        self._show(
            self.tr("Saved %1 rows to %2.").replace("%1", str(rows)).replace("%2", str(path))
        )
        self.csv_saved.emit(path)

    @Slot()
    def print_list(self) -> None:
        listing = self.listing
        if listing is None or not len(listing) or self.print_flow.busy:
            return
        work = outputs.list_print_work(self.session, listing)
        self.print_flow.start(
            PrintRequest(self.tr("Unvaccinated list"), "unvaccinated", work, batch=True)
        )

    @Slot()
    def print_notices(self) -> None:
        listing = self.listing
        if (
            listing is None
            or not len(listing)
            or self.print_flow.busy
            or not self.session.can(perm.PRINT_NOTICES)
        ):
            return
        folder = self.ask_notice_folder()
        if folder is None:
            return
        work = outputs.notices_work(self.session, listing)
        self.print_flow.start(
            PrintRequest(self.tr("Individual notices"), "notices", work, batch=True, out_dir=folder)
        )
