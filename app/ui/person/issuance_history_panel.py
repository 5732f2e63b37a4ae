"""The person view's 発行履歴: every 予診票, voucher, 済証 and notice issued to the person, newest
first, with reissues and voided numbers."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.services.person_card import IssuanceLine
from app.ui.common.record_sort_proxy import RecordSortProxy
from app.ui.common.table_view import read_only_table
from app.ui.person.issuance_history_model import IssuanceHistoryModel


class IssuanceHistoryPanel(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Issuance history"), parent)
        self.setObjectName("issuanceHistoryPanel")
        self.model = IssuanceHistoryModel(self)
        self.proxy = RecordSortProxy(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        # newest first, as given, until a header is clicked
        self.table = read_only_table(self, "issuanceTable", self.proxy, sort_column=-1)
        layout.addWidget(self.table)
        self.empty = QLabel(self.tr("Nothing issued yet."), self)
        layout.addWidget(self.empty)

    def show_lines(self, lines: Sequence[IssuanceLine]) -> None:
        self.model.set_rows(lines)
        self.empty.setVisible(not lines)
