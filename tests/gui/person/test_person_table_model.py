"""The search-result table model on its own: shape, headers, roles, sorting and filtering."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QApplication

from app.services.persons import PersonSummary
from app.ui.common.row_table_model import SORT_ROLE
from app.ui.person.person_table_model import (
    PERSON_ID_ROLE,
    PersonColumn,
    PersonSortProxy,
    PersonTableModel,
)

TODAY = date(2025, 4, 10)


def _person(pid: int, atena: str, kana: str, birth: date, **flags: bool) -> PersonSummary:
    return PersonSummary(
        person_id=pid,
        atena_no=atena,
        name=f"氏名{pid}",
        name_kana=kana,
        sex="F" if pid % 2 else "M",
        birth_date=birth,
        address=f"テスト市本町{pid}",
        moved_out=flags.get("moved_out", False),
        deceased=flags.get("deceased", False),
    )


PEOPLE = (
    _person(1, "1000001", "ヤマダ タロウ", date(1990, 5, 1)),
    _person(2, "1000002", "ヤマダ ハナコ", date(2024, 11, 10), moved_out=True),
    _person(3, "1000003", "ヤマダ イチロウ", date(2019, 5, 1), deceased=True),
)


@pytest.fixture
def model(vaxdesk_app: QApplication) -> PersonTableModel:
    table = PersonTableModel(today=TODAY)
    table.set_rows(PEOPLE)
    return table


def _cell(model: PersonTableModel, row: int, column: PersonColumn, role: int) -> object:
    return model.data(model.index(row, column), role)


def test_shape_and_japanese_headers(model: PersonTableModel) -> None:
    assert (model.rowCount(), model.columnCount()) == (3, 8)
    assert model.rowCount(model.index(0, 0)) == 0  # a flat table
    headers = [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(model.columnCount())
    ]
    assert headers == [
        "宛名番号",
        "氏名",
        "カナ氏名",
        "性別",
        "生年月日",
        "年齢",
        "住所",
        "状態",
    ]
    assert model.headerData(0, Qt.Orientation.Vertical, Qt.ItemDataRole.DisplayRole) is None
    assert model.headerData(8, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) is None


def test_display_role_per_column(model: PersonTableModel) -> None:
    shown = [
        _cell(model, 0, c, Qt.ItemDataRole.DisplayRole)
        for c in PersonColumn  # row 0: born 1990-05-01, resident
    ]
    assert shown == [
        "1000001",
        "氏名1",
        "ヤマダ タロウ",
        "女",
        "平成2年5月1日 (1990-05-01)",
        "34歳11か月",
        "テスト市本町1",
        "",
    ]
    assert _cell(model, 1, PersonColumn.AGE, Qt.ItemDataRole.DisplayRole) == "5か月"
    assert _cell(model, 1, PersonColumn.STATUS, Qt.ItemDataRole.DisplayRole) == "転出"
    assert _cell(model, 2, PersonColumn.STATUS, Qt.ItemDataRole.DisplayRole) == "死亡"
    assert _cell(model, 2, PersonColumn.BIRTH_DATE, Qt.ItemDataRole.DisplayRole) == (
        "令和元年5月1日 (2019-05-01)"
    )


def test_other_roles(model: PersonTableModel) -> None:
    assert [_cell(model, r, PersonColumn.NAME, PERSON_ID_ROLE) for r in range(3)] == [1, 2, 3]
    assert _cell(model, 0, PersonColumn.BIRTH_DATE, SORT_ROLE) == "1990-05-01"
    assert _cell(model, 0, PersonColumn.AGE, SORT_ROLE) == 34 * 12 + 11
    assert _cell(model, 0, PersonColumn.ADDRESS, Qt.ItemDataRole.ToolTipRole) == "テスト市本町1"
    assert _cell(model, 0, PersonColumn.NAME, Qt.ItemDataRole.ForegroundRole) is None
    assert isinstance(_cell(model, 1, PersonColumn.NAME, Qt.ItemDataRole.ForegroundRole), QBrush)
    alignment = _cell(model, 0, PersonColumn.ATENA_NO, Qt.ItemDataRole.TextAlignmentRole)
    assert alignment == int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert model.data(QModelIndex(), Qt.ItemDataRole.DisplayRole) is None
    flags = model.flags(model.index(0, 0))
    assert flags & Qt.ItemFlag.ItemIsSelectable and not flags & Qt.ItemFlag.ItemIsEditable


def test_passes_qt_model_tester(model: PersonTableModel, qtmodeltester: object) -> None:
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_proxy_sorts_by_sort_role(model: PersonTableModel) -> None:
    proxy = PersonSortProxy()
    proxy.setSourceModel(model)

    def column(c: PersonColumn) -> list[object]:
        return [proxy.index(r, c).data() for r in range(proxy.rowCount())]

    proxy.sort(PersonColumn.BIRTH_DATE, Qt.SortOrder.AscendingOrder)
    assert column(PersonColumn.ATENA_NO) == ["1000001", "1000003", "1000002"]
    proxy.sort(PersonColumn.AGE, Qt.SortOrder.AscendingOrder)  # months, not text: 5か月 < 5歳
    assert column(PersonColumn.AGE) == ["5か月", "5歳11か月", "34歳11か月"]
    proxy.sort(PersonColumn.NAME_KANA, Qt.SortOrder.DescendingOrder)
    assert column(PersonColumn.NAME_KANA) == ["ヤマダ ハナコ", "ヤマダ タロウ", "ヤマダ イチロウ"]
    assert proxy.person_id_at(0) == 2 and proxy.person_id_at(3) is None


def test_proxy_hides_moved_out_and_deceased(model: PersonTableModel) -> None:
    proxy = PersonSortProxy()
    proxy.setSourceModel(model)
    proxy.set_active_only(True)
    assert proxy.rowCount() == 1 and proxy.person_id_at(0) == 1
    proxy.set_active_only(False)
    assert proxy.rowCount() == 3


def test_reset_with_new_people(model: PersonTableModel) -> None:
    model.set_rows(PEOPLE[:1])
    assert model.rowCount() == 1 and model.row_at(0).person_id == 1
    model.clear()
    assert model.rowCount() == 0
