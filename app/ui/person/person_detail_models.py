"""Table models of the person view: household members (with 続柄) and vaccination history."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.services.persons import HistoryItem, HouseholdMember
from app.ui.common import display_text
from app.ui.common.display_text import QT_TRANSLATE_NOOP
from app.ui.common.record_table_model import Column, RecordTableModel


def _category_text(item: HistoryItem) -> str:
    if item.category == "routine":
        return QCoreApplication.translate("VaccinationHistoryModel", "Routine")
    if item.category == "voluntary":
        return QCoreApplication.translate("VaccinationHistoryModel", "Voluntary")
    return item.category


def _outcome_text(item: HistoryItem) -> str:
    if item.voided:
        voided = QCoreApplication.translate("VaccinationHistoryModel", "Voided")
        return f"{voided}（{item.void_reason}）" if item.void_reason else voided
    if item.outcome == "given":
        return QCoreApplication.translate("VaccinationHistoryModel", "Given")
    if item.outcome == "postponed":
        return QCoreApplication.translate("VaccinationHistoryModel", "Postponed")
    return item.outcome


class HouseholdTableModel(RecordTableModel[HouseholdMember]):
    CONTEXT = "HouseholdTableModel"
    COLUMNS: tuple[Column[HouseholdMember], ...] = (
        Column(
            QT_TRANSLATE_NOOP("HouseholdTableModel", "Relationship"),
            lambda m: display_text.optional_text(m.relationship),
        ),
        Column(QT_TRANSLATE_NOOP("HouseholdTableModel", "Name"), lambda m: m.name),
        Column(QT_TRANSLATE_NOOP("HouseholdTableModel", "Name (kana)"), lambda m: m.name_kana),
        Column(
            QT_TRANSLATE_NOOP("HouseholdTableModel", "Sex"),
            lambda m: display_text.sex_text(m.sex),
        ),
        Column(
            QT_TRANSLATE_NOOP("HouseholdTableModel", "Date of birth"),
            lambda m: display_text.short_date_text(m.birth_date),
            lambda m: m.birth_date.isoformat(),
        ),
    )
    SIDE_HIDDEN = (2, 3)  # カナ and 性別: left out of the person view's narrow side column

    def _tooltip(self, record: HouseholdMember, column: Column[HouseholdMember]) -> str | None:
        """Every cell's tooltip names the member in full (the side column hides カナ and 性別)."""
        return (
            f"{record.name}（{record.name_kana}） {display_text.sex_text(record.sex)} "
            f"{display_text.long_date_text(record.birth_date)}"
        )


class VaccinationHistoryModel(RecordTableModel[HistoryItem]):
    CONTEXT = "VaccinationHistoryModel"
    COLUMNS: tuple[Column[HistoryItem], ...] = (
        Column(
            QT_TRANSLATE_NOOP("VaccinationHistoryModel", "Date given"),
            lambda h: display_text.short_date_text(h.vaccinated_on),
            lambda h: h.vaccinated_on.isoformat(),
        ),
        Column(
            QT_TRANSLATE_NOOP("VaccinationHistoryModel", "Vaccine"),
            lambda h: h.vaccine_name or h.series_id,
        ),
        Column(
            QT_TRANSLATE_NOOP("VaccinationHistoryModel", "Dose"),
            lambda h: display_text.optional_text(h.dose_label),
        ),
        Column(QT_TRANSLATE_NOOP("VaccinationHistoryModel", "Category"), _category_text),
        Column(
            QT_TRANSLATE_NOOP("VaccinationHistoryModel", "Institution"),
            lambda h: display_text.optional_text(h.institution),
        ),
        Column(
            QT_TRANSLATE_NOOP("VaccinationHistoryModel", "Maker"),
            lambda h: display_text.optional_text(h.maker),
        ),
        Column(
            QT_TRANSLATE_NOOP("VaccinationHistoryModel", "Lot no."),
            lambda h: display_text.optional_text(h.lot_no),
        ),
        Column(
            QT_TRANSLATE_NOOP("VaccinationHistoryModel", "Doctor"),
            lambda h: display_text.optional_text(h.doctor),
        ),
        Column(QT_TRANSLATE_NOOP("VaccinationHistoryModel", "Result"), _outcome_text),
    )

    def is_muted(self, record: HistoryItem) -> bool:
        return record.voided
