"""The frame the administrator's settings pages share (窓口, 地区名, パスキー, カタログ): a heading,
a short explanation, the page's message line (Japanese only; an error's code goes in the
tooltip) and one helper that runs a service call on the window's job runner.

Each service checks its own permission and writes its own audit entry; a page only follows
``session.can`` to decide what it offers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.security.session import SessionView
from app.ui.common.dialog_parts import message_label, set_message
from app.ui.common.jobs import JobContext, JobRunner


class SettingsPage(QWidget):
    loaded = Signal()  # the page shows what the register holds
    action_finished = Signal(str, bool)  # Japanese message, is_error (after a save or a failure)

    def __init__(
        self,
        session: SessionView,
        jobs: JobRunner,
        heading: str,
        explanation: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.jobs = jobs
        self.page_layout = QVBoxLayout(self)
        title = QLabel(heading, self)
        title.setObjectName("pageHeading")
        self.page_layout.addWidget(title)
        about = QLabel(explanation, self)
        about.setWordWrap(True)
        about.setObjectName("pageExplanation")
        self.page_layout.addWidget(about)
        self.message_label = message_label(self, "pageMessage", plain_text=True)
        self.page_layout.addWidget(self.message_label)
        self.error_code = ""  # the last error's code (also the message line's tooltip)

    def show_message(self, text: str, *, error: bool = False, code: str = "") -> None:
        self.error_code = code
        set_message(self.message_label, text, error=error, code=code)

    def run(
        self,
        work: Callable[[JobContext], Any],
        done: Callable[[Any], None],
        failed: Callable[[str, str], None] | None = None,
    ) -> None:
        """``work`` on the job runner; ``done(result)`` or the Japanese error in the message
        line (then ``failed(code, message)`` when given, e.g. to focus the field at fault)."""
        job = self.jobs.submit(work)
        job.succeeded.connect(done)

        def show_failure(code: str, message_ja: str) -> None:
            self.show_message(message_ja, error=True, code=code)
            if failed is not None:
                failed(code, message_ja)
            self.action_finished.emit(message_ja, True)

        job.failed.connect(show_failure)
