"""Saving one result through the JobRunner, with the override step.

``save`` runs ``results.record`` in the background. When the checks warn, the service raises
``NeedsReason``; the job hands the warnings back and the override dialog asks for a typed reason
(non-blocking), then the same entry is saved again with it. Hard errors come back as
``failed(code, message)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QWidget

from app.security.session import SessionView
from app.services import results
from app.services.results import NeedsReason, ResultInput, ResultWarning
from app.ui.common.jobs import JobContext, JobRunner
from app.ui.results.override_reason_dialog import OverrideReasonDialog


@dataclass(frozen=True, slots=True)
class _Warned:
    warnings: tuple[ResultWarning, ...]


@dataclass(frozen=True, slots=True)
class SavedResult:
    person_id: int
    entry: ResultInput
    ids: tuple[int, ...]
    override_reason: str | None


class ResultRecorder(QObject):
    saved = Signal(object)  # SavedResult
    failed = Signal(str, str)  # code, Japanese message
    override_cancelled = Signal()
    override_requested = Signal(object)  # the OverrideReasonDialog, once shown

    def __init__(self, parent_widget: QWidget, jobs: JobRunner, session: SessionView) -> None:
        super().__init__(parent_widget)
        self._parent_widget = parent_widget
        self._jobs = jobs
        self._session = session
        self.override_dialog: OverrideReasonDialog | None = None
        self.saving = False

    def save(self, person_id: int, entry: ResultInput, reason: str | None = None) -> None:
        if self.saving:
            return
        self.saving = True
        session = self._session

        def run_record(ctx: JobContext) -> tuple[int, ...] | _Warned:
            try:
                return tuple(results.record(session, person_id, entry, override_reason=reason))
            except NeedsReason as exc:
                return _Warned(tuple(exc.warnings))

        job = self._jobs.submit(run_record)
        job.succeeded.connect(lambda outcome: self._recorded(person_id, entry, reason, outcome))
        job.failed.connect(self._failed)
        job.cancelled.connect(lambda: self._failed("E_CANCELLED", ""))

    def _recorded(
        self,
        person_id: int,
        entry: ResultInput,
        reason: str | None,
        outcome: tuple[int, ...] | _Warned,
    ) -> None:
        self.saving = False
        if isinstance(outcome, _Warned):
            self._ask_reason(person_id, entry, outcome.warnings)
            return
        self.saved.emit(SavedResult(person_id, entry, outcome, reason))

    def _failed(self, code: str, message: str) -> None:
        self.saving = False
        self.failed.emit(code, message)

    def _ask_reason(
        self, person_id: int, entry: ResultInput, warnings: tuple[ResultWarning, ...]
    ) -> None:
        dialog = OverrideReasonDialog(warnings, self._parent_widget)
        self.override_dialog = dialog

        def answered(result: int) -> None:
            self.override_dialog = None
            dialog.deleteLater()
            if result == QDialog.DialogCode.Accepted:
                self.save(person_id, entry, dialog.reason)
            else:
                self.override_cancelled.emit()

        dialog.finished.connect(answered)
        dialog.open()
        dialog.reason_edit.setFocus()
        self.override_requested.emit(dialog)
