"""The main window driven with the keyboard (and a barcode scanner, which types digits + Enter)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.errors import VaxDeskError
from app.security.session import Session
from app.services.persons import PersonDetail, SearchResult, UnrecognisedSearch
from app.ui.person.person_table_model import PersonColumn
from app.ui.shell.main_window import MainWindow
from tests.gui.sample_register import CHILD_ATENA, MOVED_OUT_ATENA

WAIT_MS = 10_000


@pytest.fixture
def window(qtbot: QtBot, vaxdesk_app: QApplication, clerk_session: Session) -> Iterator[MainWindow]:
    main = MainWindow(clerk_session)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main


def _type(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type ``text``: ASCII as key presses (a person or a barcode scanner), anything else as the
    Japanese input method delivers it (a committed string)."""
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _search(qtbot: QtBot, window: MainWindow, text: str) -> SearchResult:
    box = window.search_page.search_edit
    box.clear()
    _type(qtbot, box, text)
    with qtbot.waitSignal(window.search_finished, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(box, Qt.Key.Key_Return)
    result = blocker.args[0]
    assert isinstance(result, SearchResult)
    return result


def _column(window: MainWindow, column: PersonColumn) -> list[str]:
    proxy = window.search_page.proxy
    return [proxy.index(r, column).data() for r in range(proxy.rowCount())]


def _settle(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until no job is queued or running (every outcome has then been delivered)."""
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=WAIT_MS)


def test_kana_prefix_and_enter_fill_the_table(qtbot: QtBot, window: MainWindow) -> None:
    result = _search(qtbot, window, "やまだ")  # hiragana finds katakana
    assert result.mode == "kana"
    assert sorted(_column(window, PersonColumn.ATENA_NO)) == ["1000001", "1000002", "1000003"]
    assert all(k.startswith("ヤマダ") for k in _column(window, PersonColumn.NAME_KANA))
    assert window.search_page.count_label.text() == "3人"
    assert window.search_page.table.hasFocus() and window.search_page.current_row() == 0
    _settle(qtbot, window)
    assert window.pages.currentWidget() is window.search_page  # kana never opens by itself


def test_hide_moved_out_filters_the_results(qtbot: QtBot, window: MainWindow) -> None:
    _search(qtbot, window, "ヤマ")
    assert (
        "転出" in _column(window, PersonColumn.STATUS)
        and len(_column(window, PersonColumn.ATENA_NO)) == 4
    )
    window.search_page.active_only_check.setChecked(True)
    assert len(_column(window, PersonColumn.ATENA_NO)) == 3 and "転出" not in _column(
        window, PersonColumn.STATUS
    )


def test_arrows_move_enter_opens_and_esc_returns(qtbot: QtBot, window: MainWindow) -> None:
    _search(qtbot, window, "ﾔﾏﾀﾞ")  # half-width kana as a scanner or old keyboard sends it
    table = window.search_page.table
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Up)
    assert window.search_page.current_row() == 1
    wanted = window.search_page.proxy.person_id_at(1)
    with qtbot.waitSignal(window.person_shown, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    detail = blocker.args[0]
    assert isinstance(detail, PersonDetail) and detail.summary.person_id == wanted
    assert window.pages.currentWidget() is window.person_page
    qtbot.keyClick(window.person_page.history_table, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.search_page
    box = window.search_page.search_edit
    assert box.hasFocus() and box.selectedText() == box.text() == "ﾔﾏﾀﾞ"


def test_down_in_the_search_box_moves_into_the_results(qtbot: QtBot, window: MainWindow) -> None:
    _search(qtbot, window, "ヤマダ")
    window.search_page.focus_search_box()
    qtbot.keyClick(window.search_page.search_edit, Qt.Key.Key_Down)
    assert window.search_page.table.hasFocus() and window.search_page.current_row() == 1


def test_scanned_address_number_opens_the_person_directly(qtbot: QtBot, window: MainWindow) -> None:
    box = window.search_page.search_edit
    qtbot.keyClicks(box, CHILD_ATENA)
    with qtbot.waitSignal(window.person_shown, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(box, Qt.Key.Key_Return)
    detail = blocker.args[0]
    assert detail.summary.atena_no == CHILD_ATENA
    view = window.person_page
    assert window.pages.currentWidget() is view
    assert view.fields["atena_no"].text() == CHILD_ATENA
    assert view.fields["name"].text() == "山田 一郎"
    assert view.fields["birth_date"].text() == "令和6年4月10日 (2024-04-10)"
    assert view.fields["relationship"].text() == "子"
    assert view.fields["guardian"].text() == "山田 太郎（世帯主）"
    assert view.fields["household_no"].text() == "H0001"
    assert view.fields["status"].text() == "在住"

    household = view.household_model
    members = {
        household.index(r, 1).data(): household.index(r, 0).data()
        for r in range(household.rowCount())
    }
    assert members == {"山田 太郎": "世帯主", "山田 花子": "妻"}

    history = view.history_model
    assert history.rowCount() == 3
    assert [history.index(r, 0).data() for r in range(3)] == [
        "R6.06.10 (2024-06-10)",
        "R6.07.10 (2024-07-10)",
        "R6.07.11 (2024-07-11)",
    ]
    assert history.index(0, 1).data() == "アクトヒブ" and history.index(0, 2).data() == "初回1回目"
    assert history.index(0, 4).data() == "テスト小児科"
    assert [history.index(r, 8).data() for r in range(3)] == [
        "接種済",
        "接種済",
        "取消（二重登録）",
    ]
    assert not view.history_empty.isVisible()
    assert window.windowTitle().startswith("【デモ台帳】")


def test_no_personal_number_on_the_person_view(qtbot: QtBot, window: MainWindow) -> None:
    box = window.search_page.search_edit
    qtbot.keyClicks(box, CHILD_ATENA)
    with qtbot.waitSignal(window.person_shown, timeout=WAIT_MS):
        qtbot.keyClick(box, Qt.Key.Key_Return)
    texts = [label.text() for label in window.person_page.findChildren(QLabel)]
    assert texts and not any(re.search(r"\d{12}", t) for t in texts)
    assert not any("個人番号" in t for t in texts)


def test_scan_while_the_results_have_focus_starts_a_new_search(
    qtbot: QtBot, window: MainWindow
) -> None:
    _search(qtbot, window, "ヤマ")
    table = window.search_page.table
    assert table.hasFocus()
    qtbot.keyClick(table, "1")  # the first digit moves the typing to the search box
    box = window.search_page.search_edit
    assert box.hasFocus() and box.text() == "1"
    qtbot.keyClicks(box, CHILD_ATENA[1:])
    with qtbot.waitSignal(window.person_shown, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert blocker.args[0].summary.atena_no == CHILD_ATENA


def test_address_number_prefix_with_several_matches_stays_on_the_list(
    qtbot: QtBot, window: MainWindow
) -> None:
    shown: list[object] = []
    window.person_shown.connect(shown.append)
    result = _search(qtbot, window, "10000")
    assert result.mode == "atena" and len(result.people) == 4
    _settle(qtbot, window)
    assert shown == [] and window.pages.currentWidget() is window.search_page


@pytest.mark.parametrize(
    ("text", "error"),
    [("abc!", UnrecognisedSearch()), ("   ", VaxDeskError("", code="E_SEARCH_EMPTY"))],
)
def test_service_errors_show_in_japanese_in_the_status_bar(
    qtbot: QtBot, window: MainWindow, text: str, error: VaxDeskError
) -> None:
    box = window.search_page.search_edit
    _type(qtbot, box, text)
    with qtbot.waitSignal(window.error_shown, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(box, Qt.Key.Key_Return)
    code, message = blocker.args
    assert code == error.code
    assert window.status_message.text() == message and "してください" in message
    assert window.status_message.property("error") is True
    assert window.search_page.model.rowCount() == 0 and box.hasFocus()


def test_shortcuts_are_listed_in_the_status_bar(window: MainWindow) -> None:
    help_text = window.shortcut_help.text()
    for key in ("F2", "Enter", "Esc", "Ctrl+Q", "↑↓"):
        assert key in help_text
    assert "検索" in help_text


def test_moved_out_person_is_marked_and_empty_lists_say_so(
    qtbot: QtBot, window: MainWindow
) -> None:
    box = window.search_page.search_edit
    qtbot.keyClicks(box, MOVED_OUT_ATENA)
    with qtbot.waitSignal(window.person_shown, timeout=WAIT_MS):
        qtbot.keyClick(box, Qt.Key.Key_Return)
    view = window.person_page
    assert view.status_badge.isVisible() and view.status_badge.text() == "転出"
    assert view.fields["status"].text() == "転出 令和6年3月31日 (2024-03-31)"
    assert view.household_empty.isVisible() and view.household_model.rowCount() == 0
    assert view.history_empty.isVisible() and view.history_model.rowCount() == 0


def test_f2_returns_to_the_search_box(qtbot: QtBot, window: MainWindow) -> None:
    box = window.search_page.search_edit
    qtbot.keyClicks(box, CHILD_ATENA)
    with qtbot.waitSignal(window.person_shown, timeout=WAIT_MS):
        qtbot.keyClick(box, Qt.Key.Key_Return)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window.person_page.history_table, Qt.Key.Key_F2)
    assert window.pages.currentWidget() is window.search_page and box.hasFocus()
