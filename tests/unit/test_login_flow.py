"""The login state machine, without Qt and without a register."""

from __future__ import annotations

import gc
import re
import threading
import weakref
from pathlib import Path

import pytest

from app.errors import AuthError
from app.security.fido import FidoCancelled, RecordingPrompt
from app.security.keyslots import KeySlotFile
from app.security.lockout import MAX_FAILURES, LockedOut
from app.security.session import SessionView, session_of
from app.services import login_flow
from app.services.login_flow import (
    Credentials,
    InvalidTransition,
    KeyRequest,
    LoginFlow,
    LoginState,
    LoginStatus,
)
from app.services.register import NewUser, login
from app.services.register_create import create_register
from app.services.security_key import DEMO_KEY_NOTICE
from app.store.layout import RegisterLayout
from tests.support.registers import login_as, make_register, password, software_key


class FakeLogin:
    """Records calls; returns a stand-in session view (of no live session) or raises the given
    error."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.calls: list[tuple[str, str]] = []
        self.error = error
        self.session = SessionView(
            1, "clerk", "90001", "事務 太郎", frozenset(), frozenset(), False, Path("reg"), "reg-id"
        )

    def __call__(self, login_name: str, password: str) -> SessionView:
        self.calls.append((login_name, password))
        if self.error is not None:
            raise self.error
        return self.session


def _flow(fake: FakeLogin) -> tuple[LoginFlow, list[LoginStatus]]:
    flow = LoginFlow(fake)
    seen: list[LoginStatus] = []
    flow.subscribe(seen.append)
    return flow, seen


def test_starts_waiting_for_credentials() -> None:
    flow, _ = _flow(FakeLogin())
    assert flow.state is LoginState.ENTER_CREDENTIALS
    assert flow.status.accepts_input and not flow.status.busy and not flow.status.is_error
    assert flow.session is None


@pytest.mark.parametrize(
    ("user", "password", "code", "message"),
    [
        ("", "", login_flow.CODE_EMPTY_BOTH, "ユーザー名とパスワードを入力してください。"),
        ("   ", "pw", login_flow.CODE_EMPTY_LOGIN, "ユーザー名を入力してください。"),
        ("clerk", "", login_flow.CODE_EMPTY_PASSWORD, "パスワードを入力してください。"),
    ],
)
def test_empty_fields_give_japanese_message_and_never_call_login(
    user: str, password: str, code: str, message: str
) -> None:
    fake = FakeLogin()
    flow, seen = _flow(fake)
    status = flow.submit(user, password)
    assert fake.calls == []
    assert status.state is LoginState.ENTER_CREDENTIALS
    assert status.error_code == code and status.message_ja == message
    assert status.attempts == 0
    assert seen == [status]


def test_success_passes_through_authenticating_to_done() -> None:
    fake = FakeLogin()
    flow, seen = _flow(fake)
    status = flow.submit(" clerk ", "pw")
    assert fake.calls == [("clerk", "pw")]  # the user name is trimmed, the password is not
    assert [s.state for s in seen] == [LoginState.AUTHENTICATING, LoginState.DONE]
    assert seen[0].busy and not seen[0].accepts_input
    assert status.state is LoginState.DONE and flow.session is fake.session


def test_refusal_shows_the_error_message_and_allows_another_try() -> None:
    refused = AuthError("パスワードが違います。", code="E_AUTH_WRONG_PASSWORD")
    fake = FakeLogin(refused)
    flow, _ = _flow(fake)
    status = flow.submit("clerk", "wrong")
    assert status.state is LoginState.FAILED
    assert status.error_code == "E_AUTH_WRONG_PASSWORD"
    assert status.message_ja == "パスワードが違います。"
    assert status.attempts == 1 and status.accepts_input
    fake.error = None
    assert flow.submit("clerk", "right").state is LoginState.DONE
    assert flow.status.attempts == 1


def test_unexpected_exception_shows_generic_message_not_its_text() -> None:
    flow, _ = _flow(FakeLogin(RuntimeError("secret detail from a stack")))
    status = flow.submit("clerk", "pw")
    assert status.error_code == "E_INTERNAL"
    assert "secret" not in status.message_ja
    assert status.message_ja == login_flow.UNEXPECTED.message_ja


def test_steps_split_for_a_worker_thread() -> None:
    fake = FakeLogin()
    flow, _ = _flow(fake)
    creds = flow.begin("nurse", "pw")
    assert isinstance(creds, Credentials) and "pw" not in repr(creds)
    assert flow.state is LoginState.AUTHENTICATING
    session = flow.authenticate(creds)
    assert flow.state is LoginState.AUTHENTICATING  # authenticate touches no state
    flow.succeed(session)
    assert flow.status.state is LoginState.DONE  # (mypy keeps flow.state narrowed)


def test_fail_with_code_and_message_from_a_job() -> None:
    flow, _ = _flow(FakeLogin())
    flow.begin("clerk", "pw")
    status = flow.fail_with("E_AUTH_WRONG_PASSWORD", "認証に失敗しました。")
    assert (status.state, status.error_code) == (LoginState.FAILED, "E_AUTH_WRONG_PASSWORD")
    assert flow.reset().state is LoginState.ENTER_CREDENTIALS


@pytest.mark.parametrize("step", ["succeed", "fail", "begin_twice", "begin_after_done"])
def test_steps_out_of_order_are_refused(step: str) -> None:
    fake = FakeLogin()
    flow, _ = _flow(fake)
    with pytest.raises(InvalidTransition):
        if step == "succeed":
            flow.succeed(fake.session)
        elif step == "fail":
            flow.fail(AuthError())
        elif step == "begin_twice":
            flow.begin("a", "b")
            flow.begin("a", "b")
        else:
            flow.submit("a", "b")
            flow.begin("a", "b")


def test_describe_register(tmp_path: Path) -> None:
    admin = NewUser("admin", "管理 太郎", "90001", "pw", ("admin",))
    create_register(tmp_path / "demo", admin=admin, demo=True)
    real = tmp_path / "real"
    real.mkdir()
    KeySlotFile.new(RegisterLayout(real).keyslots, demo=False).save()
    assert login_flow.describe_register(tmp_path / "demo").demo
    real_info = login_flow.describe_register(real)
    assert real_info.found and not real_info.demo
    missing = login_flow.describe_register(tmp_path / "none")
    assert (missing.found, missing.demo) == (False, False)


def test_login_against_a_register(tmp_path: Path) -> None:
    """A demo register: its security key is the demo software key, so the password suffices."""
    admin = NewUser("admin", "管理 太郎", "90001", "correct horse", ("admin",))
    create_register(tmp_path / "reg", admin=admin, demo=True)
    # the authenticator hands the flow the session's view, as register_authenticator does
    flow = LoginFlow(lambda name, pw: login(tmp_path / "reg", name, pw).view())
    wrong = flow.submit("admin", "wrong")
    assert wrong.state is LoginState.FAILED and wrong.error_code == "E_AUTH_WRONG_PASSWORD"
    done = flow.submit("admin", "correct horse")
    assert done.state is LoginState.DONE and flow.session is not None
    assert flow.session.display_name == "管理 太郎"
    session_of(flow.session).register.close()


def test_a_subscribed_view_is_not_kept_alive_by_the_flow() -> None:
    """The dialog subscribes a bound method; the flow must not keep the dialog alive (it could
    then be freed on the worker thread that drops the flow last)."""

    class View:
        def __init__(self) -> None:
            self.shown: list[LoginState] = []

        def show(self, status: LoginStatus) -> None:
            self.shown.append(status.state)

    flow = LoginFlow(FakeLogin())
    view = View()
    flow.subscribe(view.show)
    flow.begin("clerk", "pw")
    assert view.shown == [LoginState.AUTHENTICATING]
    gone = weakref.ref(view)
    del view
    gc.collect()
    assert gone() is None
    flow.succeed(FakeLogin().session)  # no listener left: nothing is called, nothing fails
    assert flow.state is LoginState.DONE


# --- the key step and the lockout ----------------------------------------------------------


def test_key_requests_show_the_prompt_texts_and_the_answer_goes_back_to_authenticating() -> None:
    flow, seen = _flow(FakeLogin())
    flow.begin("clerk", "pw")
    touch = flow.wait_for_key(KeyRequest.TOUCH)
    assert touch.state is LoginState.WAIT_FOR_KEY and touch.waiting_for_key and touch.busy
    assert touch.message_ja == "セキュリティキーに触れてください"
    assert flow.wait_for_key(KeyRequest.FINGER).message_ja == "指紋センサーに指を置いてください"
    assert flow.wait_for_key(KeyRequest.PIN).message_ja == "PINを入力してください"
    assert not flow.status.accepts_input
    working = flow.key_answered()
    assert working.state is LoginState.AUTHENTICATING and not working.waiting_for_key
    flow.wait_for_key(KeyRequest.TOUCH)
    assert flow.succeed(FakeLogin().session).state is LoginState.DONE
    assert LoginState.WAIT_FOR_KEY in [s.state for s in seen]


def test_a_late_key_request_after_the_attempt_changes_nothing() -> None:
    flow, _ = _flow(FakeLogin(AuthError()))
    flow.submit("clerk", "pw")
    assert flow.state is LoginState.FAILED
    assert flow.wait_for_key(KeyRequest.TOUCH).state is LoginState.FAILED
    assert flow.key_answered().state is LoginState.FAILED
    assert flow.key_notice("x").message_ja == AuthError.message_ja


def test_cancel_at_the_key_fails_with_the_cancel_message_and_allows_a_retry() -> None:
    flow, _ = _flow(FakeLogin())
    flow.begin("clerk", "pw")
    flow.wait_for_key(KeyRequest.PIN)
    status = flow.fail(FidoCancelled())
    assert status.state is LoginState.FAILED and status.error_code == "E_FIDO_CANCELLED"
    assert status.message_ja == FidoCancelled.message_ja and status.accepts_input


def test_demo_register_keeps_authenticating_with_the_demo_key_notice() -> None:
    flow = LoginFlow(FakeLogin(), demo=True)
    flow.begin("clerk", "pw")
    assert DEMO_KEY_NOTICE in flow.status.message_ja
    assert flow.wait_for_key(KeyRequest.TOUCH).state is LoginState.AUTHENTICATING
    assert flow.wait_for_key(KeyRequest.FINGER).state is LoginState.AUTHENTICATING


def test_lockout_refuses_retry_until_another_user_name_is_typed() -> None:
    fake = FakeLogin(LockedOut())
    flow, _ = _flow(fake)
    status = flow.submit("clerk", "pw")
    assert status.state is LoginState.LOCKED_OUT and status.locked_out
    assert status.message_ja == LockedOut.message_ja and not status.accepts_input
    assert flow.locked_login == "clerk"
    with pytest.raises(InvalidTransition):
        flow.begin("clerk", "pw")
    with pytest.raises(InvalidTransition):
        flow.reset()
    assert flow.user_changed(" clerk ").state is LoginState.LOCKED_OUT
    assert flow.user_changed("nurse").state is LoginState.ENTER_CREDENTIALS
    assert flow.locked_login is None
    fake.error = None
    assert flow.submit("nurse", "pw").state is LoginState.DONE


def test_five_wrong_passwords_then_locked_out_on_a_register(tmp_path: Path) -> None:
    make_register(tmp_path / "reg", with_people=False)
    cancel = threading.Event()
    prompt = RecordingPrompt()
    flow = LoginFlow(
        login_flow.register_authenticator(
            tmp_path / "reg", prompt, cancel, key_factory=lambda: software_key(tmp_path / "reg")
        )
    )
    messages = []
    for _ in range(MAX_FAILURES - 1):
        status = flow.submit("clerk", "wrong")
        assert status.error_code == "E_AUTH_WRONG_PASSWORD"
        messages.append(status.message_ja)
    assert "あと" not in messages[0] and "あと" not in messages[1]
    assert "あと2回失敗すると、このユーザーは15分間ロックされます。" in messages[2]
    assert "あと1回失敗すると" in messages[3]
    assert "セキュリティキーに触れてください" in prompt.shown  # the key step ran each time
    # The fifth failure locks the name and says so at once, with the time the lock ends.
    locked = flow.submit("clerk", "wrong")
    assert locked.state is LoginState.LOCKED_OUT and locked.error_code == "E_AUTH_LOCKED"
    assert "5回失敗したため" in locked.message_ja and "までロックされています" in locked.message_ja
    assert re.search(r"R\d+\.\d\d\.\d\d \d\d:\d\d \(\d{4}-\d\d-\d\d\)", locked.message_ja)


def test_cancel_event_reaches_the_device_call(tmp_path: Path) -> None:
    make_register(tmp_path / "reg", with_people=False)
    cancel = threading.Event()
    cancel.set()  # pressed before the key answered
    flow = LoginFlow(
        login_flow.register_authenticator(
            tmp_path / "reg",
            RecordingPrompt(),
            cancel,
            key_factory=lambda: software_key(tmp_path / "reg"),
        )
    )
    status = flow.submit("clerk", password("clerk"))
    assert status.error_code == "E_FIDO_CANCELLED"


def test_reauthenticator_unlocks_the_same_session(tmp_path: Path) -> None:
    make_register(tmp_path / "reg", with_people=False)
    session = login_as(tmp_path / "reg", "nurse")
    try:
        flow = LoginFlow(
            login_flow.reauthenticator(
                session,
                RecordingPrompt(),
                threading.Event(),
                key_factory=lambda: software_key(tmp_path / "reg"),
            )
        )
        assert flow.submit("nurse", "wrong").error_code == "E_AUTH_WRONG_PASSWORD"
        assert flow.submit("nurse", password("nurse")).state is LoginState.DONE
        assert flow.session is session.view()
    finally:
        session.register.close()
