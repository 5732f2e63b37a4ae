"""The due-list table model on its own: rows, Japanese headers and status text, 和暦 dates, warnings
without codes, and sorting through the proxy."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QApplication

from app.domain.schedule import SeriesStatus
from app.ui.common.record_sort_proxy import RecordSortProxy
from app.ui.common.row_table_model import SORT_ROLE
from app.ui.person.due_list_model import DueListColumn, DueListModel, open_series_ids

ON = date(2025, 6, 1)


def _status(sid: str, status: str, **kw: object) -> SeriesStatus:
    values: dict[str, Any] = {  # SeriesStatus's fields, each of its own type
        "id": sid,
        "name_ja": f"{sid}名",
        "status": status,
        "next_dose": None,
        "earliest": None,
        "window_from": None,
        "window_until": None,
        "standard_from": None,
        "standard_until": None,
        "doses_given": 0,
        "doses_required": None,
        "warnings": (),
    }
    values.update(kw)
    return SeriesStatus(**values)


SERIES = (
    _status(
        "hepb",
        "missed",
        next_dose="1回目",
        doses_required=3,
        window_from=date(2024, 4, 10),
        window_until=date(2025, 4, 9),
    ),
    _status(
        "hib",
        "waiting",
        next_dose="追加",
        earliest=date(2025, 8, 7),
        doses_given=2,
        doses_required=3,
        warnings=("W_INTERVAL: 間隔が不足しています",),
    ),
    _status("pcv", "due", next_dose="1回目", earliest=date(2024, 6, 9), doses_required=1),
    _status("mr2", "upcoming", next_dose="2期", earliest=date(2030, 4, 1), doses_required=1),
    _status("bcg", "complete", doses_given=1, doses_required=1),
    _status("hpv", "not_applicable"),
)


def _column(model: QAbstractItemModel, column: int) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_rows_headers_and_japanese_text(vaxdesk_app: QApplication) -> None:
    model = DueListModel()
    model.set_evaluation(SERIES, ON)
    assert model.rowCount() == 6 and model.columnCount() == 7
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert headers == [
        "ワクチン",
        "状態",
        "次回",
        "接種可能日",
        "対象期間",
        "接種済 / 必要回数",
        "注意",
    ]
    assert _column(model, DueListColumn.STATUS) == [
        "期限切れ",
        "間隔待ち",
        "接種可",
        "対象期間前",
        "完了",
        "対象外",
    ]
    hib = 1
    assert model.index(hib, DueListColumn.NEXT_DOSE).data() == "追加"
    assert model.index(hib, DueListColumn.EARLIEST).data() == "R7.08.07"
    assert model.index(hib, DueListColumn.DOSES).data() == "2 / 3"
    assert model.index(hib, DueListColumn.WARNINGS).data() == "間隔が不足しています"
    assert "W_INTERVAL" in model.index(hib, DueListColumn.WARNINGS).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert model.index(0, DueListColumn.WINDOW).data() == "R6.04.10〜R7.04.09"
    assert model.index(5, DueListColumn.DOSES).data() == "0 / —"
    assert model.index(5, DueListColumn.EARLIEST).data() == "—"
    assert model.index(4, 0).data(Qt.ItemDataRole.ForegroundRole) is not None  # complete: greyed
    assert model.index(2, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    assert open_series_ids(SERIES) == ["hib", "pcv"]


def test_sorting_puts_open_series_first_and_dates_in_order(vaxdesk_app: QApplication) -> None:
    model = DueListModel()
    model.set_evaluation(SERIES, ON)
    proxy = RecordSortProxy()
    proxy.setSourceModel(model)
    proxy.sort(DueListColumn.STATUS, Qt.SortOrder.AscendingOrder)
    assert [proxy.record_at(r).id for r in range(6)] == ["pcv", "hib", "mr2", "hepb", "bcg", "hpv"]
    proxy.sort(DueListColumn.EARLIEST, Qt.SortOrder.AscendingOrder)
    assert [proxy.record_at(r).id for r in range(3)] == ["pcv", "hib", "mr2"]  # no date last
    proxy.sort(DueListColumn.DOSES, Qt.SortOrder.DescendingOrder)
    assert proxy.record_at(0).id == "hib"
    assert model.index(1, DueListColumn.STATUS).data(SORT_ROLE) == 1
    proxy.set_text_filter("hib")
    assert proxy.rowCount() == 1 and proxy.record_at(0).id == "hib"
    assert proxy.record_at(5) is None
