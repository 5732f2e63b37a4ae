"""A read-only table model over a list of records with declared columns, for the small tables of
the person view (household members, vaccination history, due list, 発行履歴) and the record lists
(未接種者一覧, batch entry log). Each column says how a record is shown and how it sorts
(``SORT_ROLE``); the tooltip is the shown text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from app.ui.common.row_table_model import RowTableModel

RecordT = TypeVar("RecordT")
MUTED_COLOUR = QColor("#6b6b6b")


@dataclass(frozen=True, slots=True)
class Column(Generic[RecordT]):
    header: str  # English source text, marked with QT_TRANSLATE_NOOP in the model's context
    display: Callable[[RecordT], str]
    sort_key: Callable[[RecordT], Any] | None = None


class RecordTableModel(RowTableModel[RecordT, Column[RecordT]]):
    """Subclasses set ``CONTEXT`` (translation context) and ``COLUMNS``; ``is_muted`` greys a row."""

    CONTEXT = "RecordTableModel"

    def is_muted(self, record: RecordT) -> bool:
        return False

    def headers(self) -> dict[Column[RecordT], str]:
        return {c: QCoreApplication.translate(self.CONTEXT, c.header) for c in self.COLUMNS}

    def _text(self, record: RecordT, column: Column[RecordT]) -> str:
        return column.display(record)

    def _sort_value(self, record: RecordT, column: Column[RecordT]) -> Any:
        return (column.sort_key or column.display)(record)

    def _tooltip(self, record: RecordT, column: Column[RecordT]) -> str | None:
        return column.display(record)

    def _foreground(self, record: RecordT, column: Column[RecordT]) -> QColor | None:
        return MUTED_COLOUR if self.is_muted(record) else None
