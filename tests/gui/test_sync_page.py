"""The 同期 page driven with the keyboard: export, import, cancel, quarantine list, conflicts, the
14-day warning and the 未送信 count of the main window."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem
from pytestqt.qtbot import QtBot

from app.security.session import Session
from app.ui.shell.main_window import MainWindow
from app.ui.sync.media_panel import COLUMNS
from tests.gui.counter_register import focused, open_window, settle
from tests.support.registers import login_as
from tests.support.sync_env import SyncEnv, local_envelope, make_sync_register, server_edit

WAIT_MS = 20_000
BOTH_TIME = r"R\d+\.\d\d\.\d\d \d\d:\d\d \(\d{4}-\d\d-\d\d\)"  # local_time_both
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def env(tmp_path: Path) -> SyncEnv:
    return make_sync_register(tmp_path / "reg", demo=True)


@pytest.fixture
def number(env: SyncEnv) -> Iterator[Session]:
    s = login_as(env.directory, "number")
    yield s
    s.register.close()


@pytest.fixture
def window(qtbot: QtBot, vaxdesk_app: QApplication, number: Session) -> MainWindow:
    main = open_window(qtbot, number)
    settle(qtbot, main)
    qtbot.keyClick(focused(), Qt.Key.Key_S, CTRL_SHIFT)
    assert main.pages.currentWidget() is main.sync_page
    return main


def _run(qtbot: QtBot, window: MainWindow, start: Callable[[], object]) -> bool:
    page = window.sync_page
    assert page is not None
    with qtbot.waitSignal(page.finished, timeout=WAIT_MS) as blocker:
        start()
    return bool(blocker.args[0])


def _item(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    """The table's item at (row, column); every cell these tests read has one."""
    item = table.item(row, column)
    assert item is not None, f"no item at ({row}, {column})"
    return item


def test_export_then_import_of_the_acknowledging_update(
    qtbot: QtBot, window: MainWindow, env: SyncEnv, tmp_path: Path
) -> None:
    page = window.sync_page
    assert page is not None
    assert window.unsent_label.text() == "未送信 1件"
    page.folder_edit.setText(str(tmp_path / "medium"))
    page.export_button.setFocus()
    assert _run(qtbot, window, lambda: qtbot.keyClick(page.export_button, Qt.Key.Key_Space))
    assert "通番 1" in page.message.text()
    assert list((tmp_path / "medium").glob("*.vxpkg"))
    assert "通番 1" in page.export_label.text()
    assert re.search(BOTH_TIME, page.export_label.text())  # when, in local 和暦 + 西暦
    # Sent but nothing came back yet: the register is waiting for the server.
    assert page.freeze_warning.text() and page.freeze_warning.property("error")

    pkg = tmp_path / "u1.vxpkg"
    env.build_update(pkg, ack=1)
    page.file_edit.setText(str(pkg))
    assert _run(qtbot, window, lambda: qtbot.keyClick(page.file_edit, Qt.Key.Key_Return))
    assert "通番 1" in page.import_label.text()
    assert re.search(BOTH_TIME, page.import_label.text())
    assert window.unsent_label.text() == "未送信 0件"
    assert not page.freeze_warning.text()
    # The same file again: already imported, nothing changed.
    assert _run(qtbot, window, lambda: qtbot.keyClick(page.file_edit, Qt.Key.Key_Return))
    assert "取込済み" in page.message.text()


