"""無効化 of a number-use user from the users page (issue 12 leftover): the administrator holds no
number key NK, so a number-use staff member may sign in on the spot and NK is renewed at once;
without one the renewal waits for the next number-use sign-in and the page says so; cancelling
the sign-in deactivates nobody."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.errors import AuthError, PermissionDenied
from app.security.key_delivery import key_id
from app.security.session import SessionView, session_of
from app.services import _number_key, users_admin
from app.services.register import NewUser
from app.store import register_meta
from app.ui.admin.access_table_model import AccessColumn
from app.ui.admin.admin_users_page import AdminUsersPage
from app.ui.admin.deactivate_action import WITH_HOLDER, WITHOUT_HOLDER
from app.ui.person_numbers.number_holder_dialog import NumberHolderDialog
from tests.gui.test_access_support import (  # noqa: F401 (gui_thread_gc is a fixture)
    WAIT_MS,
    actions_of,
    gui_thread_gc,
    open_window,
    sign_in,
)
from tests.support.registers import USERS, login_as, make_register, software_key

pytestmark = pytest.mark.usefixtures("gui_thread_gc")

NUMBER2 = NewUser("number2", "番号 六郎", "90006", "pw-number2-0006", ("number",))


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    """A register with a second number-use user (the one who can be present)."""
    directory = tmp_path / "reg"
    make_register(directory)
    admin, number = login_as(directory, "admin"), login_as(directory, "number")
    try:
        users_admin.create_user(admin, NUMBER2, software_key(directory), number_holder=number)
    finally:
        number.register.close()
        admin.register.close()
    return directory


def _nk_id_and_due(reg: Path) -> tuple[str | None, bool]:
    admin = login_as(reg, "admin")
    try:
        conn = admin.register.conn
        return register_meta.get_meta(conn, _number_key.NK_ID_META), _number_key.rotation_due(conn)
    finally:
        admin.register.close()


def _old_nk(reg: Path) -> bytes:
    number = login_as(reg, "number")
    try:
        return number.number_key()
    finally:
        number.register.close()


def _page(
    qtbot: QtBot, reg: Path, choice: str | None
) -> tuple[AdminUsersPage, tuple[list[object], list[object]]]:
    window = open_window(qtbot, reg, "admin")
    actions = actions_of(window)
    actions.show_users_page()
    page = actions.users_page
    assert isinstance(page, AdminUsersPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == len(USERS) + 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not page.jobs.busy, timeout=WAIT_MS)
    asked: list[object] = []

    def ask_number_holder(text: str) -> str | None:
        asked.append(text)
        return choice

    page.ask_number_holder = ask_number_holder  # type: ignore[method-assign]
    page.confirm = lambda text: pytest.fail("a number-use user gets the three-way question")  # type: ignore[method-assign]
    opened: list[object] = []
    page.dialog_opened.connect(opened.append)
    assert page.select_login("number")
    return page, (asked, opened)


def _active_text(page: AdminUsersPage, login: str) -> str:
    if not page.select_login(login):
        return ""
    return str(page.proxy.index(page.table.currentIndex().row(), AccessColumn.ACTIVE).data())


def test_a_present_number_user_renews_the_key_at_deactivation(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path
) -> None:
    old_nk = _old_nk(reg)
    page, (asked, opened) = _page(qtbot, reg, WITH_HOLDER)
    qtbot.mouseClick(page.deactivate_button, Qt.MouseButton.LeftButton)
    assert "number" in str(asked[0]) and "番号利用事務担当者" in str(asked[0])
    holder_dialog = opened[-1]
    assert isinstance(holder_dialog, NumberHolderDialog) and holder_dialog.isVisible()
    assert "無効化" in holder_dialog.heading_label.text()  # says why, not "granting rights"
    holders: list[object] = []
    holder_dialog.signed_in.connect(holders.append)
    with qtbot.waitSignal(page.action_finished, timeout=WAIT_MS) as finished:
        sign_in(qtbot, holder_dialog, "number2", NUMBER2.password)
    text, is_error = finished.args
    assert not is_error
    assert text == "利用者 number を無効にしました。個人番号を保護する鍵を更新しました。"
    holder = holders[0]
    assert isinstance(holder, SessionView)
    with pytest.raises(PermissionDenied):  # the holder's sign-in is over
        session_of(holder)
    nk_id, due = _nk_id_and_due(reg)
    assert not due and nk_id is not None and nk_id != key_id(old_nk)  # rotated at once
    with pytest.raises(AuthError):
        login_as(reg, "number")


def test_without_anyone_present_the_renewal_is_due_and_the_page_says_so(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path
) -> None:
    page, (asked, opened) = _page(qtbot, reg, WITHOUT_HOLDER)
    with qtbot.waitSignal(page.action_finished, timeout=WAIT_MS) as finished:
        qtbot.mouseClick(page.deactivate_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and not any(isinstance(d, NumberHolderDialog) for d in opened)
    text, is_error = finished.args
    assert not is_error and text.startswith("利用者 number を無効にしました。")
    assert "次に番号利用事務担当者がログインしたときに更新されます" in text
    assert page.message_label.text() == text
    _nk_id, due = _nk_id_and_due(reg)
    assert due  # the old behaviour: the next number-use sign-in rotates
    qtbot.waitUntil(lambda: _active_text(page, "number") == "無効", timeout=WAIT_MS)


def test_cancelling_the_sign_in_or_the_question_deactivates_nobody(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path
) -> None:
    page, (_asked, opened) = _page(qtbot, reg, WITH_HOLDER)
    qtbot.mouseClick(page.deactivate_button, Qt.MouseButton.LeftButton)
    holder_dialog = opened[-1]
    assert isinstance(holder_dialog, NumberHolderDialog)
    sign_in(qtbot, holder_dialog, "number2", "not-the-password")
    label = holder_dialog.message_label
    qtbot.waitUntil(lambda: label.toolTip().startswith("E_AUTH"), timeout=WAIT_MS)
    assert label.text() and "E_" not in label.text()  # Japanese only; the code in the tooltip
    qtbot.mouseClick(holder_dialog.quit_button, Qt.MouseButton.LeftButton)
    assert page.message_label.text() == "中止しました。number は無効化していません。"
    page.ask_number_holder = lambda text: None  # type: ignore[method-assign]
    qtbot.waitUntil(lambda: not page.jobs.busy, timeout=WAIT_MS)  # the failed sign-in's job
    qtbot.mouseClick(page.deactivate_button, Qt.MouseButton.LeftButton)
    assert not page.jobs.busy  # declined: no deactivation job was started
    login_as(reg, "number").register.close()  # still active
    assert _nk_id_and_due(reg)[1] is False
