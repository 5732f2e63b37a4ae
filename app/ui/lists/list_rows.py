"""Rows of a decided 未接種者一覧 fetched as they are needed, for the page's table model.

The page shows the first page of rows with the count at once; ``ListRowLoader`` fetches the next
page when the table scrolls to the end of the fetched rows (the model's ``more_wanted``) and
every remaining row when the table is filtered or sorted (``load_all``, in chunks, with the
count as progress). Every fetch runs on the job thread, the one thread that uses the register
connection; rows of a list the page has since replaced are dropped.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from app.security.session import SessionView
from app.services import unvaccinated
from app.services.unvaccinated import UnvaccinatedDecision, UnvaccinatedEntry
from app.ui.common.jobs import Job, JobContext, JobRunner
from app.ui.lists.unvaccinated_table_model import UnvaccinatedTableModel

REST_CHUNK = 5000  # rows per fetch when the whole list is loaded (filter, sort)

Page = tuple[list[UnvaccinatedEntry], int]  # rows, list position after them


class ListRowLoader(QObject):
    rows_added = Signal()  # a page or the rest arrived (the count changes)
    all_loaded = Signal()  # every row of the list is in the model
    progress = Signal(int, int)  # rows fetched, rows in the list (while loading all)
    failed = Signal(str, str)

    def __init__(
        self,
        session: SessionView,
        jobs: JobRunner,
        model: UnvaccinatedTableModel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.jobs = jobs
        self.model = model
        self.listing: UnvaccinatedDecision | None = None
        self._rest_job: Job | None = None
        model.more_wanted.connect(self._fetch_page)

    def stop(self) -> None:
        """Stop reading the rest of the current list (a new list is being decided)."""
        if self._rest_job is not None:
            self._rest_job.cancel()
            self._rest_job = None

    def show(self, listing: UnvaccinatedDecision, first: list[UnvaccinatedEntry]) -> None:
        """A newly decided list and its first page (fetched with the decision)."""
        self.stop()
        self.listing = listing
        self.model.set_first_page(first, len(listing), min(self.model.page_rows, len(listing)))

    @Slot(int)
    def _fetch_page(self, start: int) -> None:
        listing, session = self.listing, self.session
        if listing is None:
            self.model.fetching = False
            return
        stop = start + self.model.page_rows
        job = self.jobs.submit(
            lambda ctx: (unvaccinated.entries(session, listing, start, stop), stop)
        )
        job.succeeded.connect(lambda page: self._arrived(listing, page))
        job.failed.connect(self._failed)

    def _arrived(self, listing: UnvaccinatedDecision, page: Page) -> None:
        if listing is not self.listing:
            return
        self.model.append_rows(*page)
        self.rows_added.emit()
        if self.model.all_fetched:
            self.all_loaded.emit()

    @Slot(str, str)
    def _failed(self, code: str, message: str) -> None:
        self.model.fetching = False
        self.failed.emit(code, message)

    def load_all(self) -> None:
        """Fetch every row not fetched yet; the rows appear when they have all arrived."""
        listing, session, model = self.listing, self.session, self.model
        if listing is None or model.all_fetched or self._rest_job is not None:
            return
        start = model.next_start
        model.fetching = True  # no page fetch meanwhile

        def work(ctx: JobContext) -> Page:
            rows: list[UnvaccinatedEntry] = []
            at = start
            while at < len(listing):
                ctx.check_cancelled()
                rows += unvaccinated.entries(session, listing, at, at + REST_CHUNK)
                at = min(at + REST_CHUNK, len(listing))
                ctx.report_progress(at, len(listing))
            return rows, at

        job = self._rest_job = self.jobs.submit(work)
        job.progress.connect(self.progress)
        job.succeeded.connect(lambda page: self._arrived(listing, page))
        job.failed.connect(self._failed)
        job.finished.connect(lambda: self._rest_finished(job))

    def _rest_finished(self, job: Job) -> None:
        if job is self._rest_job:
            self._rest_job = None
            if not self.model.all_fetched:
                self.model.fetching = False
