"""Record types and field names of sync records in words, for the conflict queue: people read
「接種日」 and 「ロット番号」, never ``vaccinated_on`` or ``lot_no`` (the key stays in the tooltip).
The keys are those of the record schemas (schemas/records); a key this list does not know is shown
as it is rather than hidden."""

from __future__ import annotations

from app.ui.common.display_text import QT_TRANSLATE_NOOP, key_text

CONTEXT = "RecordLabels"
RECORD_TYPE_TEXT = {
    "household": QT_TRANSLATE_NOOP("RecordLabels", "Household"),
    "institution": QT_TRANSLATE_NOOP("RecordLabels", "Medical institution"),
    "issuance": QT_TRANSLATE_NOOP("RecordLabels", "Issued document"),
    "lot": QT_TRANSLATE_NOOP("RecordLabels", "Lot"),
    "person": QT_TRANSLATE_NOOP("RecordLabels", "Resident"),
    "person_number": QT_TRANSLATE_NOOP("RecordLabels", "Personal number"),
    "postponement": QT_TRANSLATE_NOOP("RecordLabels", "Postponement"),
    "purge": QT_TRANSLATE_NOOP("RecordLabels", "Erasure"),
    "vaccination": QT_TRANSLATE_NOOP("RecordLabels", "Vaccination"),
    "vaccine": QT_TRANSLATE_NOOP("RecordLabels", "Vaccine"),
}
FIELD_TEXT = {
    "address": QT_TRANSLATE_NOOP("RecordLabels", "Address"),
    "area_code": QT_TRANSLATE_NOOP("RecordLabels", "Area code"),
    "atena_no": QT_TRANSLATE_NOOP("RecordLabels", "Resident number"),
    "birth_date": QT_TRANSLATE_NOOP("RecordLabels", "Date of birth"),
    "category": QT_TRANSLATE_NOOP("RecordLabels", "Category"),
    "code": QT_TRANSLATE_NOOP("RecordLabels", "Institution code"),
    "deceased": QT_TRANSLATE_NOOP("RecordLabels", "Deceased"),
    "deceased_date": QT_TRANSLATE_NOOP("RecordLabels", "Date of death"),
    "doc_type": QT_TRANSLATE_NOOP("RecordLabels", "Document type"),
    "doctor": QT_TRANSLATE_NOOP("RecordLabels", "Doctor"),
    "dose_amount_ml": QT_TRANSLATE_NOOP("RecordLabels", "Dose (mL)"),
    "dose_label": QT_TRANSLATE_NOOP("RecordLabels", "Dose label"),
    "dose_no": QT_TRANSLATE_NOOP("RecordLabels", "Dose number"),
    "effective_date": QT_TRANSLATE_NOOP("RecordLabels", "Effective date"),
    "expires_on": QT_TRANSLATE_NOOP("RecordLabels", "Expiry date"),
    "fiscal_year": QT_TRANSLATE_NOOP("RecordLabels", "Fiscal year"),
    "follow_up": QT_TRANSLATE_NOOP("RecordLabels", "Follow-up"),
    "guardian_uid": QT_TRANSLATE_NOOP("RecordLabels", "Guardian"),
    "household_no": QT_TRANSLATE_NOOP("RecordLabels", "Household number"),
    "household_uid": QT_TRANSLATE_NOOP("RecordLabels", "Household"),
    "institution_uid": QT_TRANSLATE_NOOP("RecordLabels", "Medical institution"),
    "issuance_uid": QT_TRANSLATE_NOOP("RecordLabels", "Issued document"),
    "issue_no": QT_TRANSLATE_NOOP("RecordLabels", "Issue number"),
    "issued_on": QT_TRANSLATE_NOOP("RecordLabels", "Date of issue"),
    "items": QT_TRANSLATE_NOOP("RecordLabels", "Records"),
    "lot_no": QT_TRANSLATE_NOOP("RecordLabels", "Lot number"),
    "maker": QT_TRANSLATE_NOOP("RecordLabels", "Manufacturer"),
    "moved_in_date": QT_TRANSLATE_NOOP("RecordLabels", "Date moved in"),
    "moved_out": QT_TRANSLATE_NOOP("RecordLabels", "Moved out"),
    "moved_out_date": QT_TRANSLATE_NOOP("RecordLabels", "Date moved out"),
    "name": QT_TRANSLATE_NOOP("RecordLabels", "Name"),
    "name_kana": QT_TRANSLATE_NOOP("RecordLabels", "Name (kana)"),
    "number": QT_TRANSLATE_NOOP("RecordLabels", "Personal number"),
    "override_reason": QT_TRANSLATE_NOOP("RecordLabels", "Reason for the exception"),
    "payment_month": QT_TRANSLATE_NOOP("RecordLabels", "Payment month"),
    "person_uid": QT_TRANSLATE_NOOP("RecordLabels", "Person concerned"),
    "phone": QT_TRANSLATE_NOOP("RecordLabels", "Phone"),
    "place": QT_TRANSLATE_NOOP("RecordLabels", "Place"),
    "policy_sha256": QT_TRANSLATE_NOOP("RecordLabels", "Retention policy"),
    "postal_code": QT_TRANSLATE_NOOP("RecordLabels", "Postal code"),
    "postpone_reason": QT_TRANSLATE_NOOP("RecordLabels", "Reason for postponement"),
    "postponed_on": QT_TRANSLATE_NOOP("RecordLabels", "Date of postponement"),
    "process_kind": QT_TRANSLATE_NOOP("RecordLabels", "Processing kind"),
    "product_id": QT_TRANSLATE_NOOP("RecordLabels", "Product"),
    "provisional": QT_TRANSLATE_NOOP("RecordLabels", "Provisional"),
    "purged_on": QT_TRANSLATE_NOOP("RecordLabels", "Date of erasure"),
    "reason": QT_TRANSLATE_NOOP("RecordLabels", "Reason"),
    "receipt_no": QT_TRANSLATE_NOOP("RecordLabels", "Receipt number"),
    "relationship": QT_TRANSLATE_NOOP("RecordLabels", "Relationship"),
    "route": QT_TRANSLATE_NOOP("RecordLabels", "Route"),
    "screening_doctor": QT_TRANSLATE_NOOP("RecordLabels", "Screening doctor"),
    "screening_institution_uid": QT_TRANSLATE_NOOP("RecordLabels", "Screening institution"),
    "series_id": QT_TRANSLATE_NOOP("RecordLabels", "Vaccination type"),
    "sex": QT_TRANSLATE_NOOP("RecordLabels", "Sex"),
    "site": QT_TRANSLATE_NOOP("RecordLabels", "Site"),
    "special_rule": QT_TRANSLATE_NOOP("RecordLabels", "Special rule"),
    "tax_status": QT_TRANSLATE_NOOP("RecordLabels", "Tax status"),
    "updated_by": QT_TRANSLATE_NOOP("RecordLabels", "Updated by"),
    "updated_date": QT_TRANSLATE_NOOP("RecordLabels", "Date updated"),
    "updated_time": QT_TRANSLATE_NOOP("RecordLabels", "Time updated"),
    "vaccinated_on": QT_TRANSLATE_NOOP("RecordLabels", "Date of vaccination"),
    "vaccine_name": QT_TRANSLATE_NOOP("RecordLabels", "Vaccine name"),
    "voided": QT_TRANSLATE_NOOP("RecordLabels", "Voided"),
}


def record_type_text(record_type: str) -> str:
    """The Japanese name of a sync record type (the key itself when unknown)."""
    return key_text(CONTEXT, RECORD_TYPE_TEXT, record_type)


def field_text(name: str) -> str:
    """The Japanese name of a record field (the key itself when unknown)."""
    return key_text(CONTEXT, FIELD_TEXT, name)
