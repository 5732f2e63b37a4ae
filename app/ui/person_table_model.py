"""Search results as a Qt table model with named columns, plus its sort/filter proxy.

The model holds the service's already-masked ``PersonSummary`` rows (no personal number exists in
them). Roles: DisplayRole is the text shown, ``SORT_ROLE`` a value that sorts correctly (ISO date,
age in months, kana), ``PERSON_ID_ROLE`` the person's id for opening the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from app.services.persons import PersonSummary
from app.ui import display_text
from app.ui.display_text import QT_TRANSLATE_NOOP

PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
INACTIVE_COLOUR = QColor("#6b6b6b")

AnyIndex = QModelIndex | QPersistentModelIndex


class PersonColumn(IntEnum):
    ATENA_NO = 0
    NAME = 1
    NAME_KANA = 2
    SEX = 3
    BIRTH_DATE = 4
    AGE = 5
    ADDRESS = 6
    STATUS = 7


HEADERS: dict[PersonColumn, str] = {
    PersonColumn.ATENA_NO: QT_TRANSLATE_NOOP("PersonTableModel", "Address no."),
    PersonColumn.NAME: QT_TRANSLATE_NOOP("PersonTableModel", "Name"),
    PersonColumn.NAME_KANA: QT_TRANSLATE_NOOP("PersonTableModel", "Name (kana)"),
    PersonColumn.SEX: QT_TRANSLATE_NOOP("PersonTableModel", "Sex"),
    PersonColumn.BIRTH_DATE: QT_TRANSLATE_NOOP("PersonTableModel", "Date of birth"),
    PersonColumn.AGE: QT_TRANSLATE_NOOP("PersonTableModel", "Age"),
    PersonColumn.ADDRESS: QT_TRANSLATE_NOOP("PersonTableModel", "Address"),
    PersonColumn.STATUS: QT_TRANSLATE_NOOP("PersonTableModel", "Status"),
}


class PersonTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self._people: list[PersonSummary] = []
        self._today = today

    # --- content -----------------------------------------------------------------------------

    def set_people(self, people: Sequence[PersonSummary]) -> None:
        self.beginResetModel()
        self._people = list(people)
        self.endResetModel()

    def clear(self) -> None:
        self.set_people(())

    def person_at(self, row: int) -> PersonSummary:
        return self._people[row]

    @property
    def today(self) -> date:
        return self._today or date.today()

    # --- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._people)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(PersonColumn)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if 0 <= section < len(PersonColumn):
            return QCoreApplication.translate("PersonTableModel", HEADERS[PersonColumn(section)])
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._people):
            return None
        person = self._people[index.row()]
        column = PersonColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(person, column)
        if role == SORT_ROLE:
            return self._sort_key(person, column)
        if role == PERSON_ID_ROLE:
            return person.person_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            PersonColumn.ATENA_NO,
            PersonColumn.AGE,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and (person.moved_out or person.deceased):
            return QBrush(INACTIVE_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole and column == PersonColumn.ADDRESS:
            return person.address
        return None

    def _display(self, person: PersonSummary, column: PersonColumn) -> str:
        match column:
            case PersonColumn.ATENA_NO:
                return person.atena_no
            case PersonColumn.NAME:
                return person.name
            case PersonColumn.NAME_KANA:
                return person.name_kana
            case PersonColumn.SEX:
                return display_text.sex_text(person.sex)
            case PersonColumn.BIRTH_DATE:
                return display_text.long_date_text(person.birth_date)
            case PersonColumn.AGE:
                return display_text.age_text(person.birth_date, self.today)
            case PersonColumn.ADDRESS:
                return person.address
            case PersonColumn.STATUS:
                return display_text.residence_text(person.moved_out, person.deceased)

    def _sort_key(self, person: PersonSummary, column: PersonColumn) -> Any:
        match column:
            case PersonColumn.BIRTH_DATE:
                return person.birth_date.isoformat()
            case PersonColumn.AGE:
                return display_text.age_months(person.birth_date, self.today)
            case PersonColumn.STATUS:
                return 2 if person.deceased else 1 if person.moved_out else 0
            case _:
                return self._display(person, column)


class PersonSortProxy(QSortFilterProxyModel):
    """Sorts by ``SORT_ROLE``; ``set_active_only`` hides persons who moved out or died."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setSortLocaleAware(False)
        self._active_only = False

    def set_active_only(self, active_only: bool) -> None:
        self.beginFilterChange()
        self._active_only = active_only
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not self._active_only:
            return True
        model = self.sourceModel()
        if not isinstance(model, PersonTableModel):
            return True
        person = model.person_at(source_row)
        return not (person.moved_out or person.deceased)

    def person_id_at(self, row: int) -> int | None:
        if not 0 <= row < self.rowCount():
            return None
        value = self.index(row, 0).data(PERSON_ID_ROLE)
        return int(value) if value is not None else None
