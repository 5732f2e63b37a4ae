"""個人番号 → 個人番号で検索 (number-use staff, ``person_numbers.search``): 12 digits in, the matching
person out (``person_requested``). The typed number is cleared as soon as it was sent."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.ids import validate_mynumber
from app.errors import VaxDeskError
from app.security import permissions as perm
from app.security.session import SessionView
from app.services import person_numbers
from app.ui.common.dialog_parts import message_label, ok_cancel_buttons, set_message
from app.ui.common.jobs import JobContext, JobRunner


class NumberSearchDialog(QDialog):
    person_found = Signal(int)
    not_found = Signal()

    def __init__(
        self, session: SessionView, jobs: JobRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        session.require(perm.MYNUMBER_SEARCH)
        self.session = session
        self.jobs = jobs
        self.setObjectName("numberSearchDialog")
        self.setWindowTitle(self.tr("Search by personal number"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(400)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Personal number (12 digits)"), self))
        self.number_edit = QLineEdit(self)
        self.number_edit.setObjectName("numberSearchEdit")
        self.number_edit.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        self.number_edit.setMaxLength(20)
        layout.addWidget(self.number_edit)
        self.message_label = message_label(self, plain_text=True)
        layout.addWidget(self.message_label)
        buttons, self.search_button = ok_cancel_buttons(
            self, self.tr("Search"), self.tr("Close"), self.search
        )
        layout.addWidget(buttons)

    @Slot()
    def search(self) -> None:
        try:
            number = validate_mynumber(self.number_edit.text())
        except VaxDeskError as exc:
            set_message(self.message_label, exc.message_ja, error=True, code=exc.code)
            return
        self.number_edit.clear()
        self.search_button.setEnabled(False)
        set_message(self.message_label, self.tr("Searching..."))
        session = self.session

        def find(ctx: JobContext) -> int | None:
            return person_numbers.find_person(session, number)

        job = self.jobs.submit(find)
        job.succeeded.connect(self._found)
        job.failed.connect(self._failed)

    @Slot(object)
    def _found(self, person_id: int | None) -> None:
        self.search_button.setEnabled(True)
        if person_id is None:
            set_message(self.message_label, self.tr("No person has this number."))
            self.not_found.emit()
            return
        set_message(self.message_label, "")
        self.person_found.emit(person_id)
        self.accept()

    @Slot(str, str)
    def _failed(self, code: str, message_ja: str) -> None:
        self.search_button.setEnabled(True)
        set_message(self.message_label, message_ja, error=True, code=code)

    def done(self, result: int) -> None:
        self.number_edit.clear()
        super().done(result)
