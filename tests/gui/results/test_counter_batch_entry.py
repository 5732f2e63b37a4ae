"""Batch entry of returned 予診票 with the keyboard only: every key goes to the widget that has the
focus, as a scanner and a nurse would send it (no mouse, no setText)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.security.session import Session
from app.services import persons, printing
from app.ui.results.batch_entry_page import BatchEntryPage
from app.ui.results.override_reason_dialog import OverrideReasonDialog
from tests.gui import counter_register
from tests.gui.counter_register import WAIT_MS, focused, open_window, settle
from tests.gui.sample_register import CHILD_ATENA

OTHER_CHILD_ATENA = "2000001"
TODAY = date.today()

# The shared fixtures of the counter tests.
counter_clerk_session = counter_register.counter_clerk_session
counter_dir = counter_register.counter_dir
nurse_session = counter_register.nurse_session


def _keys(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def _press(qtbot: QtBot, key: Qt.Key, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(focused(), key)


def _scan(qtbot: QtBot, page: BatchEntryPage, code: str) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.scan_edit, timeout=WAIT_MS)
    _keys(qtbot, code)
    with qtbot.waitSignal(page.sheet_ready, timeout=WAIT_MS):
        _press(qtbot, Qt.Key.Key_Return)
    assert focused() is page.form.date_edit


def _person_id(session: Session, atena: str) -> int:
    return persons.search(session, atena).people[0].person_id


def test_a_stack_of_sheets_is_entered_without_the_mouse(
    qtbot: QtBot,
    vaxdesk_app: QApplication,
    nurse_session: Session,
    counter_clerk_session: Session,
    tmp_path: Path,
) -> None:
    other = _person_id(nurse_session, OTHER_CHILD_ATENA)
    child = _person_id(nurse_session, CHILD_ATENA)
    # the clerk issues at the counter; the nurse enters the returned sheets
    form_no = printing.print_yoshinhyo(counter_clerk_session, other, "pcv", tmp_path / "y.pdf")
    voucher = printing.print_vouchers(
        counter_clerk_session, [child], "varicella", tmp_path / "v.pdf"
    )
    counter_clerk_session.register.close()

    window = open_window(qtbot, nurse_session)
    qtbot.keyClick(focused(), Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # 結果入力（一括）
    page = window.batch_page
    assert page is not None and window.pages.currentWidget() is page
    assert focused() is page.scan_edit
    day = f"{TODAY:%Y%m%d}"

    # Sheet 1: the 予診票 barcode (issuance number) pre-fills 小児用肺炎球菌 and the form dose.
    _scan(qtbot, page, form_no.issue_numbers[0])
    assert page.form.series_id() == "pcv" and page.form.dose_edit.text() == "初回1回目"
    _keys(qtbot, day)
    _press(qtbot, Qt.Key.Key_Tab)
    _press(qtbot, Qt.Key.Key_Down)  # product: the first one for the series
    _press(qtbot, Qt.Key.Key_Tab, 2)  # lot left empty
    _keys(qtbot, "1310001")
    _press(qtbot, Qt.Key.Key_Tab)
    _keys(qtbot, "0.5")
    _press(qtbot, Qt.Key.Key_Tab)
    _press(qtbot, Qt.Key.Key_Down, 2)  # route: 筋肉内
    _press(qtbot, Qt.Key.Key_Tab)
    _press(qtbot, Qt.Key.Key_Down)  # site: 左上腕
    _press(qtbot, Qt.Key.Key_Tab)
    _keys(qtbot, "Dr Sato")
    _press(qtbot, Qt.Key.Key_Tab)
    _keys(qtbot, "R-001")
    _press(qtbot, Qt.Key.Key_Tab)
    _keys(qtbot, "202611")
    assert focused() is page.form.payment_month_edit
    with qtbot.waitSignal(page.sheet_saved, timeout=WAIT_MS) as saved:
        _press(qtbot, Qt.Key.Key_Return)
    entry = saved.args[0].entry
    assert entry.series_id == "pcv" and entry.product_id == "pcv20"
    assert (entry.route, entry.site, entry.payment_month) == ("筋肉内", "左上腕", "2026-11")
    assert entry.issuance_id == form_no.issuance_ids[0] and entry.dose_amount_ml == 0.5
    assert focused() is page.scan_edit and page.scan_edit.text() == ""

    # Sheet 2: a voucher read as NW-7 (A…A); an unknown lot needs a typed reason.
    _scan(qtbot, page, f"A{voucher.issue_numbers[0]}A")
    assert page.form.series_id() == "varicella"
    assert page.form.institution_edit.text() == "1310001"  # kept for the stack
    _keys(qtbot, f"{TODAY:%Y-%m-%d}")
    _press(qtbot, Qt.Key.Key_Tab, 2)  # 水痘 has one product, already chosen
    _keys(qtbot, "LOT99")
    with qtbot.waitSignal(page.recorder.override_requested, timeout=WAIT_MS) as asked:
        _press(qtbot, Qt.Key.Key_Return)
    dialog = asked.args[0]
    assert isinstance(dialog, OverrideReasonDialog)
    assert dialog.warning_list.item(0).toolTip() == "W_LOT_UNKNOWN"
    assert dialog.warning_list.item(0).text() == "ロット番号がマスタにありません。"
    qtbot.waitUntil(lambda: focused() is dialog.reason_edit, timeout=WAIT_MS)
    _keys(qtbot, "x")
    assert not dialog.ok_button.isEnabled()  # one character is not a reason
    _keys(qtbot, " lot confirmed by phone")
    with qtbot.waitSignal(page.sheet_saved, timeout=WAIT_MS) as saved:
        _press(qtbot, Qt.Key.Key_Return)
    assert saved.args[0].override_reason == "x lot confirmed by phone"

    # Sheet 3: the 宛名番号 typed; a future date is a hard error (Japanese only), then fixed.
    _scan(qtbot, page, CHILD_ATENA)
    assert page.form.series_id() == "dpt_ipv" and page.form.dose_edit.text() == "初回1回目"
    _keys(qtbot, "20991231")
    with qtbot.waitSignal(page.error_shown, timeout=WAIT_MS) as failed:
        _press(qtbot, Qt.Key.Key_Return)
    assert failed.args[0] == "E_RESULT_FUTURE_DATE"
    assert "E_RESULT" not in page.message.text() and "未来" in page.message.text()
    assert page.message.toolTip() == "E_RESULT_FUTURE_DATE"  # for the help desk, not the clerk
    assert focused() is page.form.date_edit and page.form.date_edit.selectedText() == "20991231"
    _keys(qtbot, day)
    with qtbot.waitSignal(page.sheet_saved, timeout=WAIT_MS):
        _press(qtbot, Qt.Key.Key_Return)

    # Sheet 4 is skipped with Esc.
    _scan(qtbot, page, OTHER_CHILD_ATENA)
    _press(qtbot, Qt.Key.Key_Escape)
    assert focused() is page.scan_edit and not page.form.isEnabled()

    settle(qtbot, window)
    log = page.log_model
    assert log.rowCount() == 3
    assert [log.index(r, 1).data() for r in range(3)] == [
        CHILD_ATENA,
        CHILD_ATENA,
        OTHER_CHILD_ATENA,
    ]
    assert log.index(1, 6).data() == "x lot confirmed by phone"
    given = [h for h in persons.open_person(nurse_session, child).history if not h.voided]
    assert {h.series_id for h in given} >= {"varicella", "dpt_ipv"}
    pcv = [h for h in persons.open_person(nurse_session, other).history if h.series_id == "pcv"]
    assert len(pcv) == 1 and pcv[0].lot_no is None and pcv[0].doctor == "Dr Sato"


def test_an_unreadable_scan_is_shown_with_its_code(
    qtbot: QtBot, vaxdesk_app: QApplication, nurse_session: Session
) -> None:
    window = open_window(qtbot, nurse_session)
    window.show_batch_entry()
    page = window.batch_page
    assert page is not None
    _keys(qtbot, "9999999999")
    with qtbot.waitSignal(page.error_shown, timeout=WAIT_MS) as failed:
        _press(qtbot, Qt.Key.Key_Return)
    assert failed.args[0] == "E_NOT_FOUND"
    assert "該当する発行記録・住民がありません" in page.message.text()
    assert focused() is page.scan_edit and not page.form.isEnabled()


def test_a_voided_unprinted_form_is_refused_with_a_warning(
    qtbot: QtBot,
    vaxdesk_app: QApplication,
    nurse_session: Session,
    counter_clerk_session: Session,
    tmp_path: Path,
) -> None:
    from app.services import issuance

    clerk = counter_clerk_session  # the counter prints the 予診票 (nurses do not issue them)
    other = _person_id(clerk, OTHER_CHILD_ATENA)
    form_no = printing.print_yoshinhyo(clerk, other, "pcv", tmp_path / "y.pdf")
    assert issuance.withdraw_unprinted(clerk, form_no.issuance_ids) == 1  # 未印刷

    window = open_window(qtbot, nurse_session)
    window.show_batch_entry()
    page = window.batch_page
    assert page is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.scan_edit, timeout=WAIT_MS)
    _keys(qtbot, form_no.issue_numbers[0])
    with qtbot.waitSignal(page.error_shown, timeout=WAIT_MS) as refused:
        _press(qtbot, Qt.Key.Key_Return)
    assert refused.args[0] == "E_SCAN_VOIDED"
    assert "取り消されています" in page.message.text() and "未印刷" in page.message.text()
    assert page.sheet is None and not page.form.isEnabled()  # nothing loaded
    assert focused() is page.scan_edit
    settle(qtbot, window)
