"""The main window: person search, the person view with the counter actions, and the work pages
(batch result entry, 未接種者一覧, reports) for the signed-in session.

Every service call runs through the session's ``JobRunner`` (one job at a time touches the
register). Service errors are shown in Japanese in the message line. Menus are in ``self.menus``
(``"work"`` 業務, ``"help"`` ヘルプ); another menu goes before ヘルプ with
``menuBar().insertMenu(self.menus["help"].menuAction(), menu)``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.catalog import Catalog
from app.security import permissions as perm
from app.security.session import Session, SessionView, as_view, end
from app.services import person_card, persons, schedule
from app.services.person_card import PersonCard
from app.services.persons import SearchResult
from app.ui.common.dialog_parts import message_label, set_message
from app.ui.common.jobs import Job, JobContext, JobRunner
from app.ui.lists.reports_page import ReportsPage
from app.ui.lists.unvaccinated_page import UnvaccinatedPage
from app.ui.person.person_counter_actions import PersonCounterActions
from app.ui.person.person_search import PersonSearchWidget
from app.ui.person.person_view import PersonView
from app.ui.person_numbers.number_panel import NumberPanel
from app.ui.printing.document_print_flow import DocumentPrintFlow
from app.ui.results.batch_entry_page import BatchEntryPage
from app.ui.shell.demo_marker import DemoBanner, DemoWindowMarker, window_title
from app.ui.shell.key_help import page_keys, show_key_help
from app.ui.shell.window_menus import build_menus
from app.ui.sync.sync_page import SyncPage
from app.ui.sync.unsent_label import UnsentLabel

CLOSE_WAIT_MS = 10_000


class MainWindow(QMainWindow):
    search_finished = Signal(object)  # SearchResult, after the table is filled
    person_shown = Signal(object)  # PersonDetail, after the person view is filled
    error_shown = Signal(str, str)  # code, Japanese message
    catalog_loaded = Signal(object)  # Catalog

    def __init__(self, session: Session | SessionView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = as_view(session)  # the window keeps no DEK, connection or NK
        self.demo = self.session.demo
        self.jobs = JobRunner(self)
        self._search_job: Job | None = None
        self.catalog: Catalog | None = None
        self.current_person_id: int | None = None
        self._keep_message = False
        self.menus: dict[str, QMenu] = {}
        self.home_action: Callable[[], None] | None = None  # set by the access menus
        self.print_flow = DocumentPrintFlow(self, self.jobs)
        self.print_flow.message.connect(self._flow_message)
        self.print_flow.error_message.connect(self._flow_error)
        self.print_flow.demo = self.demo
        self.setObjectName("mainWindow")
        self.setWindowTitle(
            window_title(
                self.tr("VaxDesk - Vaccination register - %1").replace("%1", session.display_name),
                self.demo,
            )
        )
        self.resize(1280, 800)
        self.demo_marker: DemoWindowMarker | None = None
        if self.demo:  # every dialog, message and progress window gets 【デモ台帳】 too
            self.demo_marker = DemoWindowMarker(self)
            self.demo_marker.start()
        self.key_help: QMessageBox | None = None
        self._build()
        self.number_panel: NumberPanel | None = None
        if self.session.can(perm.MYNUMBER_READ):  # only number-use staff: the panel refuses others
            self.number_panel = NumberPanel(self.session, self.jobs)
            self.person_page.add_side_panel(self.number_panel)
        self._build_menus()
        self._add_shortcuts()
        self._load_catalog()
        self.show_home()
        self._update_shortcut_help()

    def _build(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        self.demo_banner: DemoBanner | None = None
        if self.demo:
            self.demo_banner = DemoBanner(central)
            layout.addWidget(self.demo_banner)
        # Messages get their own word-wrapped line (always there, so nothing jumps): the Japanese service
        # messages are long and were clipped in the status bar beside the shortcut help.
        self.status_message = message_label(central, "statusMessage", plain_text=True)
        self.status_message.setMinimumHeight(self.status_message.fontMetrics().height() + 6)
        layout.addWidget(self.status_message)
        self.pages = QStackedWidget(central)
        self.search_page = PersonSearchWidget(self.pages)
        self.person_page = PersonView(self.pages)
        self.person_page.set_permissions(self.session.can)
        self.pages.addWidget(self.search_page)
        self.pages.addWidget(self.person_page)
        can = self.session.can
        self.batch_page: BatchEntryPage | None = None
        self.unvaccinated_page: UnvaccinatedPage | None = None
        self.reports_page: ReportsPage | None = None
        if can(perm.VACCINATION_CREATE):
            self.batch_page = BatchEntryPage(self.session, self.jobs, self.pages)
            self.pages.addWidget(self.batch_page)
        if can(perm.LIST_UNVACCINATED):
            self.unvaccinated_page = UnvaccinatedPage(
                self.session, self.jobs, self.print_flow, self.pages
            )
            self.pages.addWidget(self.unvaccinated_page)
        if can(perm.REPORT_MONTHLY) or can(perm.REPORT_ANNUAL):
            self.reports_page = ReportsPage(self.session, self.print_flow, self.pages)
            self.pages.addWidget(self.reports_page)
        self.home_page = QLabel(
            self.tr("Choose a task from the menu bar (F1: keyboard shortcuts)."), self.pages
        )
        self.home_page.setObjectName("homePage")
        self.home_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages.addWidget(self.home_page)
        self.sync_page: SyncPage | None = None
        if can(perm.SYNC_EXPORT) or can(perm.SYNC_IMPORT):
            self.sync_page = SyncPage(self.session, self.jobs, self.pages)
            self.pages.addWidget(self.sync_page)
        self.pages.currentChanged.connect(self._update_shortcut_help)
        self.pages.currentChanged.connect(self._clear_messages)
        self.counter = PersonCounterActions(
            self, self.session, self.jobs, self.person_page, self.print_flow
        )
        self.counter.message.connect(self._flow_message)
        self.counter.error_message.connect(self._flow_error)
        self.counter.refresh_requested.connect(self.refresh_person)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.shortcut_help = QLabel(self)
        self.shortcut_help.setObjectName("shortcutHelp")
        self.shortcut_help.setWordWrap(True)
        self.user_label = QLabel(
            self.tr("Signed in: %1").replace("%1", self.session.display_name), self
        )
        bar = self.statusBar()
        bar.addPermanentWidget(self.shortcut_help, 1)
        self.unsent_label = UnsentLabel(self.session, self)
        bar.addPermanentWidget(self.unsent_label)
        if self.sync_page is not None:
            self.sync_page.finished.connect(self.unsent_label.refresh)
        bar.addPermanentWidget(self.user_label)

        self.search_page.search_requested.connect(self.search)
        self.search_page.open_requested.connect(self.open_person)

    def _build_menus(self) -> None:
        self.menus, self.menu_actions = build_menus(self)

    def _add_shortcuts(self) -> None:
        bindings = (
            (QKeySequence("Ctrl+F"), self.show_search),
            (QKeySequence(Qt.Key.Key_Escape), self._escape),
        )
        for keys, action in bindings:
            shortcut = QShortcut(keys, self)
            shortcut.activated.connect(action)

    def _load_catalog(self) -> None:
        session = self.session
        job = self.jobs.submit(lambda ctx: schedule.catalog_for(session))
        job.succeeded.connect(self._catalog_ready)
        job.failed.connect(self._show_error)

    @Slot(object)
    def _catalog_ready(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.counter.catalog = catalog
        if self.unvaccinated_page is not None:
            self.unvaccinated_page.set_catalog(catalog)
        self.catalog_loaded.emit(catalog)

    # --- pages -------------------------------------------------------------------------------

    @Slot()
    def _escape(self) -> None:
        page = self.pages.currentWidget()
        if isinstance(page, BatchEntryPage):
            page.handle_escape()
        else:
            self.show_search()

    @Slot()
    def show_batch_entry(self) -> None:
        if self.batch_page is not None:
            self.pages.setCurrentWidget(self.batch_page)
            self.batch_page.activate()

    @Slot()
    def show_unvaccinated(self) -> None:
        if self.unvaccinated_page is not None:
            self.pages.setCurrentWidget(self.unvaccinated_page)
            self.unvaccinated_page.activate()

    @Slot()
    def show_reports(self) -> None:
        if self.reports_page is not None:
            self.pages.setCurrentWidget(self.reports_page)
            self.reports_page.activate()

    @Slot()
    def show_sync(self) -> None:
        if self.sync_page is not None:
            self.pages.setCurrentWidget(self.sync_page)
            self.sync_page.activate()

    def _update_shortcut_help(self) -> None:
        self.shortcut_help.setText(page_keys(self, self.pages.currentWidget()))

    @Slot()
    def show_keyboard_help(self) -> None:
        """F1: the page's keys and every menu command with a key (lock, sign out, quit...)."""
        self.key_help = show_key_help(self, self.shortcut_help.text(), self.menuBar(), self.demo)

    # --- status ------------------------------------------------------------------------------

    def show_message(self, text: str, *, error: bool = False, code: str = "") -> None:
        """Show ``text`` in the message line; errors in red, their code only in the tooltip."""
        set_message(self.status_message, text, error=error, code=code)

    @Slot(str, str)
    def _show_error(self, code: str, message_ja: str) -> None:
        self.show_message(message_ja, error=True, code=code)
        self.error_shown.emit(code, message_ja)

    @Slot(str, str)
    def _flow_error(self, code: str, message_ja: str) -> None:
        self.show_message(message_ja, error=True, code=code)

    @Slot()
    def _clear_messages(self) -> None:
        """A page change clears the window's message and every page's own message line, so no
        message (not even a refused permission) outlives the page it was about."""
        self.show_message("")
        for label in self.pages.findChildren(QLabel):
            if label.objectName() in ("statusMessage", "pageMessage") and label.text():
                set_message(label, "")

    @Slot(str, bool)
    def _flow_message(self, text: str, error: bool) -> None:
        self.show_message(text, error=error)

    # --- search ------------------------------------------------------------------------------

    @Slot()
    def show_home(self) -> None:
        """The page this role starts on: 住民検索 for the counter roles; for a role without
        person search (the administrator) the page set by ``home_action`` or the menu hint."""
        if self.session.can(perm.PERSON_SEARCH):
            self.show_search()
        elif self.home_action is not None:
            self.home_action()
        else:
            self.pages.setCurrentWidget(self.home_page)

    @Slot()
    def show_search(self) -> None:
        if not self.session.can(perm.PERSON_SEARCH):
            self.show_home()
            return
        if self.number_panel is not None:
            self.number_panel.clear()
        self.pages.setCurrentWidget(self.search_page)
        self.search_page.focus_search_box()

    @Slot(str)
    def search(self, text: str) -> None:
        if self._search_job is not None:
            self._search_job.cancel()  # only the newest search is shown
        session = self.session

        def run_search(ctx: JobContext) -> SearchResult:
            return persons.search(session, text)

        self.show_message(self.tr("Searching..."))
        job = self.jobs.submit(run_search)
        job.succeeded.connect(self._search_succeeded)
        job.failed.connect(self._search_failed)
        self._search_job = job

    @Slot(object)
    def _search_succeeded(self, result: SearchResult) -> None:
        self._search_job = None
        self.search_page.show_result(result)
        if not result.people:
            self.show_message(self.tr("No matching persons."))
            self.search_page.focus_search_box()
        else:
            self.show_message("")
        self.search_finished.emit(result)
        if result.mode == "atena" and len(result.people) == 1:
            # A 宛名番号 (typed or scanned) that names exactly one person opens the record.
            self.open_person(result.people[0].person_id)

    @Slot(str, str)
    def _search_failed(self, code: str, message_ja: str) -> None:
        self._search_job = None
        self.search_page.clear_results()
        self._show_error(code, message_ja)
        self.search_page.focus_search_box()

    # --- person ------------------------------------------------------------------------------

    @Slot(int)
    def open_person(self, person_id: int) -> None:
        self.show_message(self.tr("Opening the record..."))
        self._read_person(person_id, keep_message=False)

    @Slot()
    def refresh_person(self) -> None:
        """Show the current person again (after a write or a print), keeping the message."""
        if self.current_person_id is not None:
            self._read_person(self.current_person_id, keep_message=True)

    def _read_person(self, person_id: int, *, keep_message: bool) -> None:
        session, known = self.session, self.catalog

        def run_open(ctx: JobContext) -> PersonCard:
            return person_card.open_card(session, person_id, catalog=known)

        job = self.jobs.submit(run_open)
        self._keep_message = keep_message
        # A bound slot, never a lambda holding ``self``: a job's connection must not own the
        # window (deleting the job could then delete the window that owns the job).
        job.succeeded.connect(self._person_opened)
        job.failed.connect(self._show_error)

    @Slot(object)
    def _person_opened(self, data: PersonCard) -> None:
        keep_message = self._keep_message
        self.current_person_id = data.detail.summary.person_id
        if self.catalog is None:
            self._catalog_ready(data.catalog)
        self.person_page.show_person(data.detail)
        self.person_page.show_counter_data(data.due, data.on, data.issued)
        if self.number_panel is not None:
            self.number_panel.show_person(self.current_person_id)
        kept = self.status_message.text(), bool(self.status_message.property("error"))
        self.pages.setCurrentWidget(self.person_page)
        self.show_message(kept[0] if keep_message else "", error=keep_message and kept[1])
        self.person_shown.emit(data.detail)

    # --- closing -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.demo_marker is not None:
            self.demo_marker.stop()
        self.jobs.cancel_all()
        self.jobs.wait_for_done(CLOSE_WAIT_MS)
        end(self.session)  # NK dropped, register closed, the view opens nothing any more
        super().closeEvent(event)
