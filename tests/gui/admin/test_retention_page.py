"""管理 → 保存期間と消去: the policy shown and saved, counts by kind (no names), the purge behind
a typed confirmation, driven from the keyboard; a stale preview is refused with its message."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.domain.kana import normalize_kana
from app.errors import PermissionDenied
from app.services.recovery import open_with_recovery_code
from app.store import db, persons
from app.ui.admin.retention_page import RetentionConfirmDialog, RetentionPage
from tests.gui.test_access_support import (  # noqa: F401 (gui_thread_gc is a fixture)
    WAIT_MS,
    actions_of,
    gui_thread_gc,
    open_window,
)
from tests.support.builder import RegisterBuilder
from tests.support.registers import login_as, make_register

pytestmark = pytest.mark.usefixtures("gui_thread_gc")
GONE = "消去 対象子"


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    directory = tmp_path / "reg"
    code = make_register(directory)
    access = open_with_recovery_code(directory, code)
    conn = access.register.conn
    build = RegisterBuilder(conn)
    with db.transaction(conn):
        gone = build.person(
            persons.NewPerson(
                atena_no="0000000901",
                name=GONE,
                name_kana="ショウキョ",
                kana_key=normalize_kana("ショウキョ"),
                sex="F",
                birth_date="2008-05-01",
                address="テスト市消去町1",
            )
        )
        build.die(gone, "2010-04-01")
        build.vaccination(gone, series_id="mr1", vaccinated_on="2009-05-01")
    access.register.close()
    return directory


def _page(qtbot: QtBot, reg: Path) -> RetentionPage:
    window = open_window(qtbot, reg, "admin")
    actions = actions_of(window)
    assert actions.admin_menu is not None
    assert "保存期間と消去(&R)" in [a.text() for a in actions.admin_menu.actions()]
    with qtbot.waitSignal(actions.page_shown, timeout=WAIT_MS):
        actions.show_retention_page()
    page = actions.retention_page
    assert isinstance(page, RetentionPage) and window.pages.currentWidget() is page
    qtbot.waitUntil(lambda: page.policy is not None, timeout=WAIT_MS)
    return page


def _press(qtbot: QtBot, widget: QWidget) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_Space)


def _persons(reg: Path) -> int:
    s = login_as(reg, "admin")
    try:
        return int(s.register.conn.execute("SELECT count(*) FROM persons").fetchone()[0])
    finally:
        s.register.close()


def test_preview_confirm_and_purge_from_the_keyboard(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path
) -> None:
    page = _page(qtbot, reg)
    assert page.vaccination_years.value() == 5 and page.keep_residents.isChecked()
    assert "covid_special" in page.extended_label.text()
    assert not page.purge_button.isEnabled()
    with qtbot.waitSignal(page.previewed, timeout=WAIT_MS):
        _press(qtbot, page.preview_button)
    assert page.count_labels["person"].text() == "1 件"
    assert page.count_labels["vaccination"].text() == "1 件"
    shown = [w.text() for w in page.findChildren(QLabel)]
    assert not any(GONE in t for t in shown)  # counts only, never names
    assert page.purge_button.isEnabled()
    opened: list[object] = []
    page.dialog_opened.connect(opened.append)
    before = _persons(reg)
    _press(qtbot, page.purge_button)
    dialog = opened[-1]
    assert isinstance(dialog, RetentionConfirmDialog)
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.total_edit, "1")
    assert not dialog.ok_button.isEnabled()  # the total is 2
    dialog.total_edit.clear()
    qtbot.keyClicks(dialog.total_edit, "2")
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(page.action_finished, timeout=WAIT_MS) as finished:
        qtbot.keyClick(dialog.total_edit, Qt.Key.Key_Return)
    assert finished.args == ["2 件を消去しました。サーバーへの消去の通知は送信待ちです。", False]
    assert _persons(reg) == before - 1
    assert not page.purge_button.isEnabled()


def test_a_stale_preview_is_refused_and_nothing_is_purged(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path
) -> None:
    page = _page(qtbot, reg)
    with qtbot.waitSignal(page.previewed, timeout=WAIT_MS):
        page.run_preview()
    other = login_as(reg, "admin")
    try:
        conn = other.register.conn
        person = conn.execute("SELECT id FROM persons WHERE atena_no = '0000000901'").fetchone()[0]
        with db.transaction(conn):
            RegisterBuilder(conn).vaccination(person, series_id="bcg", vaccinated_on="2008-06-01")
    finally:
        other.register.close()
    before = _persons(reg)
    assert page.preview is not None
    with qtbot.waitSignal(page.action_finished, timeout=WAIT_MS) as finished:
        page.purge(page.preview, dict(page.preview.counts))
    assert finished.args[1] is True and "変わっています" in finished.args[0]
    assert _persons(reg) == before
    assert not page.purge_button.isEnabled()


def test_policy_is_saved_from_the_page(qtbot: QtBot, vaxdesk_app: QApplication, reg: Path) -> None:
    page = _page(qtbot, reg)
    page.exit_years.setValue(7)
    with qtbot.waitSignal(page.action_finished, timeout=WAIT_MS) as finished:
        _press(qtbot, page.save_button)
    assert finished.args == ["保存期間の設定を保存しました。", False]
    s = login_as(reg, "admin")
    try:
        from app.services import retention

        assert retention.current_policy(s).policy.exit_years == 7
    finally:
        s.register.close()


def test_only_the_administrator_gets_the_page(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path
) -> None:
    window = open_window(qtbot, reg, "auditor")
    actions = actions_of(window)
    assert actions.admin_menu is not None
    assert "保存期間と消去(&R)" not in [a.text() for a in actions.admin_menu.actions()]
    with pytest.raises(PermissionDenied):
        RetentionPage(window.session, window.jobs)
