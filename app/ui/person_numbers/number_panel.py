"""The 個人番号 panel of a person, for number-use staff only (``person_numbers.read``).

Shows the masked number (＊＊＊＊＊＊＊＊1234). 表示 asks for a reason, then shows the full number
in ONE label for ``Revealed.seconds`` (30 s) and masks it again; it is also masked at once when
another person is shown, the panel is cleared or hidden, or any window locks. With
``person_numbers.write`` the number can be entered or corrected. The panel never keeps the full
number anywhere but in that label. Sessions without the permission cannot create it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.errors import PermissionDenied
from app.security import permissions as perm
from app.security.session import SessionView
from app.services import person_numbers
from app.services.person_numbers import Revealed
from app.ui.common.jobs import JobContext, JobRunner
from app.ui.login.idle_lock import lock_hub
from app.ui.person_numbers.number_entry_dialog import NumberEntryDialog
from app.ui.person_numbers.reveal_reason_dialog import RevealReasonDialog


def _spaced(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


class NumberPanel(QGroupBox):
    masked_shown = Signal()  # the masked number (or "not registered") is on screen
    revealed = Signal()  # the full number is on screen
    hidden_again = Signal()  # the full number was masked again
    saved = Signal()
    dialog_opened = Signal(object)
    error_shown = Signal(str, str)

    def __init__(
        self,
        session: SessionView,
        jobs: JobRunner,
        parent: QWidget | None = None,
        *,
        reveal_ms: int | None = None,
    ) -> None:
        if not session.can(perm.MYNUMBER_READ):
            raise PermissionDenied()
        super().__init__(parent)
        self.session = session
        self.jobs = jobs
        self.reveal_ms = reveal_ms  # None: the service's seconds (a test seam)
        self.person_id: int | None = None
        self._masked: str | None = None
        self._generation = 0  # results for an earlier person are dropped
        self._revealed = False
        self.setObjectName("numberPanel")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setTitle(self.tr("Personal number"))
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(self.hide_number)
        self._build()
        lock_hub().screen_locked.connect(self.hide_number)
        self.clear()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.number_label = QLabel(self)
        self.number_label.setObjectName("numberValue")
        self.number_label.setTextFormat(Qt.TextFormat.PlainText)
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        row.addWidget(self.number_label, 1)
        self.reveal_button = QPushButton(self.tr("Show"), self)
        self.reveal_button.setObjectName("revealButton")
        self.reveal_button.setToolTip(
            self.tr("Show the full number for a short time (reason required)")
        )
        self.edit_button = QPushButton(self.tr("Enter / correct..."), self)
        self.edit_button.setObjectName("numberEditButton")
        self.edit_button.setVisible(self.session.can(perm.MYNUMBER_WRITE))
        layout.addLayout(row)
        # The buttons go under the number: the panel sits in the person view's narrow side column.
        buttons = QHBoxLayout()
        buttons.addWidget(self.reveal_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.note_label = QLabel(self)
        self.note_label.setObjectName("numberNote")
        self.note_label.setWordWrap(True)
        self.note_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.note_label)
        self.reveal_button.clicked.connect(self.ask_reveal)
        self.edit_button.clicked.connect(self.edit_number)

    # --- the lead's interface ------------------------------------------------------------------

    def show_person(self, person_id: int) -> None:
        self.hide_number()
        self.person_id = person_id
        self._generation += 1
        self._masked = None
        self.number_label.setText(self.tr("Loading..."))
        self._clear_note()
        self.reveal_button.setEnabled(False)
        self.edit_button.setEnabled(False)
        session, generation = self.session, self._generation

        def load(ctx: JobContext) -> str | None:
            return person_numbers.masked_number(session, person_id)

        self._run(load, lambda masked: self._show_masked(generation, masked))

    def clear(self) -> None:
        self.hide_number()
        self._generation += 1
        self.person_id = None
        self._masked = None
        self.number_label.setText("—")
        self._clear_note()
        self.reveal_button.setEnabled(False)
        self.edit_button.setEnabled(False)

    # --- showing -----------------------------------------------------------------------------

    @property
    def is_revealed(self) -> bool:
        return self._revealed

    def _run(self, work: Callable[[JobContext], Any], done: Callable[[Any], None]) -> None:
        generation = self._generation
        job = self.jobs.submit(work)
        job.succeeded.connect(done)
        job.failed.connect(lambda code, message: self._failed(generation, code, message))

    def _failed(self, generation: int, code: str, message_ja: str) -> None:
        if generation != self._generation:
            return
        self.note_label.setText(message_ja)
        self.note_label.setToolTip(code)  # Japanese only on screen; the code for the help desk
        self.reveal_button.setEnabled(self._masked is not None)
        self.edit_button.setEnabled(self.person_id is not None)
        self.error_shown.emit(code, message_ja)

    def _clear_note(self) -> None:
        self.note_label.clear()
        self.note_label.setToolTip("")

    def _show_masked(self, generation: int, masked: str | None) -> None:
        if generation != self._generation:
            return
        self._masked = masked
        self.number_label.setText(masked if masked else self.tr("(not registered)"))
        self.reveal_button.setEnabled(masked is not None)
        self.edit_button.setEnabled(True)
        self.masked_shown.emit()

    @Slot()
    def hide_number(self) -> None:
        """Mask the full number again (timer, other person, lock, hide)."""
        self._hide_timer.stop()
        if self._revealed:
            self._revealed = False
            self.number_label.setText(self._masked or "—")
            self._clear_note()
            self.hidden_again.emit()

    def hideEvent(self, event: QHideEvent) -> None:
        self.hide_number()
        super().hideEvent(event)

    # --- reveal ------------------------------------------------------------------------------

    @Slot()
    def ask_reveal(self) -> None:
        if self.person_id is None or self._masked is None:
            return
        dialog = RevealReasonDialog(self)
        dialog.accepted.connect(lambda: self._reveal_with(dialog))
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _reveal_with(self, dialog: RevealReasonDialog) -> None:
        reason = dialog.reason()
        dialog.deleteLater()
        if reason is None or self.person_id is None:
            return
        code, note = reason
        session, person_id, generation = self.session, self.person_id, self._generation

        def reveal(ctx: JobContext) -> Revealed:
            return person_numbers.reveal_number(session, person_id, code, note)

        self.reveal_button.setEnabled(False)
        self._run(reveal, lambda revealed: self._show_revealed(generation, revealed))

    def _show_revealed(self, generation: int, revealed: Revealed) -> None:
        self.reveal_button.setEnabled(self._masked is not None)
        if generation != self._generation or not self.isVisible():
            return  # another person by now, or hidden: never show it
        self.number_label.setText(_spaced(revealed.number))
        self._clear_note()
        self.note_label.setText(
            self.tr("Shown for %1 seconds, then hidden again.").replace("%1", str(revealed.seconds))
        )
        self._revealed = True
        self._hide_timer.start(
            self.reveal_ms if self.reveal_ms is not None else revealed.seconds * 1000
        )
        self.revealed.emit()

    # --- entry / correction ----------------------------------------------------------------------

    @Slot()
    def edit_number(self) -> None:
        if self.person_id is None or not self.session.can(perm.MYNUMBER_WRITE):
            return
        self.hide_number()
        dialog = NumberEntryDialog(self._masked is not None, self)
        dialog.number_entered.connect(lambda number: self._save(dialog, number))
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _save(self, dialog: NumberEntryDialog, number: str) -> None:
        if self.person_id is None:
            dialog.reject()
            return
        session, person_id = self.session, self.person_id
        job = self.jobs.submit(lambda ctx: person_numbers.set_number(session, person_id, number))

        def saved(_result: object) -> None:
            dialog.accept()
            dialog.deleteLater()
            self.saved.emit()
            if self.person_id == person_id:
                self.show_person(person_id)

        job.succeeded.connect(saved)
        job.failed.connect(lambda code, message: dialog.show_error(message, code))
