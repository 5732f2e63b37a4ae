"""The due list of one person (what is due on a day, from ``schedule.due_list``) as a table model.

One row per routine series: status in Japanese (接種可 / 間隔待ち / 対象期間前 / 完了 / 期限切れ /
対象外), next dose, the earliest date and the window in 和暦, doses given / required and the
engine's warnings. Rows sort by ``SORT_ROLE``; the status column sorts open series first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtGui import QColor

from app.domain.schedule import OPEN_STATUSES, SeriesStatus
from app.domain.wareki import format_wareki_short
from app.ui.common.display_text import QT_TRANSLATE_NOOP, status_text
from app.ui.common.record_table_model import Column, RecordTableModel

CONTEXT = "DueListModel"
# Open series first, then what comes later, then what is closed.
STATUS_ORDER = {
    "due": 0,
    "waiting": 1,
    "upcoming": 2,
    "missed": 3,
    "complete": 4,
    "not_applicable": 5,
}
STATUS_COLOURS = {
    "due": QColor("#1b5e20"),
    "waiting": QColor("#e65100"),
    "missed": QColor("#b71c1c"),
}
MUTED = QColor("#6b6b6b")


def _day(d: date | None) -> str:
    return format_wareki_short(d) if d else "—"


def _window(s: SeriesStatus) -> str:
    if s.window_from is None and s.window_until is None:
        return "—"
    return f"{_day(s.window_from)}〜{_day(s.window_until)}"


def _doses(s: SeriesStatus) -> str:
    required = "—" if s.doses_required is None else str(s.doses_required)
    return f"{s.doses_given} / {required}"


def warnings_text(s: SeriesStatus) -> str:
    """The engine's warnings without their codes ("W_INTERVAL: …" → "…")."""
    return "／".join(w.split(": ", 1)[-1] for w in s.warnings)


def _iso(d: date | None) -> str:
    return d.isoformat() if d else "9999-12-31"


class DueListColumn:
    SERIES, STATUS, NEXT_DOSE, EARLIEST, WINDOW, DOSES, WARNINGS = range(7)


class DueListModel(RecordTableModel[SeriesStatus]):
    CONTEXT = CONTEXT
    COLUMNS: tuple[Column[SeriesStatus], ...] = (
        Column(QT_TRANSLATE_NOOP("DueListModel", "Vaccine"), lambda s: s.name_ja),
        Column(
            QT_TRANSLATE_NOOP("DueListModel", "Status"),
            lambda s: status_text(s.status),
            lambda s: STATUS_ORDER.get(s.status, 9),
        ),
        Column(QT_TRANSLATE_NOOP("DueListModel", "Next dose"), lambda s: s.next_dose or "—"),
        Column(
            QT_TRANSLATE_NOOP("DueListModel", "Earliest date"),
            lambda s: _day(s.earliest),
            lambda s: _iso(s.earliest),
        ),
        Column(
            QT_TRANSLATE_NOOP("DueListModel", "Period"), _window, lambda s: _iso(s.window_until)
        ),
        Column(
            QT_TRANSLATE_NOOP("DueListModel", "Doses given / required"),
            _doses,
            lambda s: s.doses_given,
        ),
        Column(QT_TRANSLATE_NOOP("DueListModel", "Warnings"), warnings_text),
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.on: date | None = None

    def set_evaluation(self, series: Sequence[SeriesStatus], on: date) -> None:
        self.on = on
        self.set_rows(series)

    def series_at(self, row: int) -> SeriesStatus:
        return self.row_at(row)

    def is_muted(self, record: SeriesStatus) -> bool:
        return record.status in ("complete", "not_applicable")

    def _foreground(self, s: SeriesStatus, column: Column[SeriesStatus]) -> QColor | None:
        if column is self.COLUMNS[DueListColumn.STATUS] and s.status in STATUS_COLOURS:
            return STATUS_COLOURS[s.status]
        return super()._foreground(s, column)

    def _tooltip(self, s: SeriesStatus, column: Column[SeriesStatus]) -> str | None:
        if column is self.COLUMNS[DueListColumn.WARNINGS] and s.warnings:
            return "\n".join(s.warnings)
        return super()._tooltip(s, column)


def open_series_ids(series: Sequence[SeriesStatus]) -> list[str]:
    return [s.id for s in series if s.status in OPEN_STATUSES]
