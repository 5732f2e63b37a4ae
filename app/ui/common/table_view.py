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
