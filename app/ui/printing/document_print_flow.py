"""Every document goes the same way: the print service runs through the one ``JobRunner`` (with a
progress dialog and Cancel for batches), then the PDF opens in the print preview.

A request says what to print (``work(ctx, out, reissue_reason)`` calls one print service). When
the service answers that the document was already issued this 年度 (E_REISSUE_REASON), the
reissue reason is asked and the request runs again with it. PDFs go to a private temporary folder
that is removed when the preview closes (they hold personal data), unless the request names its
own folder (a notice batch the operator keeps).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QBoxLayout, QDialog, QProgressDialog, QWidget

from app.printing import PrintCancelled
from app.services.printing import PrintResult
from app.ui.common.jobs import Job, JobCancelled, JobContext, JobRunner
from app.ui.printing.print_preview_dialog import PrintPreviewDialog
from app.ui.printing.reissue_reason_dialog import ReissueReasonDialog
from app.ui.shell.demo_marker import DemoBanner, demo_title_prefix, window_title

PrintWork = Callable[[JobContext, Path, str | None], PrintResult]
REISSUE_CODE = "E_REISSUE_REASON"


@dataclass(frozen=True)
class PrintRequest:
    title: str  # shown in the progress and preview titles
    file_stem: str  # ASCII file name without .pdf
    work: PrintWork
    batch: bool = False  # progress dialog with Cancel
    out_dir: Path | None = None  # None: a private temporary folder
    reissue_document: str | None = None  # the document's name when a reissue may be asked
    # Void the numbers a preview issued when it closes neither printed nor saved (so that the
    # 発行履歴 shows only what left the counter); None keeps them (batches the operator keeps).
    withdraw_unprinted: Callable[[tuple[int, ...]], int] | None = None


class DocumentPrintFlow(QObject):
    job_started = Signal(object)  # Job (its cancel stops a batch)
    print_done = Signal(object)  # PrintResult: files written, numbers issued
    preview_opened = Signal(object)  # PrintPreviewDialog
    cancelled = Signal()
    failed = Signal(str, str)  # code, Japanese message
    message = Signal(str, bool)  # text for the window's message line, is it an error
    error_message = Signal(str, str)  # code, Japanese text: the text shown, the code in its tooltip
    withdrawn = Signal(object)  # how many unprinted issuances were voided

    def __init__(self, parent_widget: QWidget, jobs: JobRunner) -> None:
        # No Python reference back to the window (only Qt's parent): a reference cycle through
        # the window could let Python free it on a job's thread.
        super().__init__(parent_widget)
        self._jobs = jobs
        # Seams: the preview's printer (None keeps the system default) and the reissue question.
        self.default_printer: Callable[[], QPrinter | None] | None = None
        self.preview: PrintPreviewDialog | None = None
        self.reissue_dialog: ReissueReasonDialog | None = None
        self._progress: QProgressDialog | None = None
        self._progress_title = ""
        self.demo = False  # set for a demo register: its progress dialogs say so in the text too
        self._running: set[Job] = set()

    def _widget(self) -> QWidget:
        parent = self.parent()
        assert isinstance(parent, QWidget)
        return parent

    @property
    def busy(self) -> bool:
        """A print job is queued or running (a second request is ignored meanwhile)."""
        return bool(self._running)

    def start(self, request: PrintRequest, reissue_reason: str | None = None) -> Job:
        private = request.out_dir is None
        folder = Path(tempfile.mkdtemp(prefix="vaxdesk-print-")) if private else request.out_dir
        assert folder is not None
        out = folder / f"{request.file_stem}.pdf"
        work = request.work

        def run_print(ctx: JobContext) -> PrintResult:
            try:
                return work(ctx, out, reissue_reason)
            except PrintCancelled as exc:
                if getattr(exc, "written", ()):
                    raise  # finished files of a notice batch remain: say so (failed)
                raise JobCancelled() from None

        self.message.emit(self.tr("Preparing %1...").replace("%1", request.title), False)
        job = self._jobs.submit(run_print)
        if request.batch:
            self._open_progress(request.title, job)

        def cleanup() -> None:
            if private:
                shutil.rmtree(folder, ignore_errors=True)

        # free before anyone hears the outcome: a request made by a listener of the outcome
        # (``finished`` only follows once every listener has returned) is not ignored as "busy"
        self._running.add(job)
        job.succeeded.connect(lambda _result: self._running.discard(job))
        job.failed.connect(lambda _code, _message: self._running.discard(job))
        job.cancelled.connect(lambda: self._running.discard(job))
        job.succeeded.connect(lambda result: self._succeeded(request, result, cleanup))
        job.failed.connect(
            lambda code, message: self._failed(request, reissue_reason, code, message, cleanup)
        )
        job.cancelled.connect(lambda: self._cancelled(cleanup))
        job.finished.connect(self._close_progress)
        job.finished.connect(lambda: self._running.discard(job))
        self.job_started.emit(job)
        return job

    # --- progress ----------------------------------------------------------------------------

    def _open_progress(self, title: str, job: Job) -> None:
        dialog = QProgressDialog(self._widget())
        dialog.setObjectName("printProgressDialog")
        dialog.setWindowTitle(window_title(title, self.demo))
        self._progress_title = title
        dialog.setLabelText(self._progress_text(None))
        dialog.setCancelButtonText(self.tr("Cancel"))
        dialog.setRange(0, 0)
        dialog.setMinimumDuration(0)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(job.cancel)
        dialog.canceled.connect(self._cancelling)
        job.progress.connect(self._update_progress)
        self._progress = dialog
        dialog.show()

    def _progress_text(self, counts: tuple[int, int] | None) -> str:
        """「年次統計を作成しています…」, then 「312 / 1,000 件」 once counts arrive; on a demo
        register the marker is the first line."""
        lines = [self.tr("Creating %1...").replace("%1", self._progress_title)]
        if counts is not None:
            done, total = counts
            lines.append(
                self.tr("%1 / %2 items").replace("%1", f"{done:,}").replace("%2", f"{total:,}")
            )
        if self.demo:
            lines.insert(0, demo_title_prefix())
        return "\n".join(lines)

    @Slot(int, int)
    def _update_progress(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress.setRange(0, total)
            self._progress.setValue(done)
            self._progress.setLabelText(self._progress_text((done, total)))

    @Slot()
    def _cancelling(self) -> None:
        self.message.emit(self.tr("Cancelling..."), False)

    @Slot()
    def _close_progress(self) -> None:
        if self._progress is not None:
            self._progress.canceled.disconnect()
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None

    # --- outcomes ----------------------------------------------------------------------------

    def _succeeded(
        self, request: PrintRequest, result: PrintResult, cleanup: Callable[[], None]
    ) -> None:
        self.message.emit(" ".join(result.notes), False)
        self.print_done.emit(result)
        preview = PrintPreviewDialog(result.paths, request.title, self._widget())
        if self.demo:  # the pages of a demo register are practice pages: say so above them
            layout = preview.layout()
            if isinstance(layout, QBoxLayout):
                layout.insertWidget(0, DemoBanner(preview))
        if self.default_printer is not None:
            preview.default_printer = self.default_printer
        preview.printed.connect(
            lambda pages: self.message.emit(
                self.tr("%1: %2 pages sent to the printer.")
                .replace("%1", request.title)
                .replace("%2", str(pages)),
                False,
            )
        )
        used: list[bool] = []  # printed or saved at least once
        preview.printed.connect(lambda _pages: used.append(True))
        preview.saved.connect(lambda _path: used.append(True))
        ids = tuple(result.issuance_ids)
        withdraw = request.withdraw_unprinted

        def closed(_result: int) -> None:
            self._preview_closed(cleanup)
            if withdraw is not None and ids and not used:
                self._withdraw(withdraw, ids)

        preview.finished.connect(closed)
        self.preview = preview
        preview.open()
        preview.print_button.setFocus()
        self.preview_opened.emit(preview)

    def _withdraw(self, withdraw: Callable[[tuple[int, ...]], int], ids: tuple[int, ...]) -> None:
        job = self._jobs.submit(lambda ctx: withdraw(ids))
        job.succeeded.connect(self._withdrawn)
        job.failed.connect(self._withdraw_failed)

    @Slot(object)
    def _withdrawn(self, count: object) -> None:
        if count:
            self.message.emit(
                self.tr("Not printed: the issued number was withdrawn (%1).").replace(
                    "%1", str(count)
                ),
                False,
            )
        self.withdrawn.emit(count)

    @Slot(str, str)
    def _withdraw_failed(self, code: str, message_ja: str) -> None:
        self.error_message.emit(code, message_ja)

    def _preview_closed(self, cleanup: Callable[[], None]) -> None:
        if self.preview is not None:
            self.preview.deleteLater()
        self.preview = None
        cleanup()

    def _failed(
        self,
        request: PrintRequest,
        reissue_reason: str | None,
        code: str,
        message: str,
        cleanup: Callable[[], None],
    ) -> None:
        cleanup()
        if code == REISSUE_CODE and request.reissue_document and reissue_reason is None:
            self._ask_reissue_reason(request)
            return
        self.error_message.emit(code, message)
        self.failed.emit(code, message)

    def _cancelled(self, cleanup: Callable[[], None]) -> None:
        cleanup()
        self.message.emit(self.tr("Printing was cancelled. No file was created."), False)
        self.cancelled.emit()

    def _ask_reissue_reason(self, request: PrintRequest) -> None:
        """Non-blocking: the request runs again when a reason is chosen."""
        dialog = ReissueReasonDialog(request.reissue_document or request.title, self._widget())
        self.reissue_dialog = dialog

        def chosen(result: int) -> None:
            self.reissue_dialog = None
            dialog.deleteLater()
            if result == QDialog.DialogCode.Accepted:
                self.start(request, dialog.reason_code)
            else:
                self.message.emit(self.tr("The reissue was cancelled."), False)
                self.cancelled.emit()

        dialog.finished.connect(chosen)
        dialog.open()
