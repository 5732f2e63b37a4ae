"""The sheets entered on the batch entry page in this sitting, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QModelIndex

from app.ui.common import display_text
from app.ui.common.display_text import QT_TRANSLATE_NOOP
from app.ui.common.record_table_model import Column, RecordTableModel

CONTEXT = "BatchEntryLogModel"


@dataclass(frozen=True, slots=True)
class EnteredSheet:
    sequence: int
    atena_no: str
    name: str
    series_name: str
    dose_label: str
    vaccinated_on: date
    override_reason: str | None


class BatchEntryLogModel(RecordTableModel[EnteredSheet]):
    CONTEXT = CONTEXT
    COLUMNS: tuple[Column[EnteredSheet], ...] = (
        Column(
            QT_TRANSLATE_NOOP("BatchEntryLogModel", "No."),
            lambda s: str(s.sequence),
            lambda s: s.sequence,
        ),
        Column(QT_TRANSLATE_NOOP("BatchEntryLogModel", "Address no."), lambda s: s.atena_no),
        Column(QT_TRANSLATE_NOOP("BatchEntryLogModel", "Name"), lambda s: s.name),
        Column(QT_TRANSLATE_NOOP("BatchEntryLogModel", "Vaccine"), lambda s: s.series_name),
        Column(QT_TRANSLATE_NOOP("BatchEntryLogModel", "Dose"), lambda s: s.dose_label or "—"),
        Column(
            QT_TRANSLATE_NOOP("BatchEntryLogModel", "Date given"),
            lambda s: display_text.short_date_text(s.vaccinated_on),
            lambda s: s.vaccinated_on.isoformat(),
        ),
        Column(
            QT_TRANSLATE_NOOP("BatchEntryLogModel", "Reason for override"),
            lambda s: display_text.optional_text(s.override_reason),
        ),
    )

    def add(self, sheet: EnteredSheet) -> None:
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._rows.insert(0, sheet)
        self.endInsertRows()
