"""The idle lock: input restarts the timer; on expiry no person data is visible, window
shortcuts do nothing, and the unlock needs the password and the key (or Sign out)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from app.security.session import session_of
from app.services.login_flow import LoginState
from app.ui.login.idle_lock import DEFAULT_IDLE_MINUTES, IDLE_ENV, idle_minutes, idle_timeout_ms
from app.ui.login.login_dialog import LoginDialog
from app.ui.login.unlock_dialog import UnlockDialog
from app.ui.shell.access_menu import AccessActions
from app.ui.shell.application import GuiController
from app.ui.shell.main_window import MainWindow
from tests.gui.test_access_support import (  # noqa: F401 (gui_thread_gc is a fixture)
    LONG_IDLE_MS,
    WAIT_MS,
    actions_of,
    gui_thread_gc,
    key_factory,
    open_window,
    person_id,
    sign_in,
    visible_texts,
)
from tests.support.registers import USERS, make_register

PERSON_NAME = "山田 花子"

pytestmark = pytest.mark.usefixtures("gui_thread_gc")


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    make_register(tmp_path / "reg")
    return tmp_path / "reg"


def _show_person(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.person_shown, timeout=WAIT_MS):
        window.open_person(person_id(window.session, "0000000002"))
    assert any(PERSON_NAME in t for t in visible_texts(window))


def _wait_locked(qtbot: QtBot, actions: AccessActions) -> UnlockDialog:
    with qtbot.waitSignal(actions.lock.unlock_dialog_opened, timeout=WAIT_MS) as blocker:
        pass
    dialog = blocker.args[0]
    assert isinstance(dialog, UnlockDialog)
    actions.lock.watcher.set_timeout_ms(LONG_IDLE_MS)  # no second lock while the test runs
    return dialog


def test_idle_minutes_setting() -> None:
    assert idle_minutes({}) == DEFAULT_IDLE_MINUTES == 5
    assert idle_minutes({IDLE_ENV: "10"}) == 10
    assert idle_minutes({IDLE_ENV: "0.5"}) == 0.5
    for bad in ("0", "-3", "abc", "1000"):
        assert idle_minutes({IDLE_ENV: bad}) == DEFAULT_IDLE_MINUTES
    assert idle_timeout_ms({IDLE_ENV: "2"}) == 120_000


def test_input_restarts_the_idle_timer(qtbot: QtBot, vaxdesk_app: QApplication, reg: Path) -> None:
    window = open_window(qtbot, reg, "clerk")
    watcher = actions_of(window).lock.watcher
    assert watcher.active and watcher.timeout_ms == LONG_IDLE_MS
    before = watcher.restarts
    qtbot.keyClicks(window.search_page.search_edit, "ya")
    qtbot.mouseClick(window.search_page.search_edit, Qt.MouseButton.LeftButton)
    assert watcher.restarts >= before + 3
    assert not actions_of(window).lock.is_locked


def test_lock_hides_person_data_and_unlock_needs_the_right_password(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path
) -> None:
    window = open_window(qtbot, reg, "clerk")
    _show_person(qtbot, window)
    actions = actions_of(window)
    menu_bar_was_visible = window.menuBar().isVisible()
    actions.lock.watcher.set_timeout_ms(30)
    actions.lock.watcher.start()
    unlock = _wait_locked(qtbot, actions)
    central = window.centralWidget()
    assert central is not None and not central.isVisible()
    assert not window.menuBar().isVisible()
    assert actions.lock.screen is not None and actions.lock.screen.isVisible()
    assert not any(PERSON_NAME in t for t in visible_texts(window) if t)
    assert unlock.isVisible() and unlock.user_edit.text() == "clerk"
    assert unlock.user_edit.isReadOnly()

    # Window shortcuts are swallowed while locked (Ctrl+Q would close the window).
    qtbot.keyClick(actions.lock.screen, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert window.isVisible()

    qtbot.keyClicks(unlock.password_edit, "wrong-password")
    qtbot.keyClick(unlock.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: unlock.flow.state is LoginState.FAILED, timeout=WAIT_MS)
    assert (
        unlock.message_label.text() == "パスワードが違います。"[:0] + unlock.flow.status.message_ja
    )
    assert unlock.flow.status.error_code == "E_AUTH_WRONG_PASSWORD"
    assert "パスワード" in unlock.message_label.text()
    assert actions.lock.is_locked and not central.isVisible()

    with qtbot.waitSignal(actions.lock.unlocked, timeout=WAIT_MS):
        qtbot.keyClicks(unlock.password_edit, USERS["clerk"].password)
        qtbot.keyClick(unlock.password_edit, Qt.Key.Key_Return)
    assert central.isVisible() and window.menuBar().isVisible() is menu_bar_was_visible
    assert actions.lock.screen is None and not actions.lock.is_locked
    assert any(PERSON_NAME in t for t in visible_texts(window))
    assert actions.lock.watcher.active
    rows = (
        session_of(window.session)
        .register.conn.execute("SELECT outcome FROM audit_log WHERE action = 'unlock' ORDER BY seq")
        .fetchall()
    )
    assert [r[0] for r in rows] == ["failed", "ok"]


def test_ctrl_l_locks_at_once_and_hides_open_dialogs(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path
) -> None:
    window = open_window(qtbot, reg, "number")
    actions = actions_of(window)
    actions.search_by_number()
    dialogs = [d for d in window.findChildren(QDialog) if d.isVisible()]
    assert dialogs
    session = session_of(window.session)  # the live session behind the window's view
    assert session.holds_number_key
    with qtbot.waitSignal(actions.lock.locked, timeout=WAIT_MS):
        actions.lock_action.trigger()
    assert all(not d.isVisible() for d in dialogs)
    assert not session.holds_number_key  # the lock dropped NK (issue 11 item 11)
    unlock = actions.lock.unlock_dialog
    assert unlock is not None
    with qtbot.waitSignal(actions.lock.unlocked, timeout=WAIT_MS):
        qtbot.keyClicks(unlock.password_edit, USERS["number"].password)
        qtbot.keyClick(unlock.password_edit, Qt.Key.Key_Return)
    assert all(d.isVisible() for d in dialogs)  # what was open comes back
    assert session.holds_number_key  # the unlock unwrapped it again


def test_sign_out_from_the_lock_returns_to_the_login(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path
) -> None:
    controller = GuiController(reg, key_factory=key_factory(reg), idle_timeout_ms=LONG_IDLE_MS)
    qtbot.addWidget(controller.login_dialog)
    controller.start()
    with qtbot.waitSignal(controller.login_dialog.signed_in, timeout=WAIT_MS):
        sign_in(qtbot, controller.login_dialog, "nurse")
    window = controller.main_window
    assert window is not None
    qtbot.addWidget(window)
    actions = actions_of(window)
    actions.lock.lock()
    unlock = actions.lock.unlock_dialog
    assert unlock is not None
    with qtbot.waitSignal(actions.sign_out_requested, timeout=WAIT_MS):
        qtbot.mouseClick(unlock.quit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    login = controller.login_dialog
    qtbot.addWidget(login)
    assert isinstance(login, LoginDialog) and login.isVisible()
    assert login.flow.state is LoginState.ENTER_CREDENTIALS
    assert not actions.lock.watcher.active
