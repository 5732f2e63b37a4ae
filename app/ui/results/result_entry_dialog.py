"""Record one result from the person view (F8): the same fields as batch entry, pre-filled with
the series and dose chosen in the due list. Enter saves (warnings ask for a typed reason); Esc
cancels. Non-blocking: open it with ``open()``; it accepts itself once the result is stored."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.security.session import SessionView
from app.services.persons import PersonSummary
from app.ui.common.dialog_parts import message_label, set_message
from app.ui.common.jobs import JobRunner
from app.ui.results.result_entry_form import FormError, ResultEntryForm, SeriesChoice
from app.ui.results.result_recorder import ResultRecorder, SavedResult


class ResultEntryDialog(QDialog):
    saved = Signal(object)  # SavedResult

    def __init__(
        self,
        person: PersonSummary,
        choices: Sequence[SeriesChoice],
        jobs: JobRunner,
        session: SessionView,
        *,
        series_id: str | None,
        dose_label: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("resultEntryDialog")
        self.setWindowTitle(self.tr("Record a result"))
        self.person = person
        self.recorder = ResultRecorder(self, jobs, session)
        recorder = self.recorder
        layout = QVBoxLayout(self)
        who = QLabel(f"{person.name}（{person.name_kana}）  {person.atena_no}", self)
        who.setObjectName("batchPersonLabel")
        who.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(who)
        self.form = ResultEntryForm(self)
        self.form.set_series_choices(choices)
        self.form.prefill(series_id, dose_label)
        layout.addWidget(self.form)
        self.message = message_label(self, "statusMessage", plain_text=True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save [Enter]"), self)
        self.save_button.setAutoDefault(False)
        cancel = QPushButton(self.tr("Cancel [Esc]"), self)
        cancel.setAutoDefault(False)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        self.form.submit_requested.connect(self.save)
        recorder.saved.connect(self._saved)
        recorder.failed.connect(self._failed)
        self.form.focus_first()
        self.resize(560, 520)

    @Slot()
    def save(self) -> None:
        if self.recorder.saving:
            return
        try:
            entry = self.form.to_input()
        except FormError as exc:
            self._error("E_FORM", exc.message)
            exc.field.setFocus()
            return
        self.message.setText(self.tr("Saving..."))
        self.recorder.save(self.person.person_id, entry)

    def _error(self, code: str, message: str) -> None:
        """The Japanese message only; the code stays in the tooltip for the help desk."""
        set_message(self.message, message, error=True)
        self.message.setToolTip(code)

    @Slot(object)
    def _saved(self, result: SavedResult) -> None:
        self.saved.emit(result)
        self.accept()

    @Slot(str, str)
    def _failed(self, code: str, message: str) -> None:
        self._error(code, message)
        self.form.focus_field(code)
