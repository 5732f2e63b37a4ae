"""管理 → 同期パスキー: show and change whether synced passkeys (credentials that a cloud account
copies to other devices, flagged BE/BS) may be enrolled as security keys. Off by default; the
change is audited (``users_admin.set_synced_passkeys_allowed``, permission ``user.manage``) and
applies to enrolments from then on (keys already enrolled are not re-checked)."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QWidget,
)

from app.security import permissions as perm
from app.security.session import SessionView
from app.services import enrolment_policy, users_admin
from app.ui.admin.settings_page_base import SettingsPage
from app.ui.common.jobs import JobContext, JobRunner


class PasskeyPolicyPage(SettingsPage):
    def __init__(
        self, session: SessionView, jobs: JobRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            session,
            jobs,
            self.tr("Synced passkeys"),
            self.tr(
                "A synced passkey is copied by a cloud account to the user's other devices, so "
                "it is no longer bound to one security key. Refuse them unless the "
                "municipality's policy allows them. The setting applies to keys enrolled from "
                "now on."
            ),
            parent,
        )
        session.require(perm.USER_MANAGE)
        self.setObjectName("passkeyPolicyPage")
        self.allowed: bool | None = None
        self.refuse_radio = QRadioButton(self.tr("&Refuse synced passkeys (recommended)"), self)
        self.refuse_radio.setObjectName("passkeyRefuse")
        self.allow_radio = QRadioButton(self.tr("&Allow synced passkeys"), self)
        self.allow_radio.setObjectName("passkeyAllow")
        self.group = QButtonGroup(self)
        self.group.addButton(self.refuse_radio)
        self.group.addButton(self.allow_radio)
        self.page_layout.addWidget(self.refuse_radio)
        self.page_layout.addWidget(self.allow_radio)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("&Save"), self)
        self.save_button.setObjectName("passkeySave")
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        self.page_layout.addLayout(buttons)
        self.page_layout.addStretch(1)
        self.save_button.clicked.connect(self.save)
        self.confirm: QMessageBox | None = None

    def activate(self) -> None:
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        session = self.session
        self.run(lambda ctx: enrolment_policy.synced_passkeys(session), self._show_state)

    @Slot(object)
    def _show_state(self, allowed: bool) -> None:
        self.allowed = bool(allowed)
        (self.allow_radio if allowed else self.refuse_radio).setChecked(True)
        (self.allow_radio if allowed else self.refuse_radio).setFocus()
        self.show_message(
            self.tr("Now: synced passkeys are allowed.")
            if allowed
            else self.tr("Now: synced passkeys are refused.")
        )
        self.loaded.emit()

    @Slot()
    def save(self) -> None:
        if self.allowed is None:
            return
        wanted = self.allow_radio.isChecked()
        if wanted == self.allowed:
            self.show_message(self.tr("Nothing was changed."))
            return
        if wanted and not self.confirm_allow():
            return
        session = self.session

        def work(ctx: JobContext) -> bool:
            users_admin.set_synced_passkeys_allowed(session, wanted)
            return wanted

        self.save_button.setEnabled(False)
        self.run(work, self._saved, lambda code, message: self.save_button.setEnabled(True))

    def confirm_allow(self) -> bool:
        """Ask before weakening the policy (a seam: tests answer it)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Allow synced passkeys"),
            self.tr(
                "Keys enrolled from now on may be synced passkeys that can be used from other "
                "devices of the same cloud account. Allow them?"
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        self.confirm = box
        try:
            return box.exec() == QMessageBox.StandardButton.Yes
        finally:
            self.confirm = None

    @Slot(object)
    def _saved(self, allowed: bool) -> None:
        self.save_button.setEnabled(True)
        self.allowed = bool(allowed)
        text = (
            self.tr("Saved: synced passkeys are allowed for new keys.")
            if allowed
            else self.tr("Saved: synced passkeys are refused for new keys.")
        )
        self.show_message(text)
        self.action_finished.emit(text, False)
