"""The person view's layout numbers and helpers (issue 12 item 3) and its counter actions with
their keys: kept apart so the view itself stays a readable size."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QTableView

from app.security import permissions as perm
from app.ui.common.display_text import QT_TRANSLATE_NOOP

SIDE_WIDTH = 345  # the side column at 1280 px; the lists get the rest
SIDE_MIN_WIDTH = 300
MIN_HISTORY_ROWS = 8
# Widest a column of the history / due list may get (px): longer names are elided with "…" and
# shown whole in the tooltip, so the other columns stay in view without horizontal scrolling.
HISTORY_CAPS = {1: 140, 4: 115, 5: 90, 7: 90}
DUE_CAPS = {0: 190}
HOUSEHOLD_CAPS = {1: 100}


def compact_rows(table: QTableView) -> None:
    """Rows one text line high (plus padding), so a list shows as many rows as it can."""
    header = table.verticalHeader()
    header.setMinimumSectionSize(1)
    header.setDefaultSectionSize(table.fontMetrics().height() + 4)


MAX_HOUSEHOLD_ROWS = 8  # more scroll inside the side column's table


def fit_height_to_rows(table: QTableView, most: int) -> None:
    """As tall as its rows (at most ``most``), so no empty table area takes the side column."""
    rows = min(table.model().rowCount(), most) if table.model() is not None else 0
    height = table.horizontalHeader().height() + 2 * table.frameWidth() + 2
    height += sum(table.rowHeight(r) for r in range(rows))
    table.setFixedHeight(height)


@dataclass(frozen=True, slots=True)
class CounterAction:
    name: str
    text: str  # English source, marked for lupdate, translated in the PersonView context
    keys: str
    permission: str


# The counter's actions on a person, with their keys (shown on the buttons and in the status bar).
COUNTER_ACTIONS = (
    CounterAction(
        "print_yoshinhyo",
        QT_TRANSLATE_NOOP("PersonView", "Print screening form"),
        "F5",
        perm.PRINT_YOSHINHYO,
    ),
    CounterAction(
        "print_voucher", QT_TRANSLATE_NOOP("PersonView", "Print voucher"), "F6", perm.PRINT_VOUCHER
    ),
    CounterAction(
        "print_certificate",
        QT_TRANSLATE_NOOP("PersonView", "Print certificate"),
        "F7",
        perm.PRINT_CERTIFICATE,
    ),
    CounterAction(
        "record_result",
        QT_TRANSLATE_NOOP("PersonView", "Record result"),
        "F8",
        perm.VACCINATION_CREATE,
    ),
    CounterAction(
        "record_postponement",
        QT_TRANSLATE_NOOP("PersonView", "Record postponement"),
        "F9",
        perm.VACCINATION_CREATE,
    ),
    CounterAction(
        "correct_result",
        QT_TRANSLATE_NOOP("PersonView", "Correct result"),
        "Ctrl+E",
        perm.VACCINATION_CORRECT,
    ),
    CounterAction(
        "void_result",
        QT_TRANSLATE_NOOP("PersonView", "Void result"),
        "Ctrl+Del",
        perm.VACCINATION_VOID,
    ),
)
