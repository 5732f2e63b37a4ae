"""The person view at the counter: the due list and 発行履歴 beside the history, the two-keystroke
予診票 print (F5, Enter), correcting/voiding a history row with a reason, and what each role sees."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app.security.session import Session
from app.services import persons
from app.ui.printing.print_preview_dialog import PrintPreviewDialog
from app.ui.shell.main_window import MainWindow
from tests.gui import counter_register
from tests.gui.counter_register import WAIT_MS, focused, open_window, pdf_printer, settle
from tests.gui.sample_register import CHILD_ATENA

# The shared fixtures of the counter tests.
counter_clerk_session = counter_register.counter_clerk_session
counter_dir = counter_register.counter_dir
nurse_session = counter_register.nurse_session


def _open_child(qtbot: QtBot, window: MainWindow) -> None:
    box = window.search_page.search_edit
    qtbot.keyClicks(box, CHILD_ATENA)
    with qtbot.waitSignal(window.person_shown, timeout=WAIT_MS):
        qtbot.keyClick(box, Qt.Key.Key_Return)


def test_due_list_and_issuance_history_are_shown(
    qtbot: QtBot, vaxdesk_app: QApplication, counter_clerk_session: Session
) -> None:
    window = open_window(qtbot, counter_clerk_session)
    _open_child(qtbot, window)
    panel = window.person_page.due_panel
    model = panel.model
    statuses = {model.series_at(r).id: model.index(r, 1).data() for r in range(model.rowCount())}
    assert statuses["dpt_ipv"] == "接種可" and statuses["hepb"] == "期限切れ"
    assert statuses["mr2"] == "対象期間前" and statuses["hpv"] == "対象外"
    hib_row = next(r for r in range(model.rowCount()) if model.series_at(r).id == "hib")
    assert model.index(hib_row, 5).data() == "2 / 3" and model.index(hib_row, 2).data() == "追加"
    assert model.index(hib_row, 3).data() == "R6.08.07"  # earliest date in 和暦
    # The cursor is on the first open series, ready for F5.
    selected = window.person_page.selected_series()
    assert selected is not None and selected.id == "dpt_ipv"
    assert panel.table.hasFocus()
    assert window.person_page.issuance_panel.model.rowCount() == 0
    assert not window.person_page.issuance_panel.empty.isHidden()  # on the 発行履歴 tab
    assert window.person_page.records.tabText(1) == "発行履歴 (0)"
    help_text = window.shortcut_help.text()
    assert "F5: 予診票印刷" in help_text and "F6: 接種券印刷" in help_text


def test_screening_form_prints_in_two_keystrokes(
    qtbot: QtBot, vaxdesk_app: QApplication, counter_clerk_session: Session, tmp_path: Path
) -> None:
    window = open_window(qtbot, counter_clerk_session)
    printed = tmp_path / "printer-output.pdf"
    window.print_flow.default_printer = lambda: pdf_printer(printed)
    _open_child(qtbot, window)
    settle(qtbot, window)

    with qtbot.waitSignal(window.print_flow.preview_opened, timeout=WAIT_MS) as opened:
        qtbot.keyClick(focused(), Qt.Key.Key_F5)  # keystroke 1
    preview = opened.args[0]
    assert isinstance(preview, PrintPreviewDialog)
    qtbot.waitUntil(preview.print_button.hasFocus, timeout=WAIT_MS)
    assert preview.page_count == 1 and "1" in preview.page_label.text()
    # A demo register's preview says so above the pages and in its title (issue 12 item 5).
    banners = [w for w in preview.findChildren(QLabel) if w.objectName() == "demoBanner"]
    assert banners and banners[0].isVisible() and "デモ台帳" in banners[0].text()
    assert preview.windowTitle().startswith("【デモ台帳】")
    with qtbot.waitSignal(preview.printed, timeout=WAIT_MS) as done:
        qtbot.keyClick(focused(), Qt.Key.Key_Return)  # keystroke 2
    assert done.args == [1]
    assert printed.exists() and printed.read_bytes().startswith(b"%PDF")
    qtbot.waitUntil(lambda: not preview.isVisible(), timeout=WAIT_MS)

    issued = window.person_page.issuance_panel.model
    qtbot.waitUntil(lambda: issued.rowCount() == 1, timeout=WAIT_MS)
    line = issued.row_at(0)
    assert line.doc_type == "yoshinhyo" and line.series_name.startswith("ジフテリア")
    assert issued.index(0, 1).data() == "予診票" and issued.index(0, 5).data() == "新規"
    assert len(line.issue_no) == 10
    # The private temporary PDF is gone once the preview closed; the printer's copy stays.
    qtbot.waitUntil(lambda: not preview.paths[0].exists(), timeout=WAIT_MS)


def test_second_print_asks_the_reissue_reason(
    qtbot: QtBot, vaxdesk_app: QApplication, counter_clerk_session: Session, tmp_path: Path
) -> None:
    window = open_window(qtbot, counter_clerk_session)
    window.print_flow.default_printer = lambda: pdf_printer(tmp_path / "out.pdf")
    _open_child(qtbot, window)
    for _ in range(2):
        settle(qtbot, window)
        with qtbot.waitSignal(window.print_flow.preview_opened, timeout=WAIT_MS) as opened:
            window.person_page.counter_actions["print_yoshinhyo"].trigger()
            if window.print_flow.reissue_dialog is None:
                qtbot.waitUntil(
                    lambda: (
                        window.print_flow.reissue_dialog is not None
                        or window.print_flow.preview is not None
                    ),
                    timeout=WAIT_MS,
                )
            dialog = window.print_flow.reissue_dialog
            if dialog is not None:
                qtbot.keyClick(dialog.reason_combo, Qt.Key.Key_Down)  # 汚損・破損
                qtbot.keyClick(dialog.reason_combo, Qt.Key.Key_Return)
        preview = opened.args[0]
        with qtbot.waitSignal(preview.printed, timeout=WAIT_MS):
            preview.print_to_default()
    issued = window.person_page.issuance_panel.model
    qtbot.waitUntil(lambda: issued.rowCount() == 2, timeout=WAIT_MS)
    texts = {issued.index(r, 5).data() for r in range(2)}
    assert "再発行（汚損・破損）" in texts
    assert {issued.index(r, 6).data() for r in range(2)} == {"有効", "取消（再発行）"}


def test_closing_the_preview_unprinted_withdraws_the_number(
    qtbot: QtBot, vaxdesk_app: QApplication, counter_clerk_session: Session, tmp_path: Path
) -> None:
    window = open_window(qtbot, counter_clerk_session)
    window.print_flow.default_printer = lambda: pdf_printer(tmp_path / "out.pdf")
    _open_child(qtbot, window)
    settle(qtbot, window)
    with qtbot.waitSignal(window.print_flow.preview_opened, timeout=WAIT_MS) as opened:
        window.person_page.counter_actions["print_yoshinhyo"].trigger()
    with qtbot.waitSignal(window.print_flow.withdrawn, timeout=WAIT_MS) as withdrawn:
        opened.args[0].reject()  # Esc: neither printed nor saved
    assert withdrawn.args == [1]
    issued = window.person_page.issuance_panel.model
    qtbot.waitUntil(
        lambda: issued.rowCount() == 1 and issued.index(0, 6).data() != "有効", timeout=WAIT_MS
    )
    assert "未印刷" in issued.index(0, 6).data()
    settle(qtbot, window)
    with qtbot.waitSignal(window.print_flow.preview_opened, timeout=WAIT_MS) as opened:
        window.person_page.counter_actions["print_yoshinhyo"].trigger()  # no reissue reason asked
    assert window.print_flow.reissue_dialog is None
    with qtbot.waitSignal(opened.args[0].printed, timeout=WAIT_MS):
        opened.args[0].print_to_default()
    qtbot.waitUntil(lambda: issued.rowCount() == 2, timeout=WAIT_MS)
    assert {issued.index(r, 5).data() for r in range(2)} == {"新規"}


def test_nurse_voids_a_history_row_with_a_reason(
    qtbot: QtBot, vaxdesk_app: QApplication, nurse_session: Session
) -> None:
    window = open_window(qtbot, nurse_session)
    _open_child(qtbot, window)
    settle(qtbot, window)
    view = window.person_page
    view.history_table.setFocus()
    view.history_table.selectRow(0)  # 2024-06-10 アクトヒブ 初回1回目
    with qtbot.waitSignal(window.counter.dialog_opened, timeout=WAIT_MS) as opened:
        qtbot.keyClick(focused(), Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    dialog = opened.args[0]
    qtbot.waitUntil(lambda: focused() is dialog.reason_edit, timeout=WAIT_MS)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # no reason yet: nothing happens
    assert dialog.isVisible()
    qtbot.keyClicks(focused(), "double entry")
    with qtbot.waitSignal(window.counter.changed, timeout=WAIT_MS):
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
    settle(qtbot, window)
    history = view.history_model
    assert history.index(0, 8).data() == "取消（double entry）"
    assert view.detail is not None
    detail = persons.open_person(nurse_session, view.detail.summary.person_id)
    assert detail.history[0].voided and detail.history[0].void_reason == "double entry"


def test_clerk_sees_no_result_entry_and_nurse_no_voucher(
    qtbot: QtBot,
    vaxdesk_app: QApplication,
    counter_clerk_session: Session,
    nurse_session: Session,
) -> None:
    clerk = open_window(qtbot, counter_clerk_session)
    _open_child(qtbot, clerk)
    buttons = clerk.person_page.action_buttons
    assert buttons["print_yoshinhyo"].isVisible() and buttons["print_voucher"].isVisible()
    for name in ("record_result", "record_postponement", "correct_result", "void_result"):
        assert not buttons[name].isVisible()
        assert not clerk.person_page.counter_actions[name].isEnabled()
    assert "batch_entry" not in clerk.menu_actions and "reports" not in clerk.menu_actions
    assert clerk.batch_page is None and clerk.reports_page is None
    assert clerk.unvaccinated_page is not None
    assert clerk.unvaccinated_page.notices_button.isVisibleTo(clerk.unvaccinated_page)
    assert set(clerk.menus) == {"work", "help"}

    nurse = open_window(qtbot, nurse_session)
    _open_child(qtbot, nurse)
    buttons = nurse.person_page.action_buttons
    assert not buttons["print_voucher"].isVisible()
    assert not nurse.person_page.counter_actions["print_voucher"].isEnabled()
    assert buttons["record_result"].isVisible() and buttons["void_result"].isVisible()
    assert {"batch_entry", "reports", "unvaccinated"} <= set(nurse.menu_actions)
    assert nurse.unvaccinated_page is not None
    assert not nurse.unvaccinated_page.notices_button.isVisibleTo(nurse.unvaccinated_page)
    assert "F6" not in nurse.shortcut_help.text() and "F8: 結果入力" in nurse.shortcut_help.text()
