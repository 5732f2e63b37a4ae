"""The use cases the UI used to assemble itself, now one service call each: the person card
(record, due list, 発行履歴, catalog) and reading a scanned sheet at batch entry. Also the service
dataclasses that replaced store rows (発行履歴, the audit chain check)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.domain.schedule.model import OPEN_STATUSES
from app.errors import InvalidInput, NotFound, PermissionDenied
from app.security.session import Session
from app.services import batch_entry, issuance, maintenance, person_card, persons, schedule
from app.store import issuances as issuance_store
from tests.support.registers import add_masters, login_as, make_register

DAY = date(2026, 6, 1)  # 山田 太郎 (born 2025-05-10) is inside the MR 1期 window


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    code = make_register(tmp_path / "reg")
    add_masters(tmp_path / "reg", code)
    return tmp_path / "reg"


@pytest.fixture
def clerk(reg: Path) -> Iterator[Session]:
    s = login_as(reg, "clerk")
    yield s
    s.register.close()


def _taro(session: Session) -> int:
    return persons.search(session, "0000000001").people[0].person_id


def _actions(session: Session) -> list[tuple[str, str, int | None]]:
    rows = session.register.conn.execute(
        "SELECT action, outcome, person_id FROM audit_log ORDER BY seq"
    ).fetchall()
    return [(a, o, p) for a, o, p in rows]


def test_person_card_holds_record_due_list_history_and_catalog(clerk: Session) -> None:
    pid = _taro(clerk)
    issued = issuance.issue(clerk, pid, "yoshinhyo", series_id="mr1", dose_label="1回目", on=DAY)
    card = person_card.open_card(clerk, pid, on=DAY)
    assert card.detail == persons.open_person(clerk, pid)
    assert card.on == DAY
    assert card.due is not None
    assert card.due == schedule.due_list(clerk, pid, DAY).series
    mr = next(s for s in card.due if s.id == "mr1")
    assert mr.status == "due"
    [line] = card.issued
    mr_name = next(s.name_ja for s in card.catalog.series if s.id == "mr1")
    assert (line.issuance_id, line.issue_no, line.series_name, line.dose_label) == (
        issued.issuance_id,
        issued.issue_no,
        mr_name,
        "1回目",
    )
    assert (line.issued_on, line.doc_type, line.process_kind, line.voided_at) == (
        DAY,
        "yoshinhyo",
        "new",
        None,
    )


def test_person_card_is_audited_like_the_calls_it_replaces(clerk: Session) -> None:
    pid = _taro(clerk)
    before = len(_actions(clerk))
    person_card.open_card(clerk, pid, on=DAY)
    card_entries = _actions(clerk)[before:]
    persons.open_person(clerk, pid)
    schedule.due_list(clerk, pid, DAY)
    issuance.history(clerk, pid)
    separate_entries = _actions(clerk)[before + len(card_entries) :]
    assert card_entries == separate_entries
    assert ("person.view", "ok", pid) in card_entries


def test_person_card_leaves_out_what_the_role_may_not_read(clerk: Session) -> None:
    """No shipped role reads persons without the schedule and 発行履歴; a session narrowed by
    hand stands for one, and gets the record without those parts (and no refusal entries)."""
    pid = _taro(clerk)
    issuance.issue(clerk, pid, "voucher", series_id="mr1", on=DAY)
    clerk.permissions = clerk.permissions - {"schedule.read", "issuance.read"}
    before = len(_actions(clerk))
    card = person_card.open_card(clerk, pid, on=DAY)
    assert card.detail.summary.person_id == pid
    assert (card.due, card.issued) == (None, ())
    assert _actions(clerk)[before:] == [("person.view", "ok", pid)]


def test_person_card_reuses_the_catalog_it_is_given(clerk: Session) -> None:
    catalog = schedule.catalog_for(clerk)
    card = person_card.open_card(clerk, _taro(clerk), on=DAY, catalog=catalog)
    assert card.catalog is catalog


def test_person_card_is_refused_without_person_read_and_the_refusal_is_audited(
    reg: Path,
) -> None:
    admin = login_as(reg, "admin")
    try:
        with pytest.raises(PermissionDenied):
            person_card.open_card(admin, 1, on=DAY)
        action, outcome, _ = _actions(admin)[-1]
        assert (action, outcome) == ("person.view", "denied")
    finally:
        admin.register.close()


def test_issuance_history_returns_service_dataclasses(clerk: Session) -> None:
    pid = _taro(clerk)
    issuance.issue(clerk, pid, "voucher", series_id="mr1", on=DAY)
    [doc] = issuance.history(clerk, pid)
    assert isinstance(doc, issuance.IssuedDocument)
    assert not isinstance(doc, issuance_store.IssuanceRow)
    assert (doc.doc_type, doc.series_id, doc.issued_on) == ("voucher", "mr1", DAY)


def test_a_scanned_document_fills_the_sheet_from_the_document(clerk: Session) -> None:
    pid = _taro(clerk)
    issued = issuance.issue(clerk, pid, "yoshinhyo", series_id="mr1", dose_label="1回目", on=DAY)
    sheet = batch_entry.read_scan(clerk, f"A{issued.issue_no}A")
    assert sheet.person.person_id == pid
    assert (sheet.series_id, sheet.dose_label, sheet.issuance_id) == (
        "mr1",
        "1回目",
        issued.issuance_id,
    )
    scans = [detail for action, detail in _scan_details(clerk)]
    assert scans[-1] == {"kind": "issuance"}


def test_a_typed_atena_number_offers_the_first_open_series(clerk: Session) -> None:
    sheet = batch_entry.read_scan(clerk, "0000000001")
    pid = _taro(clerk)
    due = schedule.due_list(clerk, pid).series
    first = next(s for s in due if s.status in OPEN_STATUSES)
    assert sheet.person.person_id == pid
    assert (sheet.series_id, sheet.dose_label, sheet.issuance_id) == (
        first.id,
        first.next_dose,
        None,
    )
    assert sheet.person.name == persons.open_person(clerk, pid).summary.name


def test_bad_and_unknown_codes_are_refused_with_codes(clerk: Session) -> None:
    with pytest.raises(InvalidInput) as err:
        batch_entry.read_scan(clerk, "12AB34")
    assert err.value.code == "E_SCAN_FORMAT"
    with pytest.raises(NotFound):
        batch_entry.read_scan(clerk, "9999999999")


def test_batch_entry_scan_is_refused_without_search_permission(reg: Path) -> None:
    admin = login_as(reg, "admin")
    try:
        with pytest.raises(PermissionDenied):
            batch_entry.read_scan(admin, "0000000001")
    finally:
        admin.register.close()


def test_audit_chain_check_is_a_service_dataclass(reg: Path) -> None:
    auditor = login_as(reg, "auditor")
    try:
        report = maintenance.verify_audit(auditor)
        assert isinstance(report, maintenance.AuditChainCheck)
        assert report.intact and report.entries > 0
    finally:
        auditor.register.close()


def _scan_details(session: Session) -> list[tuple[str, dict[str, str]]]:
    rows = session.register.conn.execute(
        "SELECT action, detail FROM audit_log WHERE action = 'person.scan' ORDER BY seq"
    ).fetchall()
    return [(a, json.loads(d)) for a, d in rows]
