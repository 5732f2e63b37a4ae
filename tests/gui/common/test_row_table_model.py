"""The shared table-model base on its own: rows, shape, headers from ``headers()``, the roles it
routes to a model's hooks, and the shared sort/filter proxy."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QApplication

from app.ui.common.row_table_model import SORT_ROLE, RowFilterProxy, RowTableModel

ID_ROLE = Qt.ItemDataRole.UserRole + 1
RED = QColor("#b71c1c")


@dataclass(frozen=True)
class Fruit:
    fruit_id: int
    name: str
    count: int


class FruitColumn(IntEnum):
    NAME = 0
    COUNT = 1


class FruitModel(RowTableModel[Fruit, FruitColumn]):
    COLUMNS = tuple(FruitColumn)

    def headers(self) -> dict[FruitColumn, str]:
        return {FruitColumn.NAME: "Name", FruitColumn.COUNT: "Count"}

    def _text(self, row: Fruit, column: FruitColumn) -> str:
        return row.name if column is FruitColumn.NAME else str(row.count)

    def _sort_value(self, row: Fruit, column: FruitColumn) -> Any:
        return row.count if column is FruitColumn.COUNT else self._text(row, column)

    def _foreground(self, row: Fruit, column: FruitColumn) -> QColor | None:
        return RED if row.count == 0 else None

    def _tooltip(self, row: Fruit, column: FruitColumn) -> str | None:
        return f"{row.name}: {row.count}" if column is FruitColumn.NAME else None

    def _alignment(self, row: Fruit, column: FruitColumn) -> Qt.AlignmentFlag | None:
        return Qt.AlignmentFlag.AlignRight if column is FruitColumn.COUNT else None

    def _role_data(self, row: Fruit, column: FruitColumn, role: int) -> Any:
        return row.fruit_id if role == ID_ROLE else None


FRUITS = (Fruit(1, "Pear", 10), Fruit(2, "apple", 9), Fruit(3, "Fig", 0))


@pytest.fixture
def model(vaxdesk_app: QApplication) -> FruitModel:
    fruit = FruitModel()
    fruit.set_rows(FRUITS)
    return fruit


def _cell(model: FruitModel, row: int, column: FruitColumn, role: int) -> object:
    return model.data(model.index(row, column), role)


def test_rows_and_shape(model: FruitModel) -> None:
    assert (model.rowCount(), model.columnCount()) == (3, 2)
    assert model.rowCount(model.index(0, 0)) == 0 and model.columnCount(model.index(0, 0)) == 0
    assert model.row_at(1) == FRUITS[1]
    model.set_rows(FRUITS[:1])
    assert model.rowCount() == 1
    model.clear()
    assert model.rowCount() == 0 and model.data(model.index(0, 0)) is None


def test_headers_come_from_the_mapping(model: FruitModel) -> None:
    horizontal, display = Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole
    assert [model.headerData(c, horizontal, display) for c in range(2)] == ["Name", "Count"]
    assert model.headerData(2, horizontal, display) is None
    assert model.headerData(0, Qt.Orientation.Vertical, display) is None
    assert model.headerData(0, horizontal, Qt.ItemDataRole.ToolTipRole) is None


def test_roles_go_to_the_hooks(model: FruitModel) -> None:
    assert _cell(model, 0, FruitColumn.NAME, Qt.ItemDataRole.DisplayRole) == "Pear"
    assert _cell(model, 0, FruitColumn.COUNT, Qt.ItemDataRole.DisplayRole) == "10"
    assert _cell(model, 0, FruitColumn.COUNT, SORT_ROLE) == 10
    assert _cell(model, 0, FruitColumn.NAME, SORT_ROLE) == "Pear"  # the text by default
    assert _cell(model, 0, FruitColumn.NAME, Qt.ItemDataRole.ForegroundRole) is None
    brush = _cell(model, 2, FruitColumn.NAME, Qt.ItemDataRole.ForegroundRole)
    assert isinstance(brush, QBrush) and brush.color() == RED
    assert _cell(model, 1, FruitColumn.NAME, Qt.ItemDataRole.ToolTipRole) == "apple: 9"
    assert _cell(model, 1, FruitColumn.COUNT, Qt.ItemDataRole.ToolTipRole) is None
    alignment = _cell(model, 0, FruitColumn.COUNT, Qt.ItemDataRole.TextAlignmentRole)
    assert alignment == int(Qt.AlignmentFlag.AlignRight)
    assert _cell(model, 0, FruitColumn.NAME, Qt.ItemDataRole.TextAlignmentRole) is None
    assert [_cell(model, r, FruitColumn.NAME, ID_ROLE) for r in range(3)] == [1, 2, 3]
    assert _cell(model, 0, FruitColumn.NAME, Qt.ItemDataRole.DecorationRole) is None
    assert model.data(QModelIndex(), Qt.ItemDataRole.DisplayRole) is None
    flags = model.flags(model.index(0, 0))
    assert flags & Qt.ItemFlag.ItemIsSelectable and not flags & Qt.ItemFlag.ItemIsEditable
    assert model.flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags


def test_passes_qt_model_tester(model: FruitModel, qtmodeltester: object) -> None:
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_proxy_sorts_by_sort_role_and_filters_any_column(model: FruitModel) -> None:
    proxy = RowFilterProxy()
    proxy.setSourceModel(model)

    def names() -> list[object]:
        return [proxy.index(r, FruitColumn.NAME).data() for r in range(proxy.rowCount())]

    proxy.sort(FruitColumn.COUNT, Qt.SortOrder.AscendingOrder)  # 0 < 9 < 10, not as text
    assert names() == ["Fig", "apple", "Pear"]
    proxy.setFilterFixedString("APPLE")  # case does not matter
    assert names() == ["apple"]
    proxy.setFilterFixedString("10")  # any column
    assert names() == ["Pear"]
