"""The read-only list table used by the pages and panels: whole rows selected, no editing,
alternating rows, no row numbers, columns sized to their contents and one column stretched."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget


def read_only_table(
    parent: QWidget,
    name: str,
    model: QAbstractItemModel | None = None,
    *,
    sort_column: int | None = None,
    sort_order: Qt.SortOrder = Qt.SortOrder.AscendingOrder,
    single_selection: bool = False,
    tab_key_navigation: bool = False,
    stretch_column: int | None = None,
) -> QTableView:
    """A table named ``name`` showing ``model``.

    ``sort_column``: None leaves sorting off; otherwise the header sorts, starting with that column
    (-1: the model's own order until a header is clicked). Tab leaves the table unless
    ``tab_key_navigation``. ``stretch_column`` takes the spare width (default: the last column).
    """
    table = QTableView(parent)
    table.setObjectName(name)
    if model is not None:
        table.setModel(model)
    if sort_column is not None:
        table.setSortingEnabled(True)
        table.sortByColumn(sort_column, sort_order)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single_selection:
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setTabKeyNavigation(tab_key_navigation)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch_column is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    return table


def cap_column_widths(table: QTableView, caps: dict[int, int]) -> None:
    """Size the columns to their contents, but no column in ``caps`` wider than its cap (pixels):
    longer texts are elided (…) and shown whole in the tooltip. The last column takes what is
    left. Call again after the rows change."""
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.resizeColumnsToContents()
    for column, cap in caps.items():
        if table.columnWidth(column) > cap:
            table.setColumnWidth(column, cap)


def shrink_to_fit(table: QTableView, columns: tuple[int, ...], least: int = 60) -> None:
    """Narrow ``columns`` (elided, tooltip whole), widest first and never below ``least`` px,
    until every visible column fits the table's width: no horizontal scrolling."""
    header = table.horizontalHeader()
    room = table.viewport().width()
    if table.verticalScrollBar().isVisible() or table.verticalScrollBar().maximum() > 0:
        room = min(room, table.width() - table.verticalScrollBar().sizeHint().width() - 4)
    shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
    excess = sum(header.sectionSize(c) for c in shown) + 2 - room
    for column in sorted(columns, key=header.sectionSize, reverse=True):
        if excess <= 0:
            break
        cut = min(excess, max(header.sectionSize(column) - least, 0))
        header.resizeSection(column, header.sectionSize(column) - cut)
        excess -= cut
