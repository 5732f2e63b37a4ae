"""The administrator's settings pages in the 管理 menu (issue 12 items 12/16 and issue 11 items
9/10, left open as CLI-only): 窓口の設定, 地区名, ワクチンカタログ and 同期パスキー. Each is driven
from the keyboard through its menu entry, shows Japanese only (error codes in the tooltip),
writes through its audited service, and fits 1280×800 and 1024×768. A clerk gets none of them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QTableWidget, QTableWidgetItem, QWidget
from pytestqt.qtbot import QtBot

from app.paths import resource_path
from app.services import catalog_admin, enrolment_policy, office
from app.services.recovery import open_with_recovery_code
from app.store import register_meta
from app.ui.admin.area_names_page import NAME, AreaNamesPage
from app.ui.admin.catalog_page import CatalogPage
from app.ui.admin.office_settings_page import OfficeSettingsPage
from app.ui.admin.passkey_policy_page import PasskeyPolicyPage
from app.ui.common.display_text import long_date_text
from app.ui.shell.main_window import MainWindow
from tests.gui.test_access_support import (  # noqa: F401 (gui_thread_gc is a fixture)
    WAIT_MS,
    actions_of,
    gui_thread_gc,
    open_window,
)
from tests.support.registers import add_masters, login_as, make_register

pytestmark = pytest.mark.usefixtures("gui_thread_gc")

MENU = ("officeAction", "areaAction", "catalogAction", "passkeyAction")


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    directory = tmp_path / "reg"
    code = make_register(directory)
    add_masters(directory, code)  # households in area 01
    open_with_recovery_code(directory, code).register.close()
    return directory


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """A register whose office is not set yet."""
    directory = tmp_path / "bare"
    make_register(directory, with_people=False)
    return directory


def _audit(directory: Path, action: str) -> list[tuple[str, dict[str, object]]]:
    auditor = login_as(directory, "auditor")
    try:
        rows = auditor.register.conn.execute(
            "SELECT outcome, detail FROM audit_log WHERE action = ? ORDER BY seq", (action,)
        ).fetchall()
    finally:
        auditor.register.close()
    return [(o, json.loads(d)) for o, d in rows]


def _open(qtbot: QtBot, window: MainWindow, name: str) -> QWidget:
    """Trigger the 管理 menu entry ``name`` and wait until the page has read the register."""
    actions = actions_of(window)
    assert actions.admin_menu is not None
    [entry] = [a for a in actions.admin_menu.actions() if a.objectName() == name]
    entry.trigger()
    page = window.pages.currentWidget()
    assert page is not None
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=WAIT_MS)
    return page


def _item(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    """The table's item at (row, column); every cell these tests read has one."""
    item = table.item(row, column)
    assert item is not None, f"no item at ({row}, {column})"
    return item


def _inside(window: MainWindow, widget: QWidget) -> bool:
    """The widget is shown whole inside the window (nothing cut at the edges)."""
    if not widget.isVisible():
        return False
    top_left = widget.mapTo(window, QPoint(0, 0))
    return (
        top_left.x() >= 0
        and top_left.y() >= 0
        and top_left.x() + widget.width() <= window.width()
        and top_left.y() + widget.height() <= window.height()
    )


def test_menu_entries_in_japanese_and_none_for_a_clerk(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path
) -> None:
    window = open_window(qtbot, reg, "admin")
    menu = actions_of(window).admin_menu
    assert menu is not None
    texts = {a.objectName(): a.text() for a in menu.actions() if a.objectName() in MENU}
    assert texts == {
        "officeAction": "窓口の設定(&O)",
        "areaAction": "地区名(&N)",
        "catalogAction": "ワクチンカタログ(&C)",
        "passkeyAction": "同期パスキー(&P)",
    }
    clerk = open_window(qtbot, reg, "clerk")
    clerk_menu = actions_of(clerk).admin_menu
    assert clerk_menu is None or not [a for a in clerk_menu.actions() if a.objectName() in MENU]


