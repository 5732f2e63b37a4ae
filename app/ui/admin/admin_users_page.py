"""管理 → 利用者とアクセス権: the access review table (who has which rights, keys, last sign-in,
shared and long-unused accounts) and the administrator's actions on users: create (with the new
user's key and, for number-use rights, a number-use staff member's sign-in), reset, remove a key,
deactivate. Every service call runs through the window's job runner; each service checks the
permission itself (the buttons only follow ``session.can``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.security import permissions as perm
from app.security.session import SessionView, end
from app.services import users_admin
from app.services.register import NewUser
from app.services.security_key import KeyFactory, key_access
from app.services.users_admin import AccessRow
from app.ui.admin.access_table_model import AccessColumn, AccessFilterProxy, AccessTableModel
from app.ui.admin.admin_key_actions import KeyActionsMixin
from app.ui.admin.change_roles_dialog import ChangeRolesDialog
from app.ui.admin.create_user_dialog import CreateUserDialog
from app.ui.admin.deactivate_action import DeactivateMixin
from app.ui.admin.reset_user_dialog import ResetUserDialog
from app.ui.common.dialog_parts import message_label, set_message
from app.ui.common.jobs import JobContext, JobRunner
from app.ui.common.table_view import read_only_table
from app.ui.login.key_prompt_dialog import KeyPromptDialog
from app.ui.login.qt_key_prompt import QtKeyPrompt
from app.ui.person_numbers.number_holder_dialog import NumberHolderDialog


class AdminUsersPage(KeyActionsMixin, DeactivateMixin, QWidget):
    loaded = Signal()  # the table was (re)filled
    action_finished = Signal(str, bool)  # Japanese message, is_error
    dialog_opened = Signal(object)  # every dialog this page opens (tests drive them)

    def __init__(
        self,
        session: SessionView,
        jobs: JobRunner,
        *,
        key_factory: KeyFactory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        session.require(perm.ACCESS_REVIEW)
        self.session = session
        self.jobs = jobs
        self.key_factory = key_factory
        self.setObjectName("adminUsersPage")
        self.model = AccessTableModel(self)
        self.proxy = AccessFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("Users and access rights"), self)
        title.setObjectName("pageHeading")
        layout.addWidget(title)
        self.message_label = message_label(self, "pageMessage", plain_text=True)
        layout.addWidget(self.message_label)
        filters = QHBoxLayout()
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(self.tr("Filter (user name, name, role...)"))
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.inactive_check = QCheckBox(self.tr("Show deactivated users"), self)
        self.inactive_check.setChecked(True)
        self.inactive_check.toggled.connect(self.proxy.set_show_inactive)
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.inactive_check)
        layout.addLayout(filters)

        self.table = read_only_table(
            self,
            "accessTable",
            self.proxy,
            sort_column=AccessColumn.LOGIN,
            single_selection=True,
            tab_key_navigation=True,
        )
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.create_button = QPushButton(self.tr("New user..."), self)
        self.reset_button = QPushButton(self.tr("Reset (password and key)..."), self)
        self.roles_button = QPushButton(self.tr("Change roles..."), self)
        self.add_key_button = QPushButton(self.tr("Add a backup key..."), self)
        self.remove_key_button = QPushButton(self.tr("Remove a key..."), self)
        self.deactivate_button = QPushButton(self.tr("Deactivate..."), self)
        for button in (
            self.refresh_button,
            self.create_button,
            self.reset_button,
            self.roles_button,
            self.add_key_button,
            self.remove_key_button,
            self.deactivate_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        can_manage = self.session.can(perm.USER_MANAGE)
        for button in (
            self.create_button,
            self.reset_button,
            self.roles_button,
            self.deactivate_button,
        ):
            button.setVisible(can_manage)
        self.remove_key_button.setVisible(self.session.can(perm.KEY_MANAGE))
        self.add_key_button.setVisible(self.session.can(perm.KEY_MANAGE))
        self.refresh_button.clicked.connect(self.refresh)
        self.create_button.clicked.connect(self.create_user)
        self.reset_button.clicked.connect(self.reset_selected)
        self.remove_key_button.clicked.connect(self.remove_key_of_selected)
        self.add_key_button.clicked.connect(self.add_key_for_selected)
        self.roles_button.clicked.connect(self.change_roles_of_selected)
        self.deactivate_button.clicked.connect(self.deactivate_selected)

    # --- helpers -----------------------------------------------------------------------------

    def show_message(self, text: str, *, error: bool = False, code: str = "") -> None:
        """Japanese only; an error's ``E_…`` code goes in the tooltip."""
        set_message(self.message_label, text, error=error, code=code)

    def _run(
        self,
        work: Callable[[JobContext], Any],
        done: Callable[[Any], None],
        *,
        key_dialog: KeyPromptDialog | None = None,
    ) -> None:
        job = self.jobs.submit(work)

        def succeeded(result: Any) -> None:
            if key_dialog is not None:
                key_dialog.finish()
            done(result)

        def failed(code: str, message_ja: str) -> None:
            if key_dialog is not None:
                key_dialog.finish()
            self.show_message(message_ja, error=True, code=code)
            self.action_finished.emit(message_ja, True)

        job.succeeded.connect(succeeded)
        job.failed.connect(failed)

    def _finished(self, text: str) -> None:
        self.show_message(text)
        self.action_finished.emit(text, False)
        self.refresh()

    def selected_row(self) -> AccessRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.show_message(self.tr("Select a user in the table first."), error=True)
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    def select_login(self, login: str) -> bool:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, AccessColumn.LOGIN)
            if index.data() == login:
                self.table.selectRow(row)
                return True
        return False

    def confirm(self, text: str) -> bool:
        """Ask yes/no (a seam: tests replace it)."""
        answer = QMessageBox.question(self, self.tr("Please confirm"), text)
        return answer == QMessageBox.StandardButton.Yes

    def _open(self, dialog: Any) -> None:
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _key_access(self, prompt: QtKeyPrompt) -> Any:
        view = self.session
        return key_access(view.directory, view.demo, prompt, prompt.cancel_event, self.key_factory)

    # --- the table ---------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        session = self.session

        def load(ctx: JobContext) -> list[AccessRow]:
            return users_admin.access_review(session)

        def show(rows: list[AccessRow]) -> None:
            self.model.set_rows(rows)
            self.loaded.emit()

        self._run(load, show)

    # --- create ------------------------------------------------------------------------------

    @Slot()
    def create_user(self) -> None:
        dialog = CreateUserDialog(self)
        dialog.accepted.connect(lambda: self._create_entered(dialog))
        self._open(dialog)

    def _create_entered(self, dialog: CreateUserDialog) -> None:
        needs_holder = dialog.needs_number_holder()
        user = dialog.take_user()
        dialog.deleteLater()
        if user is None:
            return
        if needs_holder:
            self._with_number_holder(lambda holder: self._enroll_new_user(user, holder))
        else:
            self._enroll_new_user(user, None)

    def _with_number_holder(
        self,
        then: Callable[[SessionView], None],
        *,
        heading: str | None = None,
        cancelled: str | None = None,
    ) -> None:
        """A number-use staff member signs in on the spot (``then`` gets their session);
        ``heading`` says why, ``cancelled`` is shown when they do not."""
        view = self.session
        holder_dialog = NumberHolderDialog(
            view.directory,
            view.demo,
            self.jobs,
            key_factory=self.key_factory,
            heading=heading,
            parent=self,
        )
        holder_dialog.signed_in.connect(then)
        if cancelled is None:
            cancelled = self.tr("Cancelled: number-use rights need a number-use staff member.")
        holder_dialog.rejected.connect(lambda: self.show_message(cancelled, error=True))
        self._open(holder_dialog)

    def _enroll_new_user(self, user: NewUser, holder: SessionView | None) -> None:
        prompt = QtKeyPrompt()
        key_dialog = KeyPromptDialog(prompt, self.tr("Enroll the key of the new user"), self)
        prompt.setParent(key_dialog)
        key = self._key_access(prompt)
        session = self.session

        def create(ctx: JobContext) -> int:
            try:
                return users_admin.create_user(session, user, key, number_holder=holder)
            finally:
                if holder is not None:
                    end(holder)  # the holder's sign-in ends here

        login = user.login
        self._run(
            create,
            lambda _id: self._finished(self.tr("User %1 was created.").replace("%1", login)),
            key_dialog=key_dialog,
        )
        self._open(key_dialog)

    # --- reset, remove key, deactivate ---------------------------------------------------------

    @Slot()
    def reset_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if not row.active:
            self.show_message(self.tr("A deactivated user cannot be reset."), error=True)
            return
        dialog = ResetUserDialog(row.login, self)
        dialog.accepted.connect(lambda: self._reset_entered(row, dialog))
        self._open(dialog)

    def _reset_entered(self, row: AccessRow, dialog: ResetUserDialog) -> None:
        password = dialog.take_password()
        dialog.deleteLater()
        if password is None:
            return
        if row.holds_number_rights:
            self._with_number_holder(lambda holder: self._reset(row.login, password, holder))
        else:
            self._reset(row.login, password, None)

    def _reset(self, login: str, password: str, holder: SessionView | None) -> None:
        prompt = QtKeyPrompt()
        key_dialog = KeyPromptDialog(prompt, self.tr("Enroll the new key"), self)
        prompt.setParent(key_dialog)
        key = self._key_access(prompt)
        session = self.session

        def reset(ctx: JobContext) -> None:
            try:
                users_admin.reset_user(session, login, password, key, number_holder=holder)
            finally:
                if holder is not None:
                    end(holder)

        self._run(
            reset,
            lambda _r: self._finished(self.tr("User %1 was reset.").replace("%1", login)),
            key_dialog=key_dialog,
        )
        self._open(key_dialog)

    @Slot()
    def change_roles_of_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        dialog = ChangeRolesDialog(row.login, row.roles, self)
        dialog.accepted.connect(lambda: self._roles_chosen(row.login, dialog))
        self._open(dialog)

    def _roles_chosen(self, login: str, dialog: ChangeRolesDialog) -> None:
        """Roles are bound into the user's key slot: the user types their password and touches
        their enrolled key so that the slot is re-wrapped with the new roles."""
        roles = dialog.selected_roles()
        dialog.deleteLater()
        password = self.ask_password(login)
        if password is None:
            return
        prompt = QtKeyPrompt()
        key_dialog = KeyPromptDialog(prompt, self.tr("Touch the enrolled key of the user"), self)
        prompt.setParent(key_dialog)
        key = self._key_access(prompt)
        session = self.session

        def change(ctx: JobContext) -> None:
            users_admin.set_roles(session, login, roles, password, key)

        self._run(
            change,
            lambda _r: self._finished(
                self.tr("The roles of %1 were changed.").replace("%1", login)
            ),
            key_dialog=key_dialog,
        )
        self._open(key_dialog)
