"""未接種者一覧 rows (``unvaccinated.build_list``) as a table model, already masked by the
service; sorted and filtered through ``RecordSortProxy``."""

from __future__ import annotations

from datetime import date

from app.services.unvaccinated import UnvaccinatedEntry
from app.ui.common import display_text
from app.ui.common.display_text import QT_TRANSLATE_NOOP, status_text
from app.ui.common.record_table_model import Column, RecordTableModel

CONTEXT = "UnvaccinatedTableModel"


def _day(d: date | None) -> str:
    return display_text.short_date_text(d) if d is not None else "—"


def _iso(d: date | None) -> str:
    return d.isoformat() if d is not None else "9999-12-31"


class UnvaccinatedTableModel(RecordTableModel[UnvaccinatedEntry]):
    CONTEXT = CONTEXT
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
