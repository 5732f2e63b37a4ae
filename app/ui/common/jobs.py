"""The one background-job helper (STYLE.md §5): run a callable off the GUI thread and report
progress, success, failure and cancellation through Qt signals.

``JobRunner`` owns a private QThreadPool with ONE thread, so jobs run one after the other: the
register connection (SQLCipher, opened with check_same_thread=False) is never used by two threads
at once. The callable receives a :class:`JobContext` to report progress and to check whether it
was cancelled::

    job = runner.submit(lambda ctx: persons.search(session, text))
    job.succeeded.connect(show_results)
    job.failed.connect(lambda code, message_ja: status_bar.showMessage(message_ja))

Cancelling is cooperative: a queued job never starts; a running job is told through
``ctx.cancelled`` and its result is dropped (handed to ``discard`` so that, for example, a
session opened by a cancelled login is closed). Exactly one of ``succeeded``, ``failed`` and
``cancelled`` is emitted per job, followed by ``finished``. The worker hands the outcome over
in ONE queued call, and the GUI thread emits the outcome and ``finished`` back to back in it: no
event (a click, a timer) can run between a job's outcome and its ``finished``, so a screen that
becomes idle on ``finished`` is idle before anything done in reply to the outcome.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from app.errors import VaxDeskError

PROGRESS_INTERVAL_S = 0.05

log = logging.getLogger(__name__)

INTERNAL_ERROR = VaxDeskError()


def _released(ctx: JobContext) -> None:
    raise JobCancelled()


class JobCancelled(Exception):
    """Raised by ``JobContext.check_cancelled`` to stop a job early."""


class JobContext:
    """Handed to the job's callable (runs on the worker thread)."""

    def __init__(self, job: Job) -> None:
        self._job = job
        self._last_progress = 0.0

    @property
    def cancelled(self) -> bool:
        return self._job.is_cancel_requested

    def check_cancelled(self) -> None:
        if self.cancelled:
            raise JobCancelled()

    def report_progress(self, done: int, total: int) -> None:
        """Hand the count to the GUI thread, at most every ``PROGRESS_INTERVAL_S`` (and always
        the last one): a flood of queued updates would delay the Cancel click behind them."""
        now = time.monotonic()
        if done < total and now - self._last_progress < PROGRESS_INTERVAL_S:
            return
        self._last_progress = now
        self._job.progress.emit(done, total)


class Job(QObject):
    """The GUI-thread handle of one background job."""

    progress = Signal(int, int)  # done, total
    succeeded = Signal(object)  # the callable's return value
    failed = Signal(str, str)  # error code, Japanese message
    cancelled = Signal()
    finished = Signal()  # after exactly one of the three above
    # For the runner only, emitted after ``finished``: the runner releases the job on it, so the
    # job is never deleted while the worker is still delivering ``finished`` to other receivers.
    released = Signal(object)  # this job
    # The worker's one hand-over to the GUI thread: kind ("succeeded", "failed", "cancelled")
    # and the payload. Queued, because this object lives on the GUI thread.
    _ended = Signal(str, object)

    def __init__(
        self,
        work: Callable[[JobContext], Any],
        discard: Callable[[Any], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._work = work
        self._discard = discard
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._ended.connect(self._deliver)

    @property
    def is_cancel_requested(self) -> bool:
        return self._cancel.is_set()

    @property
    def is_done(self) -> bool:
        return self._done.is_set()

    def release_callables(self) -> None:
        """Drop the work and discard callables. Called on the GUI thread once the job is done:
        a closure may (indirectly) hold widgets, and Python must never free a widget on the
        worker thread (Qt then deletes it there and leaves dangling timers behind)."""
        self._work = _released
        self._discard = None

    def cancel(self) -> None:
        """Ask the job to stop; it reports ``cancelled`` (never ``succeeded``) afterwards."""
        self._cancel.set()

    def run_here(self) -> None:
        """Run the callable on the current thread (the worker calls this) and hand the outcome
        to the GUI thread."""
        kind, payload = self._outcome()
        self._done.set()
        self._ended.emit(kind, payload)

    def _outcome(self) -> tuple[str, Any]:
        if self._cancel.is_set():
            return "cancelled", None
        try:
            result = self._work(JobContext(self))
        except JobCancelled:
            return "cancelled", None
        except VaxDeskError as exc:
            return "failed", (exc.code, exc.message_ja)
        except Exception as exc:
            # Only the type: the message of an unexpected error may contain personal data.
            log.error("background job failed: %s", type(exc).__name__)
            return "failed", (INTERNAL_ERROR.code, INTERNAL_ERROR.message_ja)
        if self._cancel.is_set():
            if self._discard is not None:
                try:
                    self._discard(result)
                except Exception as exc:  # the job still ends as cancelled
                    log.error("discarding a cancelled job's result failed: %s", type(exc).__name__)
            return "cancelled", None
        return "succeeded", result

    @Slot(str, object)
    def _deliver(self, kind: str, payload: Any) -> None:
        """On the GUI thread: the outcome, then ``finished``, then ``released``, with no event
        processed in between."""
        if kind == "succeeded":
            self.succeeded.emit(payload)
        elif kind == "failed":
            self.failed.emit(*payload)
        else:
            self.cancelled.emit()
        self.finished.emit()
        self.released.emit(self)


class _JobRunnable(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._job = job

    def run(self) -> None:
        self._job.run_here()


class JobRunner(QObject):
    """Runs jobs one at a time on a private worker thread, in submission order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._active: set[Job] = set()
        self._unstarted: list[Job] = []

    def submit(
        self,
        work: Callable[[JobContext], Any],
        *,
        discard: Callable[[Any], None] | None = None,
    ) -> Job:
        """Queue ``work``. It starts when control returns to the event loop, so signals
        connected right after ``submit`` never miss an outcome."""
        job = Job(work, discard, parent=self)
        self._active.add(job)
        # A bound slot of this GUI-thread object: queued, so it runs on the GUI thread.
        job.released.connect(self._forget_finished_job)
        self._unstarted.append(job)
        if len(self._unstarted) == 1:
            QTimer.singleShot(0, self, self._start_submitted)
        return job

    @Slot()
    def _start_submitted(self) -> None:
        jobs, self._unstarted = self._unstarted, []
        for job in jobs:
            self._pool.start(_JobRunnable(job))

    @Slot(object)
    def _forget_finished_job(self, job: Job) -> None:
        self._active.discard(job)
        job.release_callables()  # here, on the GUI thread: see Job.release_callables
        job.deleteLater()

    @property
    def busy(self) -> bool:
        return bool(self._active)

    def cancel_all(self) -> None:
        for job in list(self._active):
            job.cancel()

    def wait_for_done(self, msecs: int = 30_000) -> bool:
        """Start what is queued and block until the worker is idle (used when closing the
        register)."""
        self._start_submitted()
        return bool(self._pool.waitForDone(msecs))
