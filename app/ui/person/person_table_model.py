"""Search results as a Qt table model with named columns, plus its sort/filter proxy.

The model holds the service's already-masked ``PersonSummary`` rows (no personal number exists in
them). Roles: DisplayRole is the text shown, ``SORT_ROLE`` a value that sorts correctly (ISO date,
age in months, kana), ``PERSON_ID_ROLE`` the person's id for opening the record.
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from app.services.persons import PersonSummary
from app.ui.common import display_text
from app.ui.common.display_text import QT_TRANSLATE_NOOP
from app.ui.common.row_table_model import SORT_ROLE, AnyIndex, RowTableModel

PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 1
INACTIVE_COLOUR = QColor("#6b6b6b")


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


class PersonTableModel(RowTableModel[PersonSummary, PersonColumn]):
    COLUMNS = tuple(PersonColumn)

    def __init__(self, parent: QObject | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self._today = today

    @property
    def today(self) -> date:
        return self._today or date.today()

    def headers(self) -> dict[PersonColumn, str]:
        return {c: QCoreApplication.translate("PersonTableModel", HEADERS[c]) for c in PersonColumn}

    def _text(self, person: PersonSummary, column: PersonColumn) -> str:
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

    def _sort_value(self, person: PersonSummary, column: PersonColumn) -> Any:
        match column:
            case PersonColumn.BIRTH_DATE:
                return person.birth_date.isoformat()
            case PersonColumn.AGE:
                return display_text.age_months(person.birth_date, self.today)
            case PersonColumn.STATUS:
                return 2 if person.deceased else 1 if person.moved_out else 0
            case _:
                return self._text(person, column)

    def _foreground(self, person: PersonSummary, column: PersonColumn) -> QColor | None:
        return INACTIVE_COLOUR if person.moved_out or person.deceased else None

    def _tooltip(self, person: PersonSummary, column: PersonColumn) -> str | None:
        return person.address if column == PersonColumn.ADDRESS else None

    def _alignment(self, person: PersonSummary, column: PersonColumn) -> Qt.AlignmentFlag | None:
        if column in (PersonColumn.ATENA_NO, PersonColumn.AGE):
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def _role_data(self, person: PersonSummary, column: PersonColumn, role: int) -> Any:
        return person.person_id if role == PERSON_ID_ROLE else None


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
        person = model.row_at(source_row)
        return not (person.moved_out or person.deceased)

    def person_id_at(self, row: int) -> int | None:
        if not 0 <= row < self.rowCount():
            return None
        value = self.index(row, 0).data(PERSON_ID_ROLE)
        return int(value) if value is not None else None
