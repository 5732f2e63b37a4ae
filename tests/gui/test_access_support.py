"""Helpers for the access-control GUI tests (no tests here): a non-demo test register whose
security key is the software key injected through the ``key_factory`` seam, sessions, a main
window with the access hook installed, and 個人番号 test values."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.domain.ids import mynumber_check_digit
from app.security.session import Session, SessionView, session_of
from app.services import person_numbers
from app.services.security_key import KeyFactory
from app.store import persons
from app.ui.login.login_dialog import LoginDialog
from app.ui.shell.access_menu import AccessActions, access_actions_of, install_access_actions
from app.ui.shell.main_window import MainWindow
from tests.support.registers import USERS, login_as, software_key

WAIT_MS = 10_000
LONG_IDLE_MS = 600_000  # never expires during a test


def key_factory(directory: Path) -> KeyFactory:
    return lambda: software_key(directory)


def valid_number(first11: str) -> str:
    return first11 + str(mynumber_check_digit(first11))


def person_id(session: Session | SessionView, atena_no: str) -> int:
    conn = session_of(session).register.conn  # test setup only
    found = persons.get_by_atena_no(conn, atena_no)
    assert found is not None
    return int(found.id)


def give_number(directory: Path, atena_no: str, number: str) -> int:
    """Register ``number`` for the person with ``atena_no`` (as the number-use clerk)."""
    session = login_as(directory, "number")
    try:
        pid = person_id(session, atena_no)
        person_numbers.set_number(session, pid, number)
        return pid
    finally:
        session.register.close()


def open_window(
    qtbot: QtBot, directory: Path, user: str, *, idle_ms: int = LONG_IDLE_MS
) -> MainWindow:
    window = MainWindow(login_as(directory, user))
    qtbot.addWidget(window)  # closed at teardown: the session's register is closed too
    install_access_actions(window, key_factory=key_factory(directory), idle_timeout_ms=idle_ms)
    window.show()
    qtbot.waitExposed(window)
    return window


def actions_of(window: MainWindow) -> AccessActions:
    return access_actions_of(window)


ACCESS_MENUS = ("管理(&A)", "個人番号(&N)")


def menu_titles(window: MainWindow) -> list[str]:
    """The access-control menus the window has (other menus of the window are not counted)."""
    return [a.text() for a in window.menuBar().actions() if a.text() in ACCESS_MENUS]


def visible_texts(root: QWidget) -> list[str]:
    return [w.text() for w in root.findChildren(QLabel) if w.isVisible() and w.text()]


def sign_in(qtbot: QtBot, dialog: LoginDialog, user: str, pw: str | None = None) -> None:
    """Type the user and password and press Enter (the caller waits for the outcome)."""
    dialog.user_edit.clear()
    qtbot.keyClicks(dialog.user_edit, user)
    dialog.password_edit.clear()
    qtbot.keyClicks(dialog.password_edit, USERS[user].password if pw is None else pw)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)


def top_level(kind: type) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


@pytest.fixture(autouse=False)
def gui_thread_gc() -> Iterator[None]:
    """As in the application (``GuiThreadGarbageCollector``): no automatic cycle collection while
    a test runs, so a widget left in a cycle by an earlier test is never freed on a job's worker
    thread; the garbage is collected here, on the GUI thread."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()
