"""The background-job helper: success with progress, failure with the error code, cancel, and one
job at a time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from app.errors import NotFound
from app.ui.common.jobs import JobContext, JobRunner

WAIT_MS = 5_000


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[JobRunner]:
    jobs = JobRunner()
    yield jobs
    jobs.cancel_all()
    jobs.wait_for_done()


def test_success_reports_progress_then_the_result(qtbot: QtBot, runner: JobRunner) -> None:
    worker_threads: list[threading.Thread] = []

    def work(ctx: JobContext) -> str:
        worker_threads.append(threading.current_thread())
        ctx.report_progress(1, 2)
        ctx.report_progress(2, 2)
        return "done"

    job = runner.submit(work)
    events: list[Any] = []
    job.progress.connect(lambda done, total: events.append((done, total)))
    job.succeeded.connect(events.append)
    with qtbot.waitSignal(job.finished, timeout=WAIT_MS):
        pass
    assert events == [(1, 2), (2, 2), "done"]  # progress first, then the outcome
    assert worker_threads and worker_threads[0] is not threading.main_thread()
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT_MS)


def test_vaxdesk_error_is_reported_with_its_code(qtbot: QtBot, runner: JobRunner) -> None:
    def work(ctx: JobContext) -> None:
        raise NotFound()

    job = runner.submit(work)
    succeeded: list[Any] = []
    job.succeeded.connect(succeeded.append)
    with qtbot.waitSignal(job.failed, timeout=WAIT_MS) as blocker:
        pass
    assert blocker.args == ["E_NOT_FOUND", NotFound.message_ja]
    assert succeeded == []


def test_unexpected_error_shows_the_generic_message_only(qtbot: QtBot, runner: JobRunner) -> None:
    def work(ctx: JobContext) -> None:
        raise RuntimeError("山田 太郎 1000003")  # must never reach the screen

    job = runner.submit(work)
    with qtbot.waitSignal(job.failed, timeout=WAIT_MS) as blocker:
        pass
    code, message = blocker.args
    assert code == "E_INTERNAL" and "山田" not in message and "内部エラー" in message


def test_cancel_while_running_drops_the_result_and_discards_it(
    qtbot: QtBot, runner: JobRunner
) -> None:
    started, release = threading.Event(), threading.Event()
    discarded: list[Any] = []

    def work(ctx: JobContext) -> str:
        started.set()
        release.wait(WAIT_MS / 1000)
        return "late result"

    job = runner.submit(work, discard=discarded.append)
    succeeded: list[Any] = []
    job.succeeded.connect(succeeded.append)
    qtbot.waitUntil(started.is_set, timeout=WAIT_MS)
    with qtbot.waitSignal(job.cancelled, timeout=WAIT_MS):  # connected before the release
        job.cancel()
        release.set()
    assert succeeded == [] and discarded == ["late result"]


def test_cooperative_cancel_and_queued_job_never_starts(qtbot: QtBot, runner: JobRunner) -> None:
    started, release = threading.Event(), threading.Event()
    ran_second: list[bool] = []

    def first(ctx: JobContext) -> None:
        started.set()
        release.wait(WAIT_MS / 1000)
        ctx.check_cancelled()

    def second(ctx: JobContext) -> None:
        ran_second.append(True)

    job1 = runner.submit(first)
    job2 = runner.submit(second)
    qtbot.waitUntil(started.is_set, timeout=WAIT_MS)
    with qtbot.waitSignals([job1.cancelled, job2.cancelled], timeout=WAIT_MS):
        job1.cancel()
        job2.cancel()
        release.set()
    assert ran_second == []


def test_jobs_run_one_at_a_time_in_order(qtbot: QtBot, runner: JobRunner) -> None:
    lock = threading.Lock()
    running = 0
    peak = 0
    order: list[int] = []

    def make(n: int) -> Callable[[JobContext], int]:
        def work(ctx: JobContext) -> int:
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            order.append(n)
            with lock:
                running -= 1
            return n

        return work

    jobs = [runner.submit(make(n)) for n in range(5)]
    with qtbot.waitSignals([j.succeeded for j in jobs], timeout=WAIT_MS):
        pass
    assert order == [0, 1, 2, 3, 4] and peak == 1


def test_every_receiver_gets_finished_before_the_job_is_released(
    qtbot: QtBot, runner: JobRunner
) -> None:
    """Regression: the runner used to delete a job on ``finished`` while the worker was still
    delivering ``finished`` to later receivers, which then never heard of it."""
    heard: list[int] = []
    jobs = []
    for n in range(40):
        job = runner.submit(lambda ctx: None)
        job.finished.connect(lambda n=n: heard.append(n))
        jobs.append(job)
    qtbot.waitUntil(lambda: len(heard) == 40 and not runner.busy, timeout=WAIT_MS)
    assert sorted(heard) == list(range(40))


def test_nothing_runs_between_the_outcome_and_finished(qtbot: QtBot, runner: JobRunner) -> None:
    """Regression (the flaky sync-page merge click): a screen becomes idle on ``finished``; a
    click or timer handled after the outcome but before ``finished`` found it still busy. A slow
    receiver of the outcome (connected directly, so it runs wherever the outcome is emitted) used
    to let the GUI run a timer before the worker had sent ``finished``."""
    heard: list[str] = []

    def on_success(result: object) -> None:
        heard.append("succeeded")
        QTimer.singleShot(0, lambda: heard.append("next event"))

    def slow_receiver(result: object) -> None:
        time.sleep(0.3)

    job = runner.submit(lambda ctx: "done")
    job.succeeded.connect(on_success)
    job.succeeded.connect(slow_receiver, Qt.ConnectionType.DirectConnection)
    job.finished.connect(lambda: heard.append("finished"))
    qtbot.waitUntil(lambda: len(heard) == 3, timeout=WAIT_MS)
    assert heard == ["succeeded", "finished", "next event"]
