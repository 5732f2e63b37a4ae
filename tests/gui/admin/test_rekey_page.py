"""管理 → 台帳の鍵の更新: the administrator's menu entry, the confirmation, the progress dialog
and the outcome (the register really moved to a new DEK); a clerk has no such entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QProgressDialog
from pytestqt.qtbot import QtBot

from app.security.session import session_of
from app.store import db
from app.store.layout import RegisterLayout
from app.ui.admin.rekey_page import RekeyPage
from tests.gui.test_access_support import (  # noqa: F401 (gui_thread_gc is a fixture)
    WAIT_MS,
    actions_of,
    gui_thread_gc,
    open_window,
)
from tests.support.registers import make_register

pytestmark = pytest.mark.usefixtures("gui_thread_gc", "vaxdesk_app")


def test_admin_rekeys_from_the_page_with_progress(qtbot: QtBot, tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    make_register(reg, with_people=False)
    window = open_window(qtbot, reg, "admin")
    actions = actions_of(window)
    assert actions.admin_menu is not None
    entry = [a for a in actions.admin_menu.actions() if a.objectName() == "rekeyAction"]
    assert entry and entry[0].text() == "台帳の鍵の更新(&K)"
    entry[0].trigger()
    page = actions.rekey_page
    assert isinstance(page, RekeyPage) and window.pages.currentWidget() is page
    old_dek = session_of(window.session).register.dek
    dialogs: list[object] = []
    page.dialog_opened.connect(dialogs.append)
    outcomes: list[tuple[str, bool]] = []
    page.finished.connect(lambda text, error: outcomes.append((text, error)))
    page.start_button.click()
    confirm = dialogs[0]
    assert isinstance(confirm, QMessageBox)
    confirm.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: len(dialogs) == 2, timeout=WAIT_MS)
    assert isinstance(dialogs[1], QProgressDialog)
    qtbot.waitUntil(lambda: bool(outcomes), timeout=WAIT_MS)
    text, error = outcomes[0]
    assert not error and "台帳の鍵を更新しました" in text
    assert page.progress is None and page.start_button.isEnabled()
    new_dek = session_of(window.session).register.dek
    assert new_dek != old_dek
    with pytest.raises(db.RegisterDamaged):
        db.connect(RegisterLayout(reg).database, old_dek, readonly=True)


def test_a_clerk_has_no_rekey_entry(qtbot: QtBot, tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    make_register(reg, with_people=False)
    window = open_window(qtbot, reg, "clerk")
    actions = actions_of(window)
    assert actions.admin_menu is None and actions.rekey_page is None
