"""The access review (who has which rights) as a Qt table model with named columns, plus its
sort/filter proxy. Rows are the service's ``AccessRow`` (no password, key or number data)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from app.security import roles as role_defs
from app.services.users_admin import AccessRow
from app.ui.common.display_text import local_time_both
from app.ui.common.row_table_model import AnyIndex, RowFilterProxy, RowTableModel

LOGIN_ROLE = Qt.ItemDataRole.UserRole + 1
INACTIVE_COLOUR = QColor("#8a8a8a")
FLAG_COLOUR = QColor("#b71c1c")


class AccessColumn(IntEnum):
    LOGIN = 0
    STAFF_NO = 1
    NAME = 2
    ROLES = 3
    ACTIVE = 4
    KEYS = 5
    LAST_LOGIN = 6
    SHARED = 7
    STALE = 8


def role_names_ja(roles: Sequence[str]) -> str:
    defs = role_defs.load_roles()
    return "、".join(defs[r].name_ja if r in defs else r for r in roles)


class AccessTableModel(RowTableModel[AccessRow, AccessColumn]):
    COLUMNS = tuple(AccessColumn)

    def headers(self) -> dict[AccessColumn, str]:
        return {
            AccessColumn.LOGIN: self.tr("User name"),
            AccessColumn.STAFF_NO: self.tr("Staff no."),
            AccessColumn.NAME: self.tr("Name"),
            AccessColumn.ROLES: self.tr("Roles"),
            AccessColumn.ACTIVE: self.tr("Status"),
            AccessColumn.KEYS: self.tr("Keys"),
            AccessColumn.LAST_LOGIN: self.tr("Last sign-in"),
            AccessColumn.SHARED: self.tr("Shared"),
            AccessColumn.STALE: self.tr("Unused long"),
        }

    def _text(self, r: AccessRow, column: AccessColumn) -> str:
        if column is AccessColumn.LOGIN:
            return r.login
        if column is AccessColumn.STAFF_NO:
            return r.staff_no
        if column is AccessColumn.NAME:
            return r.display_name
        if column is AccessColumn.ROLES:
            return role_names_ja(r.roles)
        if column is AccessColumn.ACTIVE:
            return self.tr("Active") if r.active else self.tr("Deactivated")
        if column is AccessColumn.KEYS:
            return str(r.keys)
        if column is AccessColumn.LAST_LOGIN:
            return local_time_both(r.last_login_at) or self.tr("Never")
        if column is AccessColumn.SHARED:
            return self.tr("Shared") if r.shared_account else ""
        return self.tr("Unused long") if r.stale else ""

    def _sort_value(self, r: AccessRow, column: AccessColumn) -> Any:
        if column is AccessColumn.KEYS:
            return r.keys
        if column is AccessColumn.LAST_LOGIN:
            return r.last_login_at or ""
        if column is AccessColumn.ACTIVE:
            return int(r.active)
        return self._text(r, column)

    def _foreground(self, r: AccessRow, column: AccessColumn) -> QColor | None:
        if not r.active:
            return INACTIVE_COLOUR
        if column in (AccessColumn.STALE, AccessColumn.SHARED) or (
            column is AccessColumn.KEYS and r.keys == 0
        ):
            return FLAG_COLOUR
        return None

    def _role_data(self, r: AccessRow, column: AccessColumn, role: int) -> Any:
        return r.login if role == LOGIN_ROLE else None


class AccessFilterProxy(RowFilterProxy):
    """Sorts by ``SORT_ROLE``; the filter text matches any column; inactive users can be hidden."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._show_inactive = True

    def set_show_inactive(self, show: bool) -> None:
        self._show_inactive = show
        self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        if (
            not self._show_inactive
            and isinstance(model, AccessTableModel)
            and not model.row_at(source_row).active
        ):
            return False
        return super().filterAcceptsRow(source_row, source_parent)
