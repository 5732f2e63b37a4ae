"""A read-only table model over a list of records with named columns, for the small tables of the
person view (household members, vaccination history). Each column says how a record is shown
and how it sorts (``SORT_ROLE``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor

from app.ui.person_table_model import SORT_ROLE, AnyIndex

RecordT = TypeVar("RecordT")
MUTED_COLOUR = QColor("#6b6b6b")


@dataclass(frozen=True, slots=True)
class Column(Generic[RecordT]):
    header: str  # English source text, marked with QT_TRANSLATE_NOOP in the model's context
    display: Callable[[RecordT], str]
    sort_key: Callable[[RecordT], Any] | None = None


class RecordTableModel(QAbstractTableModel):
    """Subclasses set ``CONTEXT`` (translation context) and ``COLUMNS``; ``is_muted`` greys a row."""

    CONTEXT = "RecordTableModel"
    COLUMNS: Sequence[Column[Any]] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._records: list[Any] = []

    def set_records(self, records: Sequence[Any]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def record_at(self, row: int) -> Any:
        return self._records[row]

    def is_muted(self, record: Any) -> bool:
        return False

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if 0 <= section < len(self.COLUMNS):
            return QCoreApplication.translate(self.CONTEXT, self.COLUMNS[section].header)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        record = self._records[index.row()]
        column = self.COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.display(record)
        if role == SORT_ROLE:
            return (column.sort_key or column.display)(record)
        if role == Qt.ItemDataRole.ForegroundRole and self.is_muted(record):
            return QBrush(MUTED_COLOUR)
        return None
