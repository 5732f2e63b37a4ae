"""Application setup: the bundled Japanese font, and ``run_gui`` from start to quit."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from app.ui.login.login_dialog import LoginDialog
from app.ui.shell.application import GuiThreadGarbageCollector, load_fonts, run_gui

GUARD_MS = 15_000
GUARD_EXIT_CODE = 99


def test_bundled_ipaex_gothic_is_the_application_font(vaxdesk_app: QApplication) -> None:
    family = load_fonts()
    assert family == "IPAexGothic"
    assert family in QFontDatabase.families()
    assert vaxdesk_app.font().family() == "IPAexGothic"
    assert QFontDatabase.hasFamily("IPAexGothic")


def test_run_gui_shows_the_login_and_returns_when_the_person_quits(
    vaxdesk_app: QApplication, register_dir: Path
) -> None:
    seen: list[str] = []

    def quit_from_the_login_dialog() -> None:
        dialogs = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, LoginDialog) and w.isVisible()
        ]
        seen.extend(d.windowTitle() for d in dialogs)
        for dialog in dialogs:
            dialog.quit_button.click()

    QTimer.singleShot(0, quit_from_the_login_dialog)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: vaxdesk_app.exit(GUARD_EXIT_CODE))  # never hang the suite
    guard.start(GUARD_MS)
    try:
        code = run_gui(register_dir)
    finally:
        guard.stop()
    assert code == 0
    assert seen == ["【デモ台帳】 VaxDesk - ログイン"]


def test_garbage_is_collected_on_the_gui_thread_only(vaxdesk_app: QApplication) -> None:
    collector = GuiThreadGarbageCollector()
    assert gc.isenabled()
    collector.start()
    try:
        assert not gc.isenabled()  # no automatic collection on a worker thread
        collector.collect()
    finally:
        collector.stop()
    assert gc.isenabled()


def test_an_unexpected_error_shows_japanese_and_logs_only_its_type(
    vaxdesk_app: QApplication, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.ui.shell import application

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text: shown.append(text))
    error = ValueError("山田 太郎 123456789018")
    with caplog.at_level("ERROR"):
        application._report_unexpected(ValueError, error, None)
    assert shown and "内部エラー" in shown[0]
    assert "ValueError" in caplog.text and "山田" not in caplog.text
    assert "123456789018" not in caplog.text + shown[0]
