"""Unlock after the idle lock: the signed-in user's password and security key again
(``register.reauthenticate``), or sign out. It is the login dialog with the user name fixed,
the window's job runner (the session's connection is used by one thread only) and Sign out in
place of Quit; the state machine is the same ``LoginFlow``."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QWidget

from app.security.session import SessionView
from app.services import login_flow
from app.services.login_flow import LoginFlow
from app.services.security_key import KeyFactory
from app.ui.common.jobs import JobRunner
from app.ui.login.login_dialog import LoginDialog
from app.ui.login.qt_key_prompt import QtKeyPrompt
from app.ui.shell.demo_marker import window_title


class UnlockDialog(LoginDialog):
    sign_out_requested = Signal()

    def __init__(
        self,
        session: SessionView,
        jobs: JobRunner,
        *,
        key_factory: KeyFactory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        prompt = QtKeyPrompt()
        demo = session.demo
        flow = LoginFlow(
            login_flow.reauthenticator(
                session, prompt, prompt.cancel_event, key_factory=key_factory
            ),
            demo=demo,
        )
        super().__init__(flow, demo=demo, key_prompt=prompt, jobs=jobs, parent=parent)
        prompt.setParent(self)
        self.heading_label.setObjectName("dialogHeading")
        self.discard_late_session = False  # the session is the window's own: never close it
        self.setObjectName("unlockDialog")
        self.setWindowTitle(window_title(self.tr("VaxDesk - Unlock"), demo))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.user_edit.setText(session.login)
        self.user_edit.setReadOnly(True)
        self.sign_in_button.setText(self.tr("Unlock"))
        self.quit_button.setText(self.tr("Sign out"))
        self.quit_button.setObjectName("signOutButton")
        self.quit_button.clicked.disconnect()
        self.quit_button.clicked.connect(self._sign_out)
        self.password_edit.setFocus()

    def heading_text(self) -> str:
        return self.tr("The screen is locked. Enter your password and use your security key.")

    def _user_enter(self) -> None:
        self.password_edit.setFocus()

    @Slot()
    def _sign_out(self) -> None:
        self.reject()  # stops a running key step first
        self.sign_out_requested.emit()
