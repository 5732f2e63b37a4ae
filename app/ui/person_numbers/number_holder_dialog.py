"""Two-person rule for 個人番号 rights: granting the number-use role (create or reset a user)
needs a number-use staff member to sign in on the spot; deactivating a number-use user offers it
so that the number key is renewed at once. Their session is handed to the service
as ``number_holder`` and closed right after. It is the login dialog with its own heading; the
key step and lockout behave exactly as at login."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.services import login_flow
from app.services.login_flow import LoginFlow
from app.services.security_key import KeyFactory
from app.ui.common.jobs import JobRunner
from app.ui.login.login_dialog import LoginDialog
from app.ui.login.qt_key_prompt import QtKeyPrompt


class NumberHolderDialog(LoginDialog):
    def __init__(
        self,
        directory: Path,
        demo: bool,
        jobs: JobRunner,
        *,
        key_factory: KeyFactory | None = None,
        heading: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        self._heading = heading  # why the staff member signs in (default: a grant)
        prompt = QtKeyPrompt()
        flow = LoginFlow(
            login_flow.register_authenticator(
                directory, prompt, prompt.cancel_event, key_factory=key_factory
            ),
            demo=demo,
        )
        super().__init__(flow, demo=demo, key_prompt=prompt, jobs=jobs, parent=parent)
        prompt.setParent(self)
        self.heading_label.setObjectName("dialogHeading")
        self.setObjectName("numberHolderDialog")
        self.setWindowTitle(self.tr("Number-use staff confirmation"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.quit_button.setText(self.tr("Cancel"))

    def heading_text(self) -> str:
        if self._heading:
            return self._heading
        return self.tr(
            "Granting number-use rights needs a number-use staff member. "
            "They sign in here; their sign-in is closed right after."
        )
