"""管理 → 台帳の鍵の更新: the administrator's 鍵の更新 (a new DEK for the register) with a progress
dialog. The work runs on the window's job runner (``key_rotation.rekey_register``, which checks
the permission, needs every other session signed out and is audited); Cancel stops the copy and
leaves the register as it was."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.security import permissions as perm
from app.security.session import SessionView
from app.services import key_rotation
from app.ui.common.dialog_parts import message_label, set_message
from app.ui.common.jobs import Job, JobContext, JobRunner

STEPS = 1000


class RekeyPage(QWidget):
    finished = Signal(str, bool)  # Japanese message, is_error
    dialog_opened = Signal(object)  # the confirmation and the progress dialog (tests drive them)

    def __init__(
        self, session: SessionView, jobs: JobRunner, *, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        session.require(perm.REGISTER_REKEY)
        self.session = session
        self.jobs = jobs
        self.job: Job | None = None
        self.progress: QProgressDialog | None = None
        self.setObjectName("rekeyPage")
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("Register key update"), self)
        title.setObjectName("pageHeading")
        layout.addWidget(title)
        text = QLabel(
            self.tr(
                "Re-encrypts the register under a new key and delivers the new key to every "
                "user's key slot. A deactivated user who kept the old key can no longer read "
                "the register. Every other user must sign out first. Backups made before keep "
                "the old key."
            ),
            self,
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.message_label = message_label(self, "rekeyMessage", plain_text=True)
        layout.addWidget(self.message_label)
        self.start_button = QPushButton(self.tr("Update the register key..."), self)
        self.start_button.setObjectName("rekeyButton")
        self.start_button.clicked.connect(self.confirm)
        layout.addWidget(self.start_button)
        layout.addStretch(1)

    @Slot()
    def confirm(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Register key update"),
            self.tr("Update the register key now? Other users must be signed out."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("rekeyConfirm")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.finished.connect(box.deleteLater)
        box.accepted.connect(self.start)
        box.open()
        self.dialog_opened.emit(box)

    @Slot()
    def start(self) -> None:
        if self.job is not None:
            return
        session = self.session
        self.start_button.setEnabled(False)
        dialog = QProgressDialog(
            self.tr("Updating the register key..."), self.tr("Cancel"), 0, STEPS, self
        )
        dialog.setObjectName("rekeyProgress")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        self.progress = dialog

        def work(ctx: JobContext) -> key_rotation.RekeyResult:
            def report(fraction: float, _text: str) -> None:
                ctx.report_progress(int(fraction * STEPS), STEPS)

            return key_rotation.rekey_register(
                session, progress=report, cancelled=lambda: ctx.cancelled
            )

        job = self.jobs.submit(work)
        self.job = job
        dialog.canceled.connect(job.cancel)
        job.progress.connect(lambda done, total: dialog.setValue(done))
        job.succeeded.connect(self._done)
        job.failed.connect(self._failed)
        job.cancelled.connect(self._cancelled)
        job.finished.connect(self._finished)
        dialog.show()
        self.dialog_opened.emit(dialog)

    def _done(self, result: key_rotation.RekeyResult) -> None:
        del result  # how many slots: in the audit entry
        self._report(self.tr("The register key was updated and delivered to every key slot."))

    def _failed(self, code: str, message_ja: str) -> None:
        self._report(message_ja, error=True)

    def _cancelled(self) -> None:
        self._report(self.tr("Cancelled. The register was not changed."), error=True)

    def _report(self, text: str, *, error: bool = False) -> None:
        set_message(self.message_label, text, error=error)
        self.finished.emit(text, error)

    def _finished(self) -> None:
        self.job = None
        self.start_button.setEnabled(True)
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
