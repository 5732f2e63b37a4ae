"""The main window: person search and the person view for the signed-in session.

Every service call runs through the session's ``JobRunner`` (one job at a time touches the
register). Service errors are shown in Japanese in the status bar.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from app.security.session import Session
from app.services import persons
from app.services.persons import PersonDetail, SearchResult
from app.ui.demo_marker import DemoBanner, window_title
from app.ui.jobs import Job, JobContext, JobRunner
from app.ui.person_search import PersonSearchWidget
from app.ui.person_view import PersonView

CLOSE_WAIT_MS = 10_000


class MainWindow(QMainWindow):
    search_finished = Signal(object)  # SearchResult, after the table is filled
    person_shown = Signal(object)  # PersonDetail, after the person view is filled
    error_shown = Signal(str, str)  # code, Japanese message

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.demo = session.register.demo
        self.jobs = JobRunner(self)
        self._search_job: Job | None = None
        self.setObjectName("mainWindow")
        self.setWindowTitle(
            window_title(
                self.tr("VaxDesk - Vaccination register - %1").replace("%1", session.display_name),
                self.demo,
            )
        )
        self.resize(1280, 800)
        self._build()
        self._add_shortcuts()
        self.show_search()

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
        self.status_message = QLabel(central)
        self.status_message.setObjectName("statusMessage")
        self.status_message.setTextFormat(Qt.TextFormat.PlainText)
        self.status_message.setWordWrap(True)
        self.status_message.setMinimumHeight(self.status_message.fontMetrics().height() + 10)
        layout.addWidget(self.status_message)
        self.pages = QStackedWidget(central)
        self.search_page = PersonSearchWidget(self.pages)
        self.person_page = PersonView(self.pages)
        self.pages.addWidget(self.search_page)
        self.pages.addWidget(self.person_page)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.shortcut_help = QLabel(
            self.tr("F2: Search   ↑↓: Select   Enter: Open   Esc: Back to search   Ctrl+Q: Quit"),
            self,
        )
        self.shortcut_help.setObjectName("shortcutHelp")
        self.user_label = QLabel(
            self.tr("Signed in: %1").replace("%1", self.session.display_name), self
        )
        bar = self.statusBar()
        bar.addPermanentWidget(self.shortcut_help, 1)
        bar.addPermanentWidget(self.user_label)

        self.search_page.search_requested.connect(self.search)
        self.search_page.open_requested.connect(self.open_person)

    def _add_shortcuts(self) -> None:
        bindings = (
            (QKeySequence(Qt.Key.Key_F2), self.show_search),
            (QKeySequence("Ctrl+F"), self.show_search),
            (QKeySequence(Qt.Key.Key_Escape), self.show_search),
            (QKeySequence("Ctrl+Q"), self.close),
        )
        for keys, action in bindings:
            shortcut = QShortcut(keys, self)
            shortcut.activated.connect(action)

    # --- status ------------------------------------------------------------------------------

    def show_message(self, text: str, *, error: bool = False) -> None:
        """Show ``text`` in the message line; errors in red."""
        self.status_message.setText(text)
        self.status_message.setProperty("error", error)
        self.status_message.style().unpolish(self.status_message)
        self.status_message.style().polish(self.status_message)

    @Slot(str, str)
    def _show_error(self, code: str, message_ja: str) -> None:
        self.show_message(message_ja, error=True)
        self.error_shown.emit(code, message_ja)

    # --- search ------------------------------------------------------------------------------

    @Slot()
    def show_search(self) -> None:
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
        session = self.session

        def run_open(ctx: JobContext) -> PersonDetail:
            return persons.open_person(session, person_id)

        self.show_message(self.tr("Opening the record..."))
        job = self.jobs.submit(run_open)
        job.succeeded.connect(self._person_opened)
        job.failed.connect(self._show_error)

    @Slot(object)
    def _person_opened(self, detail: PersonDetail) -> None:
        self.person_page.show_person(detail)
        self.pages.setCurrentWidget(self.person_page)
        self.show_message("")
        self.person_shown.emit(detail)

    # --- closing -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.jobs.cancel_all()
        self.jobs.wait_for_done(CLOSE_WAIT_MS)
        self.session.forget_keys()
        self.session.register.close()
        super().closeEvent(event)
