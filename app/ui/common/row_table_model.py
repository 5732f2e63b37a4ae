"""The base of the read-only table models: a list of rows (service dataclasses) shown through named
columns, plus the sort/filter proxy they share.

A model derives from ``RowTableModel[Row, Column]``, sets ``COLUMNS`` (e.g. ``tuple(AnIntEnum)``)
and says only what is its own: ``headers()`` (translated header per column), ``_text`` (the cell's
text), and where needed ``_sort_value``, ``_foreground``, ``_tooltip``, ``_alignment`` and
``_role_data`` (model-specific roles such as an id). Roles: DisplayRole is ``_text``;
``SORT_ROLE`` a value that sorts correctly (``_sort_value``, the text unless overridden).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

AnyIndex = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

RowT = TypeVar("RowT")
ColumnT = TypeVar("ColumnT")


class RowTableModel(QAbstractTableModel, Generic[RowT, ColumnT]):
    COLUMNS: Sequence[ColumnT] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RowT] = []

    # --- content -----------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[RowT]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows(())

    def row_at(self, row: int) -> RowT:
        return self._rows[row]

    # --- what each model says ------------------------------------------------------------------

    # Abstract (Qt's metaclass does not mix with abc.ABCMeta): every model defines both.
    def headers(self) -> Mapping[ColumnT, str]:
        raise TypeError(f"{type(self).__name__} must define headers()")

    def _text(self, row: RowT, column: ColumnT) -> str:
        raise TypeError(f"{type(self).__name__} must define _text()")

    def _sort_value(self, row: RowT, column: ColumnT) -> Any:
        return self._text(row, column)

    def _foreground(self, row: RowT, column: ColumnT) -> QColor | None:
        return None

    def _tooltip(self, row: RowT, column: ColumnT) -> str | None:
        return None

    def _alignment(self, row: RowT, column: ColumnT) -> Qt.AlignmentFlag | None:
        return None

    def _role_data(self, row: RowT, column: ColumnT, role: int) -> Any:
        """Any other role (e.g. the row's id for opening it); None by default."""
        return None

    # --- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if 0 <= section < len(self.COLUMNS):
            return self.headers().get(self.COLUMNS[section])
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            not index.isValid()
            or not 0 <= index.row() < len(self._rows)
            or not 0 <= index.column() < len(self.COLUMNS)
        ):
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == SORT_ROLE:
            return self._sort_value(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = self._foreground(row, column)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            alignment = self._alignment(row, column)
            return int(alignment) if alignment is not None else None
        return self._role_data(row, column, role)


class RowFilterProxy(QSortFilterProxyModel):
    """Sorts by ``SORT_ROLE``; the filter text matches any column, ignoring case."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
