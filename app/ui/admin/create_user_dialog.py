"""New staff user: login, staff number, name, roles, shared-account flag and the initial
password (twice). The dialog only collects and checks the input; the users page then asks for
a number-use staff member when needed, enrolls the new user's key and calls the service."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.security import roles as role_defs
from app.services.register import NewUser
from app.ui.common.dialog_parts import message_label, ok_cancel_buttons

MIN_PASSWORD_LENGTH = 8


class CreateUserDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("createUserDialog")
        self.setWindowTitle(self.tr("New user"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(460)
        self._user: NewUser | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.login_edit = QLineEdit(self)
        self.login_edit.setObjectName("newLogin")
        self.staff_no_edit = QLineEdit(self)
        self.staff_no_edit.setObjectName("newStaffNo")
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("newName")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("newPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit = QLineEdit(self)
        self.repeat_edit.setObjectName("newPasswordRepeat")
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("User name"), self.login_edit)
        form.addRow(self.tr("Staff no."), self.staff_no_edit)
        form.addRow(self.tr("Name"), self.name_edit)
        form.addRow(self.tr("Initial password"), self.password_edit)
        form.addRow(self.tr("Password (again)"), self.repeat_edit)
        layout.addLayout(form)

        roles_box = QGroupBox(self.tr("Roles"), self)
        roles_layout = QVBoxLayout(roles_box)
        self.role_checks: dict[str, QCheckBox] = {}
        for code, role in role_defs.load_roles().items():
            check = QCheckBox(role.name_ja, roles_box)
            check.setObjectName(f"role_{code}")
            roles_layout.addWidget(check)
            self.role_checks[code] = check
        self.number_hint = QLabel(
            self.tr("Number-use rights need a number-use staff member to sign in next."),
            roles_box,
        )
        self.number_hint.setWordWrap(True)
        self.number_hint.setObjectName("hintText")
        roles_layout.addWidget(self.number_hint)
        layout.addWidget(roles_box)
        self.shared_check = QCheckBox(self.tr("Shared account (used by several people)"), self)
        layout.addWidget(self.shared_check)

        self.message_label = message_label(self, plain_text=True)
        layout.addWidget(self.message_label)
        buttons, self.ok_button = ok_cancel_buttons(
            self, self.tr("Next: enroll the key"), self.tr("Cancel"), self.submit
        )
        layout.addWidget(buttons)

    def selected_roles(self) -> tuple[str, ...]:
        return tuple(code for code, check in self.role_checks.items() if check.isChecked())

    def needs_number_holder(self) -> bool:
        roles = self.selected_roles()
        return bool(roles) and role_defs.needs_number_key(roles)

    def _problem(self) -> str | None:
        if not self.login_edit.text().strip():
            return self.tr("Enter the user name.")
        if not self.staff_no_edit.text().strip():
            return self.tr("Enter the staff number.")
        if not self.name_edit.text().strip():
            return self.tr("Enter the name.")
        if not self.selected_roles():
            return self.tr("Choose at least one role.")
        if len(self.password_edit.text()) < MIN_PASSWORD_LENGTH:
            return self.tr("The password needs at least %1 characters.").replace(
                "%1", str(MIN_PASSWORD_LENGTH)
            )
        if self.password_edit.text() != self.repeat_edit.text():
            return self.tr("The two passwords differ. Enter them again.")
        return None

    @Slot()
    def submit(self) -> None:
        problem = self._problem()
        if problem is not None:
            self.message_label.setText(problem)
            return
        self._user = NewUser(
            login=self.login_edit.text().strip(),
            display_name=self.name_edit.text().strip(),
            staff_no=self.staff_no_edit.text().strip(),
            password=self.password_edit.text(),
            roles=self.selected_roles(),
            shared_account=self.shared_check.isChecked(),
        )
        self.accept()

    def take_user(self) -> NewUser | None:
        """The entered user (once); the password fields are cleared."""
        user, self._user = self._user, None
        self.password_edit.clear()
        self.repeat_edit.clear()
        return user
