"""Audit-log entries as a Qt table model with named columns, plus its sort/filter proxy. The
entries hold ids, codes and Japanese action names only (never names or numbers)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from app.services.audit_review import AuditRow
from app.ui.access_table_model import local_time_text

SORT_ROLE = Qt.ItemDataRole.UserRole + 2
REFUSED_COLOUR = QColor("#b71c1c")

AnyIndex = QModelIndex | QPersistentModelIndex


class AuditColumn(IntEnum):
    SEQ = 0
    AT = 1
    USER = 2
    STAFF_NO = 3
    TERMINAL = 4
    ACTION = 5
    OUTCOME = 6
    PERSON = 7
    RECORD = 8
    DETAIL = 9


class AuditTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AuditRow] = []

    def headers(self) -> dict[AuditColumn, str]:
        return {
            AuditColumn.SEQ: self.tr("No."),
            AuditColumn.AT: self.tr("Date and time"),
            AuditColumn.USER: self.tr("User"),
            AuditColumn.STAFF_NO: self.tr("Staff no."),
            AuditColumn.TERMINAL: self.tr("Terminal"),
            AuditColumn.ACTION: self.tr("Action"),
            AuditColumn.OUTCOME: self.tr("Outcome"),
            AuditColumn.PERSON: self.tr("Person ID"),
            AuditColumn.RECORD: self.tr("Record"),
            AuditColumn.DETAIL: self.tr("Detail"),
        }

    def outcome_text(self, outcome: str) -> str:
        return {
            "ok": self.tr("OK"),
            "failed": self.tr("Failed"),
            "denied": self.tr("Refused"),
        }.get(outcome, outcome)

    def set_rows(self, rows: Sequence[AuditRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> AuditRow:
        return self._rows[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(AuditColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return self.headers().get(AuditColumn(section))

    def _text(self, r: AuditRow, column: AuditColumn) -> str:
        if column is AuditColumn.SEQ:
            return str(r.seq)
        if column is AuditColumn.AT:
            return local_time_text(r.at)
        if column is AuditColumn.USER:
            return r.user_login or ""
        if column is AuditColumn.STAFF_NO:
            return r.staff_no or ""
        if column is AuditColumn.TERMINAL:
            return r.terminal_id
        if column is AuditColumn.ACTION:
            return r.action_ja
        if column is AuditColumn.OUTCOME:
            return self.outcome_text(r.outcome)
        if column is AuditColumn.PERSON:
            return "" if r.person_id is None else str(r.person_id)
        if column is AuditColumn.RECORD:
            if r.record_type is None:
                return ""
            return f"{r.record_type} #{r.record_id}" if r.record_id is not None else r.record_type
        return r.detail

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        column = AuditColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, column)
        if role == SORT_ROLE:
            if column is AuditColumn.SEQ:
                return r.seq
            if column is AuditColumn.AT:
                return r.at
            if column is AuditColumn.PERSON:
                return -1 if r.person_id is None else r.person_id
            return self._text(r, column)
        if role == Qt.ItemDataRole.ForegroundRole and r.outcome != "ok":
            return QBrush(REFUSED_COLOUR)
        return None


class AuditFilterProxy(QSortFilterProxyModel):
    """Sorts by ``SORT_ROLE``; a quick text filter over every column (on top of the service's
    filter, which decides what is read from the log)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
