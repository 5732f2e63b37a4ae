"""未接種者一覧 rows as a table model, already masked by the service; sorted and filtered
through ``RecordSortProxy``.

The list is decided first (who, status, count: ``unvaccinated.decide_list``) and its rows' names
and addresses are fetched a page at a time: the model holds the rows fetched so far, knows the
list's size, and asks for the next page (``more_wanted``) when the view scrolls to the end of
them (Qt's ``canFetchMore``/``fetchMore``). The page fetches it on the job thread (the one
thread that uses the register connection) and hands the rows to ``append_rows``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Signal

from app.services.unvaccinated import PAGE_ROWS, UnvaccinatedEntry
from app.ui.common import display_text
from app.ui.common.display_text import QT_TRANSLATE_NOOP, status_text
from app.ui.common.record_table_model import Column, RecordTableModel

CONTEXT = "UnvaccinatedTableModel"


def _day(d: date | None) -> str:
    return display_text.short_date_text(d) if d is not None else "—"


def _iso(d: date | None) -> str:
    return d.isoformat() if d is not None else "9999-12-31"


def area_text(code: str | None, names: dict[str, str]) -> str:
    """「中川崎地区（01）」; the bare code when the register has no name for it; — for none."""
    if not code:
        return "—"
    name = names.get(code)
    return f"{name}（{code}）" if name else code


class UnvaccinatedTableModel(RecordTableModel[UnvaccinatedEntry]):
    CONTEXT = CONTEXT
    AREA_COLUMN = 5
    more_wanted = Signal(int)  # the list position of the next page the view wants

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.area_names: dict[str, str] = {}  # set by the page from the register's 地区 names
        self.total = 0  # rows in the decided list
        self.next_start = 0  # list position of the first row not fetched yet
        self.fetching = False  # a page has been asked for and has not arrived
        self.page_rows = PAGE_ROWS

    def set_first_page(
        self, rows: Sequence[UnvaccinatedEntry], total: int, next_start: int
    ) -> None:
        """A newly decided list of ``total`` rows, of which ``rows`` (list positions up to
        ``next_start``) are fetched."""
        self.total, self.next_start, self.fetching = total, next_start, False
        self.set_rows(rows)

    def append_rows(self, rows: Sequence[UnvaccinatedEntry], next_start: int) -> None:
        """The page that ends before list position ``next_start`` has arrived."""
        self.fetching = False
        self.next_start = max(self.next_start, next_start)
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    @property
    def all_fetched(self) -> bool:
        return self.next_start >= self.total

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self.all_fetched and not self.fetching

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self.fetching = True
            self.more_wanted.emit(self.next_start)

    def _text(self, record: UnvaccinatedEntry, column: Column[UnvaccinatedEntry]) -> str:
        if column is self.COLUMNS[self.AREA_COLUMN]:
            return area_text(record.area_code, self.area_names)
        return super()._text(record, column)

    def _tooltip(self, record: UnvaccinatedEntry, column: Column[UnvaccinatedEntry]) -> str | None:
        return self._text(record, column)

    def _sort_value(self, record: UnvaccinatedEntry, column: Column[UnvaccinatedEntry]) -> object:
        if column is self.COLUMNS[self.AREA_COLUMN]:
            return record.area_code or ""
        return super()._sort_value(record, column)

    COLUMNS: tuple[Column[UnvaccinatedEntry], ...] = (
        Column(QT_TRANSLATE_NOOP("UnvaccinatedTableModel", "Address no."), lambda e: e.atena_no),
        Column(QT_TRANSLATE_NOOP("UnvaccinatedTableModel", "Name"), lambda e: e.name),
        Column(QT_TRANSLATE_NOOP("UnvaccinatedTableModel", "Name (kana)"), lambda e: e.name_kana),
        Column(
            QT_TRANSLATE_NOOP("UnvaccinatedTableModel", "Sex"),
            lambda e: display_text.sex_text(e.sex),
        ),
        Column(
            QT_TRANSLATE_NOOP("UnvaccinatedTableModel", "Date of birth"),
            lambda e: _day(e.birth_date),
            lambda e: _iso(e.birth_date),
        ),
        Column(
            QT_TRANSLATE_NOOP("UnvaccinatedTableModel", "Area"),
            lambda e: display_text.optional_text(e.area_code),
        ),
        Column(QT_TRANSLATE_NOOP("UnvaccinatedTableModel", "Address"), lambda e: e.address),
        Column(
            QT_TRANSLATE_NOOP("UnvaccinatedTableModel", "Status"), lambda e: status_text(e.status)
        ),
        Column(
            QT_TRANSLATE_NOOP("UnvaccinatedTableModel", "Doses given"),
            lambda e: str(e.doses_given),
            lambda e: e.doses_given,
        ),
        Column(
            QT_TRANSLATE_NOOP("UnvaccinatedTableModel", "Next dose"), lambda e: e.next_dose or "—"
        ),
        Column(
            QT_TRANSLATE_NOOP("UnvaccinatedTableModel", "Earliest date"),
            lambda e: _day(e.earliest),
            lambda e: _iso(e.earliest),
        ),
        Column(
            QT_TRANSLATE_NOOP("UnvaccinatedTableModel", "Deadline"),
            lambda e: _day(e.window_until),
            lambda e: _iso(e.window_until),
        ),
    )
