"""Issue 12 item 11: a batch print shows counts (「312 / 1,000 件」) and the demo marker in its
progress dialog, and Cancel stops the job; the annual statistics stop when cancelled."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from app.printing import PrintCancelled
from app.security.session import Session
from app.services import printing
from app.services.printing import PrintResult
from app.ui.common.jobs import JobContext
from app.ui.printing.document_print_flow import PrintRequest
from tests.gui import counter_register
from tests.gui.counter_register import WAIT_MS, open_window, settle

counter_dir = counter_register.counter_dir
nurse_session = counter_register.nurse_session


def _slow_batch(ctx: JobContext, out: Path, reason: str | None) -> PrintResult:
    """A stand-in batch: counts to 1,000 slowly and stops when cancelled."""
    for done in range(1, 1001):
        if ctx.cancelled:
            raise PrintCancelled()
        ctx.report_progress(done, 1000)
        time.sleep(0.01)
    raise AssertionError("the test cancels before the end")


def test_progress_shows_counts_and_the_demo_marker_and_cancel_stops(
    qtbot: QtBot, vaxdesk_app: QApplication, nurse_session: Session
) -> None:
    window = open_window(qtbot, nurse_session)
    flow = window.print_flow
    with qtbot.waitSignal(flow.job_started, timeout=WAIT_MS) as started:
        flow.start(PrintRequest("年次統計", "annual", _slow_batch, batch=True))
    job = started.args[0]
    dialog = window.findChild(QProgressDialog, "printProgressDialog")
    assert dialog is not None
    qtbot.waitUntil(lambda: "/ 1,000 件" in dialog.labelText(), timeout=WAIT_MS)
    text = dialog.labelText()
    assert text.startswith("【デモ台帳】") and "年次統計を作成しています" in text
    assert dialog.windowTitle().startswith("【デモ台帳】")
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "中止"
    with qtbot.waitSignal(job.cancelled, timeout=WAIT_MS):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert (
        window.findChild(QProgressDialog, "printProgressDialog") is None or not dialog.isVisible()
    )


def test_the_annual_statistics_stop_when_cancelled(nurse_session: Session, tmp_path: Path) -> None:
    out = tmp_path / "annual.pdf"
    with pytest.raises(PrintCancelled):
        printing.print_annual_report(nurse_session, 2025, out, cancelled=lambda: True)
    assert not out.exists()
