"""The person view's 発行履歴: every 予診票, voucher, 済証 and notice issued to the person, newest
first, with reissues and voided numbers."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.ui.issuance_history_model import IssuanceHistoryModel, IssuanceLine
from app.ui.record_sort_proxy import RecordSortProxy


class IssuanceHistoryPanel(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Issuance history"), parent)
        self.setObjectName("issuanceHistoryPanel")
        self.model = IssuanceHistoryModel(self)
        self.proxy = RecordSortProxy(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        self.table = QTableView(self)
        self.table.setObjectName("issuanceTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # newest first, as given
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table)
        self.empty = QLabel(self.tr("Nothing issued yet."), self)
        layout.addWidget(self.empty)

    def show_lines(self, lines: Sequence[IssuanceLine]) -> None:
        self.model.set_rows(lines)
        self.empty.setVisible(not lines)
