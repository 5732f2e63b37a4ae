"""発行履歴 (issuance history) of one person as a table model, newest first as the service gives
it: date, document, series, dose, number, new/reissue with the reason, and voided rows greyed."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.services.person_card import IssuanceLine
from app.ui.common import display_text
from app.ui.common.display_text import QT_TRANSLATE_NOOP, key_text
from app.ui.common.record_table_model import Column, RecordTableModel

CONTEXT = "IssuanceHistoryModel"
DOC_TEXT = {
    "yoshinhyo": QT_TRANSLATE_NOOP("IssuanceHistoryModel", "Screening form"),
    "voucher": QT_TRANSLATE_NOOP("IssuanceHistoryModel", "Voucher"),
    "certificate": QT_TRANSLATE_NOOP("IssuanceHistoryModel", "Certificate"),
    "notice": QT_TRANSLATE_NOOP("IssuanceHistoryModel", "Notice"),
}


def doc_text(doc_type: str) -> str:
    return key_text(CONTEXT, DOC_TEXT, doc_type)


def _kind_text(row: IssuanceLine) -> str:
    if row.process_kind == "reissue":
        kind = QCoreApplication.translate("IssuanceHistoryModel", "Reissue")
        return f"{kind}（{row.reason}）" if row.reason else kind
    return QCoreApplication.translate("IssuanceHistoryModel", "New")


def _state_text(row: IssuanceLine) -> str:
    if row.voided_at:
        voided = QCoreApplication.translate("IssuanceHistoryModel", "Voided")
        return f"{voided}（{row.void_reason}）" if row.void_reason else voided
    return QCoreApplication.translate("IssuanceHistoryModel", "Valid")


class IssuanceHistoryModel(RecordTableModel[IssuanceLine]):
    CONTEXT = CONTEXT
    COLUMNS: tuple[Column[IssuanceLine], ...] = (
        Column(
            QT_TRANSLATE_NOOP("IssuanceHistoryModel", "Issued on"),
            lambda r: display_text.short_date_text(r.issued_on),
            lambda r: f"{r.issued_on.isoformat()}-{r.issuance_id:010d}",
        ),
        Column(
            QT_TRANSLATE_NOOP("IssuanceHistoryModel", "Document"), lambda r: doc_text(r.doc_type)
        ),
        Column(QT_TRANSLATE_NOOP("IssuanceHistoryModel", "Vaccine"), lambda r: r.series_name),
        Column(QT_TRANSLATE_NOOP("IssuanceHistoryModel", "Dose"), lambda r: r.dose_label or "—"),
        Column(QT_TRANSLATE_NOOP("IssuanceHistoryModel", "Number"), lambda r: r.issue_no),
        Column(QT_TRANSLATE_NOOP("IssuanceHistoryModel", "Kind"), _kind_text),
        Column(QT_TRANSLATE_NOOP("IssuanceHistoryModel", "State"), _state_text),
    )

    def is_muted(self, record: IssuanceLine) -> bool:
        return bool(record.voided_at)
