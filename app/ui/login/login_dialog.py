"""The login dialog. It only displays the Qt-free ``LoginFlow`` (app/services/login_flow.py); the
password and key check runs through the background-job helper so the window never freezes.

With a ``QtKeyPrompt`` the security key's requests appear in the message line
(「セキュリティキーに触れてください」, 「指紋センサーに指を置いてください」) and as a PIN dialog; a
Cancel button stops the key step. On a demo register a notice says that the demo software key
is used automatically. After E_AUTH_LOCKED only the user name stays editable: the Sign in button
comes back when another name is typed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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

from app.security.session import SessionView, end
from app.services import login_flow
from app.services.login_flow import Credentials, KeyRequest, LoginFlow, LoginStatus
from app.services.security_key import DEMO_KEY_NOTICE, KeyFactory
from app.ui.common.dialog_parts import message_label
from app.ui.common.jobs import Job, JobContext, JobRunner
from app.ui.login.qt_key_prompt import PinRequestHandler, QtKeyPrompt
from app.ui.shell.demo_marker import DemoBanner, window_title


def _close_session(session: object) -> None:
    """A login that finished after the dialog was closed: close the register again."""
    if isinstance(session, SessionView):
        end(session)


class LoginDialog(QDialog):
    signed_in = Signal(object)  # SessionView

    def __init__(
        self,
        flow: LoginFlow,
        *,
        demo: bool,
        key_prompt: QtKeyPrompt | None = None,
        jobs: JobRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.flow = flow
        self.demo = demo
        self.key_prompt = key_prompt
        self.jobs = jobs if jobs is not None else JobRunner(self)
        self.discard_late_session = True  # an unlock keeps its session: see UnlockDialog
        self._job: Job | None = None
        self.setObjectName("loginDialog")
        self.setWindowTitle(window_title(self.tr("VaxDesk - Sign in"), demo))
        self.setMinimumWidth(460)
        self._build()
        self.pin_handler: PinRequestHandler | None = None
        if key_prompt is not None:
            key_prompt.key_requested.connect(self._key_requested)
            key_prompt.message_shown.connect(self._key_notice)
            self.pin_handler = PinRequestHandler(key_prompt, self)
            self.pin_handler.answered.connect(self._key_answered)
        self.flow.subscribe(self._show_status)
        self._show_status(self.flow.status)

    @classmethod
    def for_register(
        cls,
        directory: Path,
        *,
        key_factory: KeyFactory | None = None,
        parent: QWidget | None = None,
    ) -> LoginDialog:
        """The login for the register in ``directory`` with the Qt key prompt (``key_factory``
        replaces the security key in tests)."""
        info = login_flow.describe_register(directory)
        prompt = QtKeyPrompt()
        flow = LoginFlow(
            login_flow.register_authenticator(
                directory, prompt, prompt.cancel_event, key_factory=key_factory
            ),
            demo=info.demo,
        )
        dialog = cls(flow, demo=info.demo, key_prompt=prompt, parent=parent)
        prompt.setParent(dialog)
        return dialog

    def heading_text(self) -> str:
        return self.tr("Vaccination register")

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        if self.demo:
            layout.addWidget(DemoBanner(self))
        self.heading_label = QLabel(self.heading_text(), self)
        self.heading_label.setObjectName("loginHeading")
        self.heading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.heading_label.setWordWrap(True)
        layout.addWidget(self.heading_label)

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

        self.key_notice_label = QLabel(self)
        self.key_notice_label.setObjectName("keyNotice")
        self.key_notice_label.setWordWrap(True)
        self.key_notice_label.setTextFormat(Qt.TextFormat.PlainText)
        if self.demo:
            self.key_notice_label.setText(DEMO_KEY_NOTICE)
        else:
            self.key_notice_label.setText(
                self.tr("After the password, use your security key (touch, fingerprint or PIN).")
            )
        layout.addWidget(self.key_notice_label)

        self.message_label = message_label(self, "loginMessage", plain_text=True)
        self.message_label.setMinimumHeight(48)
        layout.addWidget(self.message_label)

        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)  # indeterminate while authenticating
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setVisible(False)
        layout.addWidget(self.busy_bar)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_key_button = QPushButton(self.tr("Cancel key"), self)
        self.cancel_key_button.setObjectName("cancelKeyButton")
        self.cancel_key_button.setVisible(False)
        self.sign_in_button = QPushButton(self.tr("Sign in"), self)
        self.sign_in_button.setObjectName("signInButton")
        self.quit_button = QPushButton(self.tr("Quit"), self)
        for button in (self.cancel_key_button, self.sign_in_button, self.quit_button):
            button.setAutoDefault(False)  # Enter is handled by the fields below
            buttons.addWidget(button)
        layout.addLayout(buttons)

        self.user_edit.returnPressed.connect(self._user_enter)
        self.user_edit.textEdited.connect(self._user_edited)
        self.password_edit.returnPressed.connect(self.submit)
        self.sign_in_button.clicked.connect(self.submit)
        self.cancel_key_button.clicked.connect(self.cancel_key)
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

    @Slot(str)
    def _user_edited(self, text: str) -> None:
        self.flow.user_changed(text)

    @Slot()
    def submit(self) -> None:
        if not self.flow.status.accepts_input:
            return
        credentials = self.flow.begin(self.user_edit.text(), self.password_edit.text())
        if credentials is None:
            (self.user_edit if not self.user_edit.text().strip() else self.password_edit).setFocus()
            return
        if self.key_prompt is not None:
            self.key_prompt.begin_attempt()
        discard = _close_session if self.discard_late_session else None
        self._job = self.jobs.submit(self._authenticate_job(credentials), discard=discard)
        self._job.succeeded.connect(self._login_succeeded)
        self._job.failed.connect(self._login_failed)

    def _authenticate_job(self, credentials: Credentials) -> Callable[[JobContext], SessionView]:
        flow = self.flow

        def authenticate(ctx: JobContext) -> SessionView:
            return flow.authenticate(credentials)

        return authenticate

    @Slot()
    def cancel_key(self) -> None:
        """Stop the security-key step (the attempt then fails with E_FIDO_CANCELLED)."""
        if self.key_prompt is not None:
            self.key_prompt.cancel()
        if self.pin_handler is not None:
            self.pin_handler.close_dialog()

    @Slot(object)
    def _key_requested(self, request: KeyRequest) -> None:
        self.flow.wait_for_key(request)

    @Slot(str)
    def _key_notice(self, text_ja: str) -> None:
        self.flow.key_notice(text_ja)

    @Slot()
    def _key_answered(self) -> None:
        self.flow.key_answered()

    def _attempt_over(self) -> None:
        self._job = None
        if self.pin_handler is not None:
            self.pin_handler.close_dialog()

    @Slot(object)
    def _login_succeeded(self, session: SessionView) -> None:
        self._attempt_over()
        self.password_edit.clear()
        self.flow.succeed(session)
        self.signed_in.emit(session)
        self.accept()

    @Slot(str, str)
    def _login_failed(self, code: str, message_ja: str) -> None:
        self._attempt_over()
        status = self.flow.fail_with(code, message_ja)
        self.password_edit.clear()
        if status.locked_out:
            self.user_edit.setFocus()
            self.user_edit.selectAll()
        else:
            self.password_edit.setFocus()

    # --- display -----------------------------------------------------------------------------

    def _show_status(self, status: LoginStatus) -> None:
        self.message_label.setText(status.message_ja)
        self.message_label.setToolTip(status.error_code or "")  # the code for the help desk
        self.message_label.setProperty("error", status.is_error)
        self.message_label.setProperty("waiting", status.waiting_for_key)
        self.message_label.style().unpolish(self.message_label)
        self.message_label.style().polish(self.message_label)
        busy = status.busy
        self.busy_bar.setVisible(busy)
        self.user_edit.setEnabled(not busy)
        self.password_edit.setEnabled(status.accepts_input)
        self.sign_in_button.setEnabled(status.accepts_input)
        self.cancel_key_button.setVisible(busy and self.key_prompt is not None)
        self.cancel_key_button.setEnabled(status.waiting_for_key)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def _stop_attempt(self) -> None:
        if self._job is not None:
            self._job.cancel()  # a session that still opens is closed again (discard)
        if self.key_prompt is not None:
            self.key_prompt.cancel()  # releases a worker waiting for the PIN
        if self.pin_handler is not None:
            self.pin_handler.close_dialog()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop_attempt()
        super().closeEvent(event)

    def reject(self) -> None:
        self._stop_attempt()
        super().reject()