def test_office_page_refuses_a_bad_phone_then_saves(
    qtbot: QtBot, vaxdesk_app: QApplication, bare: Path
) -> None:
    reg = bare
    window = open_window(qtbot, reg, "admin")
    page = _open(qtbot, window, "officeAction")
    assert isinstance(page, OfficeSettingsPage)
    assert "まだ設定されていません" in page.message_label.text()
    assert QApplication.focusWidget() is page.name_edit
    page.name_edit.insert("南保健センター")  # (QTest types ASCII only)
    qtbot.keyClick(page.name_edit, Qt.Key.Key_Tab)
    page.address_edit.insert("テスト市本町1-1")
    qtbot.keyClick(page.address_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(page.phone_edit, "1234")
    with qtbot.waitSignal(page.action_finished, timeout=WAIT_MS) as done:
        qtbot.keyClick(page.phone_edit, Qt.Key.Key_Return)
    assert done.args[1] is True
    text = page.message_label.text()
    assert "電話番号" in text and "E_" not in text
    assert page.message_label.toolTip() == "E_OFFICE_PHONE"
    assert QApplication.focusWidget() is page.phone_edit  # the field at fault
    admin = login_as(reg, "admin")
    try:
        assert office.current(admin) is None  # the refused input changed nothing
    finally:
        admin.register.close()

    page.phone_edit.selectAll()
    qtbot.keyClicks(page.phone_edit, "03-1234-5678")
    with qtbot.waitSignal(page.action_finished, timeout=WAIT_MS) as done:
        qtbot.keyClick(page.phone_edit, Qt.Key.Key_Return)
    assert done.args == ["保存しました。個別通知にはこの窓口が印刷されます。", False]
    assert page.message_label.toolTip() == ""
    assert _audit(reg, "settings.office") == [("ok", {"changed": ["name", "address", "phone"]})]
    admin = login_as(reg, "admin")
    try:
        saved = office.current(admin)
        assert saved is not None and saved.phone == "03-1234-5678"
    finally:
        admin.register.close()


def test_area_names_are_typed_in_the_table_and_saved(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path
) -> None:
    window = open_window(qtbot, reg, "admin")
    page = _open(qtbot, window, "areaAction")
    assert isinstance(page, AreaNamesPage)
    assert page.table.rowCount() == 1 and _item(page.table, 0, 0).text() == "01"
    assert page.message_label.text() == "地区 1 件（名称なし 1 件）。"
    assert page.table.currentColumn() == NAME
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F2)  # edit the name cell from the keyboard
    [editor] = page.table.findChildren(QLineEdit)
    editor.insert("中央地区")  # (QTest types ASCII only)
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):  # Alt+S saves with the editor open
        qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    assert page.message_label.text() == "1 件の地区名を保存しました。"
    assert _item(page.table, 0, NAME).text() == "中央地区"
    assert _audit(reg, "settings.areas") == [("ok", {"changed": ["01"]})]
    admin = login_as(reg, "admin")
    try:
        assert register_meta.area_names(admin.register.conn) == {"01": "中央地区"}
    finally:
        admin.register.close()

    _item(page.table, 0, NAME).setText("あ" * 31)  # too long: refused, nothing changes
    with qtbot.waitSignal(page.action_finished, timeout=WAIT_MS):
        page.save_button.click()
    assert page.message_label.toolTip() == "E_AREA_NAME"
    assert "地区名" in page.message_label.text() and "E_" not in page.message_label.text()
    assert len(_audit(reg, "settings.areas")) == 1


def test_passkey_policy_is_shown_and_changed_after_confirmation(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path
) -> None:
    window = open_window(qtbot, reg, "admin")
    page = _open(qtbot, window, "passkeyAction")
    assert isinstance(page, PasskeyPolicyPage)
    assert page.refuse_radio.isChecked() and "許可していません" in page.message_label.text()
    qtbot.keyClick(page.refuse_radio, Qt.Key.Key_Down)  # the arrow moves to 許可する
    assert page.allow_radio.isChecked()
    page.confirm_allow = lambda: False  # type: ignore[method-assign]
    page.save_button.click()
    assert _audit(reg, "policy.synced_passkeys") == []  # declined: nothing written
    page.confirm_allow = lambda: True  # type: ignore[method-assign]
    with qtbot.waitSignal(page.action_finished, timeout=WAIT_MS) as done:
        page.save_button.click()
    assert done.args == ["保存しました。これから登録する鍵に同期パスキーを許可します。", False]
    assert _audit(reg, "policy.synced_passkeys") == [("ok", {"before": False, "after": True})]
    admin = login_as(reg, "admin")
    try:
        assert enrolment_policy.synced_passkeys(admin) is True
    finally:
        admin.register.close()


