"""The login dialog driven with the keyboard: refusals, validation, busy state, success."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.security.keyslots import KeySlotFile
from app.security.session import Session, SessionView
from app.services.login_flow import Authenticator, LoginFlow, LoginState
from app.services.register import login
from app.store.layout import RegisterLayout
from app.ui.login.login_dialog import LoginDialog
from app.ui.shell.application import GuiController
from app.ui.shell.demo_marker import DemoBanner
from tests.gui.sample_register import CLERK

WAIT_MS = 10_000
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


class _RecordedRegister:
    demo = True
    directory = Path("stand-in")
    register_id = "stand-in"

    def __init__(self) -> None:
        self.closed = threading.Event()

    def close(self) -> None:
        self.closed.set()


def _stand_in_session() -> Session:
    return Session(
        user_id=1,
        login="clerk",
        staff_no="90002",
        display_name="窓口 花子",
        roles=frozenset({"clerk"}),
        permissions=frozenset(),
        register=_RecordedRegister(),  # type: ignore[arg-type]
    )


def _register_login(directory: Path) -> Authenticator:
    """``register.login`` as the login flow takes it: the UI gets the session's view."""

    def authenticate(login_name: str, password: str) -> SessionView:
        return login(directory, login_name, password).view()

    return authenticate


def _dialog(qtbot: QtBot, flow: LoginFlow, *, demo: bool = True) -> LoginDialog:
    dialog = LoginDialog(flow, demo=demo)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _type_credentials(qtbot: QtBot, dialog: LoginDialog, user: str, password: str) -> None:
    qtbot.keyClicks(dialog.user_edit, user)
    qtbot.keyClick(dialog.user_edit, Qt.Key.Key_Return)  # Enter moves on to the password
    assert dialog.focusWidget() is dialog.password_edit
    qtbot.keyClicks(dialog.password_edit, password)


def test_wrong_password_shows_the_japanese_error_and_the_dialog_stays(
    qtbot: QtBot, vaxdesk_app: QApplication, register_dir: Path
) -> None:
    dialog = _dialog(qtbot, LoginFlow(_register_login(register_dir)))
    signed_in: list[object] = []
    dialog.signed_in.connect(signed_in.append)
    _type_credentials(qtbot, dialog, CLERK.login, "not-the-password")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.flow.state is LoginState.FAILED, timeout=WAIT_MS)

    status = dialog.flow.status
    assert status.error_code == "E_AUTH_WRONG_PASSWORD"
    shown = dialog.message_label.text()
    assert shown == status.message_ja and JAPANESE.search(shown)
    assert "Traceback" not in shown and "E_AUTH" not in shown
    assert dialog.message_label.property("error") is True
    assert dialog.isVisible() and signed_in == []
    assert dialog.password_edit.text() == "" and dialog.password_edit.isEnabled()
    assert dialog.user_edit.text() == CLERK.login and not dialog.busy_bar.isVisible()


def test_empty_password_is_refused_without_calling_login(
    qtbot: QtBot, vaxdesk_app: QApplication
) -> None:
    calls: list[tuple[str, str]] = []

    def authenticator(user: str, password: str) -> SessionView:
        calls.append((user, password))
        raise AssertionError("login must not be called")

    dialog = _dialog(qtbot, LoginFlow(authenticator))
    qtbot.keyClicks(dialog.user_edit, "clerk")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.message_label.text() == "パスワードを入力してください。"
    assert dialog.flow.state is LoginState.ENTER_CREDENTIALS and calls == []


def test_busy_while_authenticating_then_signed_in(qtbot: QtBot, vaxdesk_app: QApplication) -> None:
    started, release = threading.Event(), threading.Event()
    session = _stand_in_session()

    def slow_authenticator(user: str, password: str) -> SessionView:
        started.set()
        release.wait(WAIT_MS / 1000)
        return session.view()

    dialog = _dialog(qtbot, LoginFlow(slow_authenticator))
    _type_credentials(qtbot, dialog, "clerk", "pw")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(started.is_set, timeout=WAIT_MS)
    assert dialog.busy_bar.isVisible()
    assert not dialog.user_edit.isEnabled() and not dialog.password_edit.isEnabled()
    assert dialog.message_label.text() == "認証しています。しばらくお待ちください…"
    with qtbot.waitSignal(dialog.signed_in, timeout=WAIT_MS) as blocker:
        release.set()
    assert blocker.args == [session.view()]
    assert dialog.flow.state is LoginState.DONE and not dialog.isVisible()


def test_closing_during_login_closes_the_session_that_opens_late(
    qtbot: QtBot, vaxdesk_app: QApplication
) -> None:
    started, release = threading.Event(), threading.Event()
    session = _stand_in_session()

    def slow_authenticator(user: str, password: str) -> SessionView:
        started.set()
        release.wait(WAIT_MS / 1000)
        return session.view()

    dialog = _dialog(qtbot, LoginFlow(slow_authenticator))
    _type_credentials(qtbot, dialog, "clerk", "pw")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(started.is_set, timeout=WAIT_MS)
    signed_in: list[object] = []
    dialog.signed_in.connect(signed_in.append)
    job = dialog._job
    assert job is not None
    with qtbot.waitSignal(job.cancelled, timeout=WAIT_MS):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc closes the dialog
        release.set()
    assert session.register.closed.is_set()  # type: ignore[attr-defined]
    assert signed_in == [] and not dialog.isVisible()


def test_correct_login_opens_the_main_window_marked_as_demo(
    qtbot: QtBot, vaxdesk_app: QApplication, register_dir: Path
) -> None:
    controller = GuiController(register_dir)
    controller.start()
    dialog = controller.login_dialog
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "【デモ台帳】 VaxDesk - ログイン"
    assert dialog.findChild(DemoBanner) is not None
    _type_credentials(qtbot, dialog, CLERK.login, CLERK.password)
    with qtbot.waitSignal(dialog.signed_in, timeout=WAIT_MS):
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    window = controller.main_window
    assert window is not None
    qtbot.addWidget(window)  # closed (and its session closed) at teardown
    assert window.isVisible() and not dialog.isVisible()
    assert window.windowTitle() == "【デモ台帳】 VaxDesk - 予防接種台帳 - 窓口 花子"
    assert window.demo_banner is not None and window.demo_banner.isVisible()
    assert "【デモ台帳】" in window.demo_banner.text()
    assert window.user_label.text() == "ログイン中: 窓口 花子"


def test_a_real_register_has_no_demo_marker(
    qtbot: QtBot, vaxdesk_app: QApplication, tmp_path: Path
) -> None:
    real = tmp_path / "real"
    real.mkdir()
    KeySlotFile.new(RegisterLayout(real).keyslots, demo=False).save()
    controller = GuiController(real)
    qtbot.addWidget(controller.login_dialog)
    assert controller.login_dialog.windowTitle() == "VaxDesk - ログイン"
    assert controller.login_dialog.findChild(DemoBanner) is None
