"""Issue 12 items 5, 6 and 8 on the main window: lock, sign out and quit are in the menus and in
the F1 help; every window of a demo register carries 【デモ台帳】 (dialogs, progress, key help,
the lock screen); a page change clears the old message and every role lands on a page it may
use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QProgressDialog, QWidget
from pytestqt.qtbot import QtBot

from app.security.session import Session
from app.ui.admin.admin_users_page import AdminUsersPage
from app.ui.shell.access_menu import access_actions_of, install_access_actions
from app.ui.shell.main_window import MainWindow
from tests.gui import counter_register
from tests.gui.counter_register import WAIT_MS, open_window, settle
from tests.gui.test_access_support import LONG_IDLE_MS, gui_thread_gc, key_factory  # noqa: F401
from tests.gui.test_access_support import open_window as open_access_window
from tests.support.registers import make_register

counter_dir = counter_register.counter_dir
nurse_session = counter_register.nurse_session

MARK = "【デモ台帳】"

pytestmark = pytest.mark.usefixtures("gui_thread_gc")


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    make_register(tmp_path / "reg")
    return tmp_path / "reg"


def _demo_window(qtbot: QtBot, session: Session, counter_dir: Path) -> MainWindow:
    window = open_window(qtbot, session)
    install_access_actions(
        window, key_factory=key_factory(counter_dir), idle_timeout_ms=LONG_IDLE_MS
    )
    return window


def _menu_texts(window: MainWindow, name: str) -> dict[str, str]:
    """Menu command text → its key, for the menu ``name``."""
    menu = window.menus[name]
    return {a.text(): a.shortcut().toString() for a in menu.actions() if a.text()}


def test_lock_sign_out_and_quit_are_in_the_menu_and_the_key_help(
    qtbot: QtBot, vaxdesk_app: QApplication, nurse_session: Session, counter_dir: Path
) -> None:
    window = _demo_window(qtbot, nurse_session, counter_dir)
    work = _menu_texts(window, "work")
    assert work["画面をロック"] == "Ctrl+L"
    assert "ログアウト" in work  # the word the lock screen uses too
    assert work["終了"] == "Ctrl+Q"
    assert "Ctrl+U" in work.values()
    window.show_keyboard_help()
    box = window.key_help
    assert isinstance(box, QMessageBox)
    text = box.text()
    for keys in ("Ctrl+L", "Ctrl+U", "Ctrl+Q", "Ctrl+B", "Ctrl+R", "F2"):
        assert keys in text, keys
    assert "画面をロック" in text and "未接種者一覧" in text and "終了" in text
    assert box.windowTitle().startswith(MARK)
    box.close()
    settle(qtbot, window)


def _marked(widget: QWidget) -> Callable[[], bool]:
    """For waitUntil: whether ``widget``'s title carries the demo marker yet."""
    return lambda: widget.windowTitle().startswith(MARK)


def test_every_window_of_a_demo_register_is_marked(
    qtbot: QtBot, vaxdesk_app: QApplication, nurse_session: Session, counter_dir: Path
) -> None:
    window = _demo_window(qtbot, nurse_session, counter_dir)
    assert window.windowTitle().startswith(MARK)
    # A dialog, a message box and a progress dialog made anywhere get the marker when shown.
    progress = QProgressDialog("印刷中…", "中止", 0, 10, window)
    progress.setWindowTitle("印刷")
    progress.show()
    message = QMessageBox(QMessageBox.Icon.Information, "確認", "本文", parent=window)
    message.show()
    for shown in (progress, message):
        qtbot.waitUntil(_marked(shown), timeout=WAIT_MS)
    progress.setWindowTitle("印刷（2）")  # a later title keeps the marker
    assert progress.windowTitle() == f"{MARK} 印刷（2）"
    progress.close()
    message.close()
    # The lock screen shows the demo banner too.
    actions = access_actions_of(window)
    actions.lock_action.trigger()
    screen = actions.lock.screen
    assert screen is not None
    banners = [w for w in screen.findChildren(QLabel) if w.objectName() == "demoBanner"]
    assert banners and banners[0].isVisible()
    dialog = actions.lock.unlock_dialog
    assert dialog is not None and dialog.windowTitle().startswith(MARK)
    actions.lock.watcher.set_timeout_ms(LONG_IDLE_MS)
    settle(qtbot, window)


def test_real_register_windows_are_not_marked(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path
) -> None:
    window = open_access_window(qtbot, reg, "clerk")
    box = QMessageBox(QMessageBox.Icon.Information, "確認", "本文", parent=window)
    box.show()
    qtbot.waitExposed(box)
    assert box.windowTitle() == "確認" and MARK not in window.windowTitle()
    box.close()


def test_a_page_change_clears_the_previous_message(
    qtbot: QtBot, vaxdesk_app: QApplication, nurse_session: Session, counter_dir: Path
) -> None:
    window = _demo_window(qtbot, nurse_session, counter_dir)
    window.show_message("この操作を行う権限がありません。", error=True)
    page = window.unvaccinated_page
    assert page is not None
    window.show_unvaccinated()
    assert window.status_message.text() == ""
    page.message.setText("前のページの結果")
    window.show_search()
    assert window.status_message.text() == "" and page.message.text() == ""
    settle(qtbot, window)


@pytest.mark.parametrize(
    ("user", "home"),
    [("admin", AdminUsersPage), ("auditor", None), ("clerk", None)],
)
def test_each_role_lands_on_a_page_it_may_use(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path, user: str, home: type | None
) -> None:
    window = open_access_window(qtbot, reg, user)
    current = window.pages.currentWidget()
    assert current is not None
    if home is not None:
        assert isinstance(current, home)
        assert "search" not in window.menu_actions  # 住民検索 is not offered to the admin
        qtbot.keyClick(window, Qt.Key.Key_Escape)  # Esc goes home, never to 住民検索
        assert isinstance(window.pages.currentWidget(), home)
    else:
        assert current is window.search_page  # the counter roles and the auditor search
    assert window.session.can("person.search") or not isinstance(current, type(window.search_page))
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=WAIT_MS)
