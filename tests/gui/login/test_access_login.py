"""Login with the security-key step (WAIT_FOR_KEY), the lockout (LOCKED_OUT) and Cancel at the
PIN prompt, on a non-demo register whose key is the injected software key."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.security.fido import RecordingPrompt, SoftwareBackend
from app.security.fido.software import SoftwareAuthenticator
from app.security.lockout import MAX_FAILURES, LockedOut
from app.security.session import end
from app.services.login_flow import LoginState, LoginStatus
from app.services.register import NewUser
from app.services.register_create import create_register
from app.services.security_key import DEMO_KEY_NOTICE, KeyAccess
from app.ui.login.login_dialog import LoginDialog
from app.ui.login.pin_dialog import PinDialog
from app.ui.shell.application import GuiController
from tests.gui.test_access_support import (  # noqa: F401 (gui_thread_gc is a fixture)
    WAIT_MS,
    gui_thread_gc,
    key_factory,
    menu_titles,
    sign_in,
    top_level,
)
from tests.support.registers import TEST_KEY_AAGUID, StandInKey, make_register

PIN = "4821"

pytestmark = pytest.mark.usefixtures("gui_thread_gc")


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    make_register(tmp_path / "reg", with_people=False)
    return tmp_path / "reg"


def _record(dialog: LoginDialog) -> list[LoginStatus]:
    seen: list[LoginStatus] = []
    dialog.flow.subscribe(seen.append)
    return seen


def test_login_on_a_real_register_shows_the_key_prompt_and_opens_the_window(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path
) -> None:
    controller = GuiController(reg, key_factory=key_factory(reg), idle_timeout_ms=600_000)
    dialog = controller.login_dialog
    qtbot.addWidget(dialog)
    controller.start()
    assert DEMO_KEY_NOTICE not in dialog.key_notice_label.text()
    assert "セキュリティキー" in dialog.key_notice_label.text()
    seen = _record(dialog)
    shown: list[str] = []
    dialog.flow.subscribe(lambda s: shown.append(dialog.message_label.text()))
    with qtbot.waitSignal(dialog.signed_in, timeout=WAIT_MS):
        sign_in(qtbot, dialog, "clerk")
    states = [s.state for s in seen]
    assert LoginState.WAIT_FOR_KEY in states and states[-1] is LoginState.DONE
    assert "セキュリティキーに触れてください" in shown
    assert "指紋センサーに指を置いてください" in shown
    window = controller.main_window
    assert window is not None
    qtbot.addWidget(window)
    assert window.isVisible() and window.session.login == "clerk"
    assert menu_titles(window) == []  # a clerk gets neither 管理 nor 個人番号


def test_demo_register_says_the_demo_key_is_used(
    qtbot: QtBot, vaxdesk_app: QApplication, tmp_path: Path
) -> None:
    make_register(tmp_path / "demo", with_people=False, demo=True)
    dialog = LoginDialog.for_register(tmp_path / "demo")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.key_notice_label.text() == DEMO_KEY_NOTICE
    seen = _record(dialog)
    with qtbot.waitSignal(dialog.signed_in, timeout=WAIT_MS) as blocker:
        sign_in(qtbot, dialog, "nurse")
    assert LoginState.WAIT_FOR_KEY not in [s.state for s in seen]  # no touch needed
    end(blocker.args[0])


def test_five_failures_lock_the_user_until_another_name_is_typed(
    qtbot: QtBot, vaxdesk_app: QApplication, reg: Path
) -> None:
    dialog = LoginDialog.for_register(reg, key_factory=key_factory(reg))
    qtbot.addWidget(dialog)
    dialog.show()
    for attempt in range(MAX_FAILURES - 1):
        sign_in(qtbot, dialog, "clerk", "wrong-password")
        qtbot.waitUntil(lambda: dialog.flow.state is LoginState.FAILED, timeout=WAIT_MS)
        assert dialog.flow.status.attempts == attempt + 1
        assert dialog.flow.status.error_code == "E_AUTH_WRONG_PASSWORD"
        left = MAX_FAILURES - attempt - 1
        warned = f"あと{left}回失敗すると" in dialog.message_label.text()
        assert warned == (left <= 2)  # 「あと2回で…」, then 「あと1回で…」
    sign_in(qtbot, dialog, "clerk", "wrong-password")  # the fifth failure locks at once
    qtbot.waitUntil(lambda: dialog.flow.state is LoginState.LOCKED_OUT, timeout=WAIT_MS)
    text = dialog.message_label.text()
    assert text != LockedOut.message_ja and "までロックされています" in text  # with its end
    assert not dialog.sign_in_button.isEnabled() and not dialog.password_edit.isEnabled()
    assert dialog.user_edit.isEnabled()
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)  # no retry
    assert dialog.flow.state is LoginState.LOCKED_OUT
    dialog.user_edit.selectAll()
    qtbot.keyClicks(dialog.user_edit, "nurse")
    # read through ``status`` (what ``flow.state`` returns): mypy would keep ``flow.state``
    # narrowed to LOCKED_OUT by the assert above, as if the key clicks could not change it
    assert dialog.flow.status.state is LoginState.ENTER_CREDENTIALS
    assert dialog.sign_in_button.isEnabled() and dialog.password_edit.isEnabled()
    with qtbot.waitSignal(dialog.signed_in, timeout=WAIT_MS) as blocker:
        sign_in(qtbot, dialog, "nurse")
    end(blocker.args[0])


@pytest.fixture
def pin_reg(tmp_path: Path) -> tuple[Path, Path]:
    """A register whose only key has a PIN and no fingerprint reader."""
    state = tmp_path / "pin-key.json"
    admin = NewUser("admin", "管理 一郎", "90001", "pw-admin-0001", ("admin",))
    device = SoftwareAuthenticator(state, uv=False, pin=PIN, aaguid=TEST_KEY_AAGUID)
    key = KeyAccess(StandInKey(device), RecordingPrompt(pin=PIN))
    create_register(tmp_path / "reg", admin=admin, key=key)
    return tmp_path / "reg", state


def _pin_dialog(qtbot: QtBot, pin_reg: tuple[Path, Path]) -> LoginDialog:
    directory, state = pin_reg
    dialog = LoginDialog.for_register(
        directory,
        key_factory=lambda: KeyAccess(SoftwareBackend(SoftwareAuthenticator(state, uv=False))),
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _sign_in_until_pin(qtbot: QtBot, dialog: LoginDialog) -> PinDialog:
    assert dialog.pin_handler is not None
    with qtbot.waitSignal(dialog.pin_handler.pin_dialog_opened, timeout=WAIT_MS) as blocker:
        dialog.user_edit.clear()
        qtbot.keyClicks(dialog.user_edit, "admin")
        qtbot.keyClicks(dialog.password_edit, "pw-admin-0001")
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    pin_dialog = blocker.args[0]
    assert isinstance(pin_dialog, PinDialog) and pin_dialog.isVisible()
    assert dialog.flow.state is LoginState.WAIT_FOR_KEY
    assert dialog.message_label.text() == "PINを入力してください"
    assert dialog.cancel_key_button.isVisible() and dialog.cancel_key_button.isEnabled()
    return pin_dialog


def test_cancel_at_the_pin_prompt_shows_the_cancel_message(
    qtbot: QtBot, vaxdesk_app: QApplication, pin_reg: tuple[Path, Path]
) -> None:
    dialog = _pin_dialog(qtbot, pin_reg)
    pin_dialog = _sign_in_until_pin(qtbot, dialog)
    qtbot.mouseClick(pin_dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.flow.state is LoginState.FAILED, timeout=WAIT_MS)
    assert dialog.flow.status.error_code == "E_FIDO_CANCELLED"
    assert (
        dialog.message_label.text()
        == "セキュリティキーの操作が取り消されたか、時間切れになりました。"
    )
    assert dialog.sign_in_button.isEnabled() and not dialog.cancel_key_button.isVisible()


def test_cancel_key_button_while_the_pin_is_asked(
    qtbot: QtBot, vaxdesk_app: QApplication, pin_reg: tuple[Path, Path]
) -> None:
    dialog = _pin_dialog(qtbot, pin_reg)
    _sign_in_until_pin(qtbot, dialog)
    qtbot.mouseClick(dialog.cancel_key_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.flow.state is LoginState.FAILED, timeout=WAIT_MS)
    assert dialog.flow.status.error_code == "E_FIDO_CANCELLED"
    assert dialog.pin_handler is not None and dialog.pin_handler.dialog is None
    assert top_level(PinDialog) == []


def test_the_pin_entered_in_the_dialog_signs_in(
    qtbot: QtBot, vaxdesk_app: QApplication, pin_reg: tuple[Path, Path]
) -> None:
    dialog = _pin_dialog(qtbot, pin_reg)
    pin_dialog = _sign_in_until_pin(qtbot, dialog)
    qtbot.keyClicks(pin_dialog.pin_edit, "12")
    qtbot.keyClick(pin_dialog.pin_edit, Qt.Key.Key_Return)
    assert pin_dialog.isVisible() and pin_dialog.message_label.text()  # too short: stays
    qtbot.keyClicks(pin_dialog.pin_edit, "34")
    pin_dialog.pin_edit.setText(PIN)
    with qtbot.waitSignal(dialog.signed_in, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(pin_dialog.pin_edit, Qt.Key.Key_Return)
    assert pin_dialog.pin_edit.text() == ""
    end(blocker.args[0])
