"""The person view's due list: what is due on a day, one row per series, sortable. The first open
series (接種可 / 間隔待ち) is selected when a person is shown, so F5 prints its 予診票; the arrow
keys choose another series. Series that do not apply to the person (対象外: 高齢者 vaccines for a
child, HPV for a boy) are left out unless 「対象外も表示」 is ticked, so the series that matter fit
on the screen without scrolling."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.domain.schedule import OPEN_STATUSES, SeriesStatus
from app.domain.wareki import format_both
from app.ui.common.record_sort_proxy import RecordSortProxy
from app.ui.common.table_view import read_only_table
from app.ui.person.due_list_model import DueListColumn, DueListModel


class DueListProxy(RecordSortProxy):
    """Hides the 対象外 rows unless ``show_not_applicable``."""

    show_not_applicable = False

    def set_show_not_applicable(self, show: bool) -> None:
        if not hasattr(self, "beginFilterChange"):  # Qt before 6.9 (pyproject allows 6.8)
            self.show_not_applicable = show
            self.invalidateFilter()
            return
        self.beginFilterChange()
        self.show_not_applicable = show
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        source = self.sourceModel()
        if (
            not self.show_not_applicable
            and isinstance(source, DueListModel)
            and source.series_at(source_row).status == "not_applicable"
        ):
            return False
        return super().filterAcceptsRow(source_row, source_parent)


class DueListPanel(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dueListPanel")
        self.setFlat(True)  # the title sits in the row with the date (one line less)
        self.model = DueListModel(self)
        self.proxy = DueListProxy(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 4)
        top = QHBoxLayout()
        self.title_label = QLabel(self.tr("Due list"), self)
        self.title_label.setObjectName("panelTitle")
        top.addWidget(self.title_label)
        self.on_label = QLabel(self)
        self.on_label.setObjectName("dueOnLabel")
        self.all_check = QCheckBox(self.tr("Also show series that do not apply"), self)
        self.all_check.setObjectName("dueShowAll")
        self.all_check.toggled.connect(self.proxy.set_show_not_applicable)
        top.addWidget(self.on_label)
        top.addStretch(1)
        top.addWidget(self.all_check)
        layout.addLayout(top)
        self.table = read_only_table(
            self,
            "dueListTable",
            self.proxy,
            sort_column=-1,  # catalog order until sorted
            single_selection=True,
            stretch_column=DueListColumn.WARNINGS,
        )
        layout.addWidget(self.table)
        self.unavailable = QLabel(self.tr("The due list is not available for this role."), self)
        self.unavailable.setVisible(False)
        layout.addWidget(self.unavailable)

    def show_series(self, series: Sequence[SeriesStatus], on: date) -> None:
        self.model.set_evaluation(series, on)
        self.on_label.setText(self.tr("As of %1").replace("%1", format_both(on)))
        self.unavailable.setVisible(False)
        self.all_check.setVisible(True)
        self.table.setVisible(True)
        self.select_first_open()

    def show_unavailable(self) -> None:
        self.model.clear()
        self.on_label.setText("")
        self.table.setVisible(False)
        self.all_check.setVisible(False)
        self.unavailable.setVisible(True)

    def select_first_open(self) -> None:
        for row in range(self.proxy.rowCount()):
            record = self.proxy.record_at(row)
            if isinstance(record, SeriesStatus) and record.status in OPEN_STATUSES:
                self.select_row(row)
                return
        if self.proxy.rowCount():
            self.select_row(0)

    def select_row(self, row: int) -> None:
        index = self.proxy.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def current_series(self) -> SeriesStatus | None:
        record = self.proxy.record_at(self.table.currentIndex().row())
        return record if isinstance(record, SeriesStatus) else None

    def first_open(self) -> SeriesStatus | None:
        rows = (self.model.series_at(r) for r in range(self.model.rowCount()))
        return next((s for s in rows if s.status in OPEN_STATUSES), None)