def test_catalog_page_applies_exactly_the_previewed_file(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path, tmp_path: Path
) -> None:
    data = json.loads(resource_path("catalog", "catalog.json").read_text("utf-8"))
    data["revision"] = "2099-12-31"
    first = data["series"][0]
    old_name, first["name_ja"] = first["name_ja"], first["name_ja"] + "（訂正）"
    correction = tmp_path / "correction.json"
    correction.write_text(json.dumps(data, ensure_ascii=False), "utf-8")

    window = open_window(qtbot, reg, "admin")
    page = _open(qtbot, window, "catalogAction")
    assert isinstance(page, CatalogPage)
    assert _item(page.history_table, 0, 0).text().startswith("なし")
    assert not page.apply_button.isEnabled()
    page.ask_file = lambda: correction  # type: ignore[method-assign]
    with qtbot.waitSignal(page.previewed, timeout=WAIT_MS):
        qtbot.keyClick(page.choose_button, Qt.Key.Key_Space)
    cells = [_item(page.diff_table, 0, c).text() for c in range(5)]
    assert cells == ["予防接種", first["id"], "変更", old_name, old_name + "（訂正）"]
    assert "改訂日 令和81年12月31日 (2099-12-31)" in page.preview_label.text()
    assert page.diff_table.rowCount() == 2  # the series and the 改訂日 setting
    # the setting row names the setting in Japanese and shows the revision before and after
    shipped = resource_path("catalog", "catalog.json").read_text("utf-8")
    before = json.loads(shipped)["revision"]
    assert [_item(page.diff_table, 1, c).text() for c in range(5)] == [
        "設定",
        "改訂日",
        "変更",
        long_date_text(date.fromisoformat(before)),
        "令和81年12月31日 (2099-12-31)",
    ]
    assert _item(page.diff_table, 1, 1).toolTip() == "revision"
    assert page.apply_button.isEnabled() and QApplication.focusWidget() is page.apply_button

    # The file is edited after the preview: what is applied is what was shown.
    data["series"][0]["name_ja"] = "別の名前"
    correction.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    page.confirm_apply = lambda preview: True  # type: ignore[method-assign]
    with qtbot.waitSignal(page.applied, timeout=WAIT_MS) as applied:
        qtbot.keyClick(page.apply_button, Qt.Key.Key_Space)
    assert applied.args == [1]
    qtbot.waitUntil(lambda: page.history_table.item(0, 4) is not None, timeout=WAIT_MS)
    assert _item(page.history_table, 0, 0).text() == "1"
    assert _item(page.history_table, 0, 4).text() == "使用中"
    assert not page.apply_button.isEnabled()
    admin = login_as(reg, "admin")
    try:
        [version] = catalog_admin.history(admin)
        stored = catalog_admin.preview_import(admin, correction)
    finally:
        admin.register.close()
    assert version.in_force and version.changes == 2
    assert [c.name_before for c in stored.changes] == [old_name + "（訂正）"]  # shown text in force


def test_catalog_page_shows_a_bad_file_in_japanese(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"revision": 1}', "utf-8")
    window = open_window(qtbot, reg, "admin")
    page = _open(qtbot, window, "catalogAction")
    assert isinstance(page, CatalogPage)
    page.ask_file = lambda: bad  # type: ignore[method-assign]
    with qtbot.waitSignal(page.action_finished, timeout=WAIT_MS):
        page.choose_file()
    assert page.message_label.toolTip() == "E_CATALOG_INVALID"
    assert "カタログ" in page.message_label.text() and "E_" not in page.message_label.text()
    assert not page.apply_button.isEnabled() and page.diff_table.rowCount() == 0


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_settings_pages_fit_the_window(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path, size: tuple[int, int]
) -> None:
    window = open_window(qtbot, reg, "admin")
    window.resize(*size)
    for name in MENU:
        page = _open(qtbot, window, name)
        qtbot.wait(10)
        assert window.width() == size[0] and window.height() == size[1]
        buttons = [w for w in page.findChildren(QWidget) if w.objectName().endswith(
            ("Save", "Choose", "Apply", "Edit", "Name", "Address", "Phone", "Table", "Diff",
             "History", "Allow", "Refuse")
        )]  # fmt: skip
        assert buttons, name
        for widget in buttons:
            assert _inside(window, widget), (name, widget.objectName())
