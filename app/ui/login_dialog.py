"""The login dialog. It only displays the Qt-free ``LoginFlow`` (app/services/login_flow.py); the
password check runs through the background-job helper so the window never freezes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.security.session import Session
from app.services.login_flow import Credentials, LoginFlow, LoginStatus
from app.ui.demo_marker import DemoBanner, window_title
from app.ui.jobs import Job, JobContext, JobRunner


def _close_session(session: object) -> None:
    """A login that finished after the dialog was closed: close the register again."""
    if isinstance(session, Session):
        session.register.close()


class LoginDialog(QDialog):
    signed_in = Signal(object)  # Session

    def __init__(self, flow: LoginFlow, *, demo: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = flow
        self.demo = demo
        self.jobs = JobRunner(self)
        self._job: Job | None = None
        self.setObjectName("loginDialog")
        self.setWindowTitle(window_title(self.tr("VaxDesk - Sign in"), demo))
        self.setMinimumWidth(460)
        self._build()
        self.flow.subscribe(self._show_status)
        self._show_status(self.flow.status)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        if self.demo:
            layout.addWidget(DemoBanner(self))
        heading = QLabel(self.tr("Vaccination register"), self)
        heading.setObjectName("loginHeading")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(heading)

        form = QFormLayout()
        self.user_edit = QLineEdit(self)
        self.user_edit.setObjectName("loginUser")
        self.user_edit.setAccessibleName(self.tr("User name"))
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("loginPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName(self.tr("Password"))
        form.addRow(self.tr("&User name"), self.user_edit)
        form.addRow(self.tr("&Password"), self.password_edit)
        layout.addLayout(form)

        self.message_label = QLabel(self)
        self.message_label.setObjectName("loginMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setMinimumHeight(48)
        layout.addWidget(self.message_label)

        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)  # indeterminate while authenticating
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setVisible(False)
        layout.addWidget(self.busy_bar)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.sign_in_button = QPushButton(self.tr("Sign in"), self)
        self.sign_in_button.setObjectName("signInButton")
        self.quit_button = QPushButton(self.tr("Quit"), self)
        for button in (self.sign_in_button, self.quit_button):
            button.setAutoDefault(False)  # Enter is handled by the fields below
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.quit_button)
        layout.addLayout(buttons)

        self.user_edit.returnPressed.connect(self._user_enter)
        self.password_edit.returnPressed.connect(self.submit)
        self.sign_in_button.clicked.connect(self.submit)
        self.quit_button.clicked.connect(self.reject)
        self.user_edit.setFocus()

    # --- actions -----------------------------------------------------------------------------

    @Slot()
    def _user_enter(self) -> None:
        """Enter in the user field: go on to the password, or sign in when it is filled in."""
        if self.password_edit.text():
            self.submit()
        else:
            self.password_edit.setFocus()

    @Slot()
    def submit(self) -> None:
        if not self.flow.status.accepts_input:
            return
        credentials = self.flow.begin(self.user_edit.text(), self.password_edit.text())
        if credentials is None:
            (self.user_edit if not self.user_edit.text().strip() else self.password_edit).setFocus()
            return
        self._job = self.jobs.submit(self._authenticate_job(credentials), discard=_close_session)
        self._job.succeeded.connect(self._login_succeeded)
        self._job.failed.connect(self._login_failed)

    def _authenticate_job(self, credentials: Credentials) -> Callable[[JobContext], Session]:
        flow = self.flow

        def authenticate(ctx: JobContext) -> Session:
            return flow.authenticate(credentials)

        return authenticate

    @Slot(object)
    def _login_succeeded(self, session: Session) -> None:
        self._job = None
        self.password_edit.clear()
        self.flow.succeed(session)
        self.signed_in.emit(session)
        self.accept()

    @Slot(str, str)
    def _login_failed(self, code: str, message_ja: str) -> None:
        self._job = None
        self.flow.fail_with(code, message_ja)
        self.password_edit.clear()
        self.password_edit.setFocus()

    # --- display -----------------------------------------------------------------------------

    def _show_status(self, status: LoginStatus) -> None:
        self.message_label.setText(status.message_ja)
        self.message_label.setProperty("error", status.is_error)
        self.message_label.style().unpolish(self.message_label)
        self.message_label.style().polish(self.message_label)
        busy = status.busy
        self.busy_bar.setVisible(busy)
        for widget in (self.user_edit, self.password_edit, self.sign_in_button):
            widget.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._job is not None:
            self._job.cancel()  # a session that still opens is closed again (discard)
        super().closeEvent(event)

    def reject(self) -> None:
        if self._job is not None:
            self._job.cancel()
        super().reject()
