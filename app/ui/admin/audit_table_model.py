"""Audit-log entries as a Qt table model with named columns, plus its sort/filter proxy. The
entries hold ids, codes and Japanese action names only (never names or numbers); they are shown
in Japanese (``audit_text``) in the terminal's local time."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtGui import QColor

from app.services.audit_review import AuditRow
from app.ui.admin.audit_text import detail_text, record_text
from app.ui.common.display_text import local_time_both
from app.ui.common.row_table_model import RowFilterProxy, RowTableModel

REFUSED_COLOUR = QColor("#b71c1c")


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


class AuditTableModel(RowTableModel[AuditRow, AuditColumn]):
    COLUMNS = tuple(AuditColumn)

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

    def _text(self, r: AuditRow, column: AuditColumn) -> str:
        if column is AuditColumn.SEQ:
            return str(r.seq)
        if column is AuditColumn.AT:
            return local_time_both(r.at)
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
            return record_text(r.record_type, r.record_id)
        return detail_text(r.detail)

    def _sort_value(self, r: AuditRow, column: AuditColumn) -> Any:
        if column is AuditColumn.SEQ:
            return r.seq
        if column is AuditColumn.AT:
            return r.at
        if column is AuditColumn.PERSON:
            return -1 if r.person_id is None else r.person_id
        return self._text(r, column)

    def _foreground(self, r: AuditRow, column: AuditColumn) -> QColor | None:
        return REFUSED_COLOUR if r.outcome != "ok" else None


class AuditFilterProxy(RowFilterProxy):
    """Sorts by ``SORT_ROLE``; a quick text filter over every column (on top of the service's
    filter, which decides what is read from the log)."""
