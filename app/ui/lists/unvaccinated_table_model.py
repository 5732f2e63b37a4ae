"""未接種者一覧 rows (``unvaccinated.build_list``) as a table model, already masked by the
service; sorted and filtered through ``RecordSortProxy``."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QObject

from app.services.unvaccinated import UnvaccinatedEntry
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

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.area_names: dict[str, str] = {}  # set by the page from the register's 地区 names

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
