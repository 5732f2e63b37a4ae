"""The access-control pieces wired into the main window: the 個人番号 panel in the person view
(number-use staff only) and 個人番号で検索 opening the person view."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.security.session import session_of
from app.ui.shell.application import GuiController
from tests.gui.test_access_support import (  # noqa: F401 (gui_thread_gc is a fixture)
    LONG_IDLE_MS,
    WAIT_MS,
    actions_of,
    give_number,
    gui_thread_gc,
    key_factory,
    open_window,
    valid_number,
    visible_texts,
)
from tests.support.registers import login_as, make_register

pytestmark = pytest.mark.usefixtures("gui_thread_gc")

NUMBER = valid_number("12345678901")


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    make_register(tmp_path / "reg")
    give_number(tmp_path / "reg", "0000000002", NUMBER)
    return tmp_path / "reg"


def test_number_staff_see_the_masked_number_in_the_person_view(qtbot: QtBot, reg: Path) -> None:
    controller = GuiController(reg, key_factory=key_factory(reg), idle_timeout_ms=LONG_IDLE_MS)
    qtbot.addWidget(controller.login_dialog)
    controller._open_main_window(login_as(reg, "number").view())  # what a successful sign-in does
    window = controller.main_window
    assert window is not None and window.number_panel is not None
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.number_panel.masked_shown, timeout=WAIT_MS):
        actions_of(window).person_requested.emit(
            session_of(window.session)
            .register.conn.execute("SELECT id FROM persons WHERE atena_no = '0000000002'")
            .fetchone()[0]
        )
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.person_page, timeout=WAIT_MS)
    text = " ".join(visible_texts(window.person_page)).replace(" ", "")
    assert "＊＊＊＊＊＊＊＊" + NUMBER[-4:] in text and NUMBER not in text
    window.show_search()  # leaving the person clears the panel
    assert NUMBER[-4:] not in " ".join(visible_texts(window.number_panel)).replace(" ", "")


@pytest.mark.parametrize("user", ["clerk", "nurse", "auditor"])
def test_other_roles_have_no_number_panel(qtbot: QtBot, reg: Path, user: str) -> None:
    window = open_window(qtbot, reg, user)
    assert window.number_panel is None
    assert not session_of(window.session).holds_number_key
