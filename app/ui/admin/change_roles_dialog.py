"""Change a staff user's roles (管理者). Adding 番号利用事務 to someone who lacks it is refused by
the service: that needs a reset with a number-use staff member present (two-person rule)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QCheckBox, QDialog, QGroupBox, QLabel, QVBoxLayout, QWidget

from app.security import roles as role_defs
from app.ui.common.dialog_parts import message_label, ok_cancel_buttons, set_message


class ChangeRolesDialog(QDialog):
    def __init__(self, login: str, current: Iterable[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("changeRolesDialog")
        self.setWindowTitle(self.tr("Change roles"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Roles of %1:").replace("%1", login), self))
        box = QGroupBox(self.tr("Roles"), self)
        box_layout = QVBoxLayout(box)
        self.role_checks: dict[str, QCheckBox] = {}
        now = set(current)
        for code, role in role_defs.load_roles().items():
            check = QCheckBox(role.name_ja, box)
            check.setObjectName(f"role_{code}")
            check.setChecked(code in now)
            box_layout.addWidget(check)
            self.role_checks[code] = check
        layout.addWidget(box)
        self.message = message_label(self)
        layout.addWidget(self.message)
        buttons, self.ok_button = ok_cancel_buttons(
            self, self.tr("Change"), self.tr("Cancel"), self.submit
        )
        layout.addWidget(buttons)

    def selected_roles(self) -> tuple[str, ...]:
        return tuple(code for code, check in self.role_checks.items() if check.isChecked())

    def submit(self) -> None:
        if not self.selected_roles():
            set_message(self.message, self.tr("Choose at least one role."), error=True)
            return
        self.accept()