def test_cancelled_export_leaves_nothing(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    page = window.sync_page
    assert page is not None
    page.folder_edit.setText(str(tmp_path / "medium"))

    def start_and_cancel() -> None:
        page.start_export()
        qtbot.keyClick(page.cancel_button, Qt.Key.Key_Space)

    assert not _run(qtbot, window, start_and_cancel)
    assert "中止" in page.message.text()
    assert not (tmp_path / "medium").exists() or not any((tmp_path / "medium").iterdir())
    assert "通番 0" in page.export_label.text()


def test_refused_package_shows_in_the_quarantine_list(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    page = window.sync_page
    assert page is not None
    bad = tmp_path / "bad.vxpkg"
    bad.write_bytes(b"not a package")
    page.file_edit.setText(str(bad))
    assert not _run(qtbot, window, page.start_import)
    assert page.message.toolTip() == "E_HEADER"  # the code for the help desk, not the text
    assert page.message.text().startswith("パッケージの形式") and "E_" not in page.message.text()
    table = page.quarantine_table
    headers = []
    for c in range(table.columnCount()):
        header = table.horizontalHeaderItem(c)
        assert header is not None
        headers.append(header.text())
    assert headers == ["日時", "ファイル", "検査段階", "理由"]  # no コード column
    assert table.rowCount() == 1
    cells = [_item(table, 0, c).text() for c in range(table.columnCount())]
    assert re.fullmatch(BOTH_TIME, cells[0])
    assert cells[1].endswith("bad.vxpkg")
    assert cells[2] == "パッケージの構成"  # the reader's step in Japanese, not "layout"
    assert cells[3] == page.message.text()
    assert not any("E_" in text for text in cells)
    assert {_item(table, 0, c).toolTip() for c in range(table.columnCount())} == {"E_HEADER"}
    metrics = table.fontMetrics()
    for column in (0, 1, 2):  # time, file and step are not elided
        assert table.columnWidth(column) >= metrics.horizontalAdvance(cells[column])


def test_conflict_merged_field_by_field(
    qtbot: QtBot, window: MainWindow, env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    conn = number.register.conn
    uid = bytes(conn.execute("SELECT uid FROM vaccinations").fetchone()[0])
    incoming = server_edit(
        local_envelope(conn, "vaccination", uid), lot_no="MR999", doctor="別の 医師"
    )
    pkg = tmp_path / "u1.vxpkg"
    env.build_update(pkg, {"vaccination": [incoming]})
    page = window.sync_page
    assert page is not None
    page.file_edit.setText(str(pkg))
    assert _run(qtbot, window, page.start_import)
    panel = page.conflicts
    assert panel.list_table.rowCount() == 1
    differs = _item(panel.list_table, 0, 3).text()
    assert re.fullmatch(BOTH_TIME, _item(panel.list_table, 0, 2).text())  # local, 和暦 + 西暦
    # record type and fields in Japanese; the keys only in the tooltips
    assert _item(panel.list_table, 0, 1).text() == "接種記録"
    assert _item(panel.list_table, 0, 1).toolTip() == "vaccination"
    assert "ロット番号" in differs and "接種医師" in differs
    assert "lot_no" not in differs and "doctor" not in differs
    names = [_item(panel.detail, r, 0).text() for r in range(panel.detail.rowCount())]
    keys = [_item(panel.detail, r, 0).toolTip() for r in range(panel.detail.rowCount())]
    assert "● ロット番号" in names and "接種日" in names and "取消" in names
    assert not any(re.search(r"[a-z]_[a-z]", name) for name in names)
    assert keys[names.index("● ロット番号")] == "lot_no"
    _item(panel.detail, names.index("● ロット番号"), 2).setCheckState(Qt.CheckState.Checked)
    assert panel.merge_button.isEnabled()  # idle again as soon as the import is told
    qtbot.keyClick(panel.merge_button, Qt.Key.Key_Space)
    assert panel.list_table.rowCount() == 0
    row = conn.execute("SELECT lot_no, doctor FROM vaccinations WHERE uid = ?", (uid,)).fetchone()
    assert row[0] == "MR999" and row[1] != "別の 医師"


def test_clerk_has_no_sync_page_but_sees_the_unsent_count(
    qtbot: QtBot, vaxdesk_app: QApplication, env: SyncEnv
) -> None:
    clerk = login_as(env.directory, "clerk")
    try:
        main = MainWindow(clerk)
        qtbot.addWidget(main)
        assert main.sync_page is None and "sync" not in main.menu_actions
        assert main.unsent_label.text() == "未送信 1件"
    finally:
        clerk.register.close()


def test_media_ledger_records_the_transfer_and_erases_after_the_acknowledgement(
    qtbot: QtBot, window: MainWindow, env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    col = COLUMNS.index
    page = window.sync_page
    assert page is not None
    ledger = page.media
    medium = tmp_path / "usb"
    ledger.approver_edit.setText("90001")
    page.folder_edit.setText(str(medium))
    assert _run(qtbot, window, page.start_export)
    cell = functools.partial(_item, ledger.table)
    assert ledger.table.rowCount() == 1 and cell(0, col("approved_by")).text() == "90001"
    [sent] = list(medium.glob("*.vxpkg"))
    assert cell(0, col("file")).text() == sent.name
    assert cell(0, col("file")).toolTip() == str(sent)
    assert number.display_name in cell(0, col("carried_by")).text()  # by name
    assert not cell(0, col("erased_by")).text()
    qtbot.keyClick(ledger.erase_button, Qt.Key.Key_Space)  # not yet acknowledged
    assert page.message.toolTip() == "E_MEDIA_NOT_ACKNOWLEDGED" and sent.exists()
    assert page.message.text() and "E_" not in page.message.text()  # Japanese only
    update = medium / "u1.vxpkg"
    env.build_update(update, ack=1)
    page.file_edit.setText(str(update))
    assert _run(qtbot, window, page.start_import)
    assert ledger.table.rowCount() == 2
    export_row = next(r for r in range(2) if cell(r, col("direction")).text() == "書出")
    ledger.table.setCurrentCell(export_row, 0)
    qtbot.keyClick(ledger.erase_button, Qt.Key.Key_Space)
    assert not sent.exists() and "消去" in page.message.text()
    erased = col("erased_at")
    qtbot.waitUntil(lambda: bool(cell(export_row, erased).text()), timeout=WAIT_MS)
    for column in (col("at"), erased):  # 日時 and 消去日時: 和暦 + 西暦, local time
        assert re.fullmatch(BOTH_TIME, cell(export_row, column).text())
    assert number.display_name in cell(export_row, col("erased_by")).text()
    ledger.write_csv(tmp_path / "ledger.csv")
    assert (tmp_path / "ledger.csv").read_text("utf-8-sig").count("\n") == 3


def test_an_initial_load_on_the_page_prepares_the_lists(
    qtbot: QtBot, vaxdesk_app: QApplication, tmp_path: Path
) -> None:
    """After an initial package the page's job prepares every 未接種者一覧 (the import's
    permission); the load is committed and shown first."""
    from app.store import list_kept
    from tests.integration.test_sync_initial import _source_records

    target = make_sync_register(
        tmp_path / "new", with_change=False, with_people=False, with_masters=False, demo=True
    )
    source = make_sync_register(tmp_path / "src")
    pkg = tmp_path / "initial.vxpkg"
    target.build_update(pkg, _source_records(source.directory), kind="initial")
    session = login_as(target.directory, "number")
    try:
        main = open_window(qtbot, session)
        settle(qtbot, main)
        qtbot.keyClick(focused(), Qt.Key.Key_S, CTRL_SHIFT)
        page = main.sync_page
        assert page is not None and main.pages.currentWidget() is page
        assert list_kept.count(session.register.conn) == 0
        page.file_edit.setText(str(pkg))
        assert _run(qtbot, main, lambda: qtbot.keyClick(page.file_edit, Qt.Key.Key_Return))
        assert "通番 1" in page.import_label.text()
        assert list_kept.count(session.register.conn) > 0
        last = session.register.conn.execute(
            "SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1"
        ).fetchone()[0]
        assert last == "list.prepare"
    finally:
        session.register.close()
