"""Login / unlock as a small state machine without Qt (STYLE.md §4).

The login dialog only *displays* a :class:`LoginStatus`; every decision lives here and is unit
tested without Qt. A login goes through three steps so that the slow part can run off the GUI
thread while the state is only ever changed on the caller's thread::

    creds = flow.begin(login_name, password)   # validate; ENTER_CREDENTIALS/FAILED → AUTHENTICATING
    session = flow.authenticate(creds)         # the injected login callable (worker thread)
    flow.succeed(session) / flow.fail(error)   # AUTHENTICATING → DONE | FAILED

``submit`` runs the three in one call for callers that may block (the CLI, tests).

States::

    ENTER_CREDENTIALS ──begin──▶ AUTHENTICATING ──succeed──▶ DONE
          ▲   │ (empty field: stays,     │   ▲  │
          │   │  with a Japanese message)│   │  └──fail──▶ FAILED ──begin──▶ AUTHENTICATING
          │   │              wait_for_key│   │key_answered
          │   │                          ▼   │
          │   │                        WAIT_FOR_KEY ──succeed / fail──▶ DONE / FAILED
          │   │
          │   └── fail(E_AUTH_LOCKED) from AUTHENTICATING / WAIT_FOR_KEY ──▶ LOCKED_OUT
          │                                                                     │
          └───────────── reset (FAILED) / user_changed (LOCKED_OUT, another name) ◀┘

WAIT_FOR_KEY: the security key talks to the person through a ``FidoPrompt`` on the worker
thread; the UI hands each request to the GUI thread and calls ``wait_for_key(KeyRequest.TOUCH |
FINGER | PIN)`` (the status shows 「セキュリティキーに触れてください」 and so on) and, after the
PIN dialog answered, ``key_answered``. On a demo register the demo software key answers by
itself, so its requests keep AUTHENTICATING with the demo-key notice.

LOCKED_OUT: the service reported E_AUTH_LOCKED; there is no retry for that name (``begin`` is
refused) until the person types another user name (``user_changed``).

``key_access`` / ``register_authenticator`` / ``reauthenticator`` build what the service calls
need: a :class:`KeyAccess` whose device calls all get the UI's cancel event (Cancel stops a wait
for a touch), with a test seam ``key_factory`` (tests pass ``lambda: software_key(dir)``).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Final

from app import error_codes
from app.errors import AuthError, VaxDeskError
from app.security.fido import FidoPrompt
from app.security.fido.interface import (
    TEXT_ENTER_PIN,
    TEXT_PLACE_FINGER,
    TEXT_TOUCH_KEY,
    TEXT_WORKING,
)
from app.security.keyslots import KeySlotFile
from app.security.lockout import LockedOut
from app.security.session import Session, SessionView, session_of
from app.services import lockout_notice, register
from app.services.security_key import DEMO_KEY_NOTICE, KeyFactory, key_access
from app.store.layout import RegisterLayout

log = logging.getLogger(__name__)

# login(login_name, password) -> the signed-in session's view (the UI holds no Session).
Authenticator = Callable[[str, str], SessionView]
StatusListener = Callable[["LoginStatus"], None]
# The test seam for the security key: returns the KeyAccess to use instead of the real one.


class LoginState(Enum):
    ENTER_CREDENTIALS = "enter_credentials"
    AUTHENTICATING = "authenticating"
    WAIT_FOR_KEY = "wait_for_key"
    DONE = "done"
    FAILED = "failed"
    LOCKED_OUT = "locked_out"


class KeyRequest(Enum):
    TOUCH = "touch"
    FINGER = "finger"
    PIN = "pin"


_FINISHED: Final = frozenset({LoginState.DONE, LoginState.FAILED, LoginState.LOCKED_OUT})
_ALLOWED: Final[dict[LoginState, frozenset[LoginState]]] = {
    LoginState.ENTER_CREDENTIALS: frozenset({LoginState.AUTHENTICATING}),
    LoginState.AUTHENTICATING: _FINISHED | {LoginState.WAIT_FOR_KEY},
    LoginState.WAIT_FOR_KEY: _FINISHED | {LoginState.AUTHENTICATING},
    LoginState.FAILED: frozenset({LoginState.AUTHENTICATING, LoginState.ENTER_CREDENTIALS}),
    LoginState.LOCKED_OUT: frozenset({LoginState.ENTER_CREDENTIALS}),
    LoginState.DONE: frozenset(),
}
KEY_MESSAGES: Final = {
    KeyRequest.TOUCH: TEXT_TOUCH_KEY,
    KeyRequest.FINGER: TEXT_PLACE_FINGER,
    KeyRequest.PIN: TEXT_ENTER_PIN,
}

MESSAGE_ENTER: Final = "ユーザー名とパスワードを入力してください。"
MESSAGE_AUTHENTICATING: Final = "認証しています。しばらくお待ちください…"
MESSAGE_DONE: Final = "ログインしました。"
MESSAGE_KEY_WORKING: Final = TEXT_WORKING
MESSAGE_DEMO_KEY: Final = DEMO_KEY_NOTICE
CODE_EMPTY_LOGIN: Final = "E_LOGIN_EMPTY_USER"
CODE_EMPTY_PASSWORD: Final = "E_LOGIN_EMPTY_PASSWORD"
CODE_EMPTY_BOTH: Final = "E_LOGIN_EMPTY"
MESSAGE_NEED_LOGIN: Final = error_codes.message(CODE_EMPTY_LOGIN)
MESSAGE_NEED_PASSWORD: Final = error_codes.message(CODE_EMPTY_PASSWORD)
MESSAGE_NEED_BOTH: Final = error_codes.message(CODE_EMPTY_BOTH)
UNEXPECTED = VaxDeskError()  # E_INTERNAL with the generic Japanese message


class InvalidTransition(RuntimeError):
    """A programming error: the caller asked for a step the current state does not allow."""


@dataclass(frozen=True, slots=True)
class LoginStatus:
    """What the dialog shows. ``error_code`` is set only when ``is_error``."""

    state: LoginState
    message_ja: str
    error_code: str | None = None
    attempts: int = 0  # failed authentications in this flow (validation slips are not counted)

    @property
    def busy(self) -> bool:
        return self.state in (LoginState.AUTHENTICATING, LoginState.WAIT_FOR_KEY)

    @property
    def waiting_for_key(self) -> bool:
        """The security key waits for the person: the UI offers Cancel."""
        return self.state is LoginState.WAIT_FOR_KEY

    @property
    def locked_out(self) -> bool:
        return self.state is LoginState.LOCKED_OUT

    @property
    def is_error(self) -> bool:
        return self.error_code is not None

    @property
    def accepts_input(self) -> bool:
        return self.state in (LoginState.ENTER_CREDENTIALS, LoginState.FAILED)


@dataclass(frozen=True, slots=True)
class Credentials:
    login_name: str
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class RegisterInfo:
    """What the login screen may know before anyone has signed in."""

    directory: Path
    found: bool
    demo: bool


def describe_register(directory: Path) -> RegisterInfo:
    """Whether ``directory`` holds a register and whether it is a demo one (read-only peek at the
    key-slot file; a missing or damaged file is reported by the login itself)."""
    layout = RegisterLayout(Path(directory))
    try:
        slots = KeySlotFile.load(layout.keyslots)
    except VaxDeskError:
        return RegisterInfo(Path(directory), found=False, demo=False)
    return RegisterInfo(Path(directory), found=True, demo=slots.demo)


class LoginFlow:
    """One login attempt sequence for one register. Not thread-safe: call ``begin``, ``succeed``,
    ``fail`` and ``reset`` from one thread; ``authenticate`` may run anywhere."""

    def __init__(self, authenticator: Authenticator, *, demo: bool = False) -> None:
        self._authenticator = authenticator
        self._demo = demo
        self._listeners: list[Callable[[], StatusListener | None]] = []
        self._session: SessionView | None = None
        self._locked_login: str | None = None
        self._pending_login: str | None = None
        self._status = LoginStatus(LoginState.ENTER_CREDENTIALS, MESSAGE_ENTER)

    # --- observing ---------------------------------------------------------------------------

    @property
    def status(self) -> LoginStatus:
        return self._status

    @property
    def state(self) -> LoginState:
        return self._status.state

    @property
    def demo(self) -> bool:
        return self._demo

    @property
    def locked_login(self) -> str | None:
        """The user name that is locked out (LOCKED_OUT only)."""
        return self._locked_login if self.state is LoginState.LOCKED_OUT else None

    @property
    def session(self) -> SessionView | None:
        """The signed-in session once DONE."""
        return self._session

    def subscribe(self, listener: StatusListener) -> None:
        """Call ``listener`` on every change. A bound method is held weakly, so a view that
        subscribes is not kept alive by the flow (the flow may be released on another thread,
        and a GUI object must never be freed there)."""
        if hasattr(listener, "__self__") and hasattr(listener, "__func__"):
            self._listeners.append(weakref.WeakMethod(listener))
        else:
            self._listeners.append(lambda: listener)

    def _move(self, status: LoginStatus) -> LoginStatus:
        current = self._status.state
        if status.state is not current and status.state not in _ALLOWED[current]:
            raise InvalidTransition(f"{current.value} -> {status.state.value}")
        self._status = status
        for get_listener in list(self._listeners):
            listener = get_listener()
            if listener is not None:
                listener(status)
        return status

    # --- steps -------------------------------------------------------------------------------

    def begin(self, login_name: str, password: str) -> Credentials | None:
        """Validate the typed values. Returns the credentials to authenticate with and enters
        AUTHENTICATING, or returns None and stays put with a Japanese message (login is not
        called for an empty field)."""
        if not self._status.accepts_input:
            raise InvalidTransition(f"begin in {self.state.value}")
        name = login_name.strip()
        if not name or not password:
            if not name and not password:
                code, message = CODE_EMPTY_BOTH, MESSAGE_NEED_BOTH
            elif not name:
                code, message = CODE_EMPTY_LOGIN, MESSAGE_NEED_LOGIN
            else:
                code, message = CODE_EMPTY_PASSWORD, MESSAGE_NEED_PASSWORD
            self._move(LoginStatus(self.state, message, code, self._status.attempts))
            return None
        self._pending_login = name
        message = MESSAGE_AUTHENTICATING
        if self._demo:
            message = f"{MESSAGE_AUTHENTICATING}\n{MESSAGE_DEMO_KEY}"
        self._move(LoginStatus(LoginState.AUTHENTICATING, message, None, self._status.attempts))
        return Credentials(name, password)

    def wait_for_key(self, request: KeyRequest) -> LoginStatus:
        """The security key asks for a touch, a finger or the PIN (AUTHENTICATING → WAIT_FOR_KEY).

        Ignored once the attempt has finished (a late request changes nothing). On a demo
        register the software key answers by itself: the status stays AUTHENTICATING."""
        if not self._status.busy:
            return self._status
        if self._demo and request is not KeyRequest.PIN:
            return self._status
        return self._move(
            LoginStatus(LoginState.WAIT_FOR_KEY, KEY_MESSAGES[request], None, self._status.attempts)
        )

    def key_answered(self) -> LoginStatus:
        """The person answered the key's request (PIN entered): WAIT_FOR_KEY → AUTHENTICATING."""
        if self.state is not LoginState.WAIT_FOR_KEY:
            return self._status
        return self._move(
            LoginStatus(LoginState.AUTHENTICATING, MESSAGE_KEY_WORKING, None, self._status.attempts)
        )

    def key_notice(self, text_ja: str) -> LoginStatus:
        """A short text from the key step (for example the demo-key notice) while busy."""
        if not self._status.busy:
            return self._status
        return self._move(LoginStatus(self.state, text_ja, None, self._status.attempts))

    def authenticate(self, credentials: Credentials) -> SessionView:
        """Call the injected login. Touches no state, so it may run on a worker thread."""
        return self._authenticator(credentials.login_name, credentials.password)

    def succeed(self, session: SessionView) -> LoginStatus:
        self._session = session
        return self._move(LoginStatus(LoginState.DONE, MESSAGE_DONE, None, self._status.attempts))

    def fail(self, error: BaseException) -> LoginStatus:
        """Record a refused or broken login. Known errors show their ``message_ja``; anything else
        shows the generic internal-error message (its text may hold data, so it is never shown)."""
        if isinstance(error, VaxDeskError):
            code, message = error.code, error.message_ja
        else:
            log.error("login failed unexpectedly: %s", type(error).__name__)
            code, message = UNEXPECTED.code, UNEXPECTED.message_ja
        attempts = self._status.attempts + 1
        if code == LockedOut.code:
            self._locked_login = self._pending_login
            return self._move(LoginStatus(LoginState.LOCKED_OUT, message, code, attempts))
        return self._move(LoginStatus(LoginState.FAILED, message, code, attempts))

    def fail_with(self, code: str, message_ja: str) -> LoginStatus:
        """``fail`` for callers that only have the error's code and message (a background job)."""
        return self.fail(VaxDeskError(message_ja, code=code))

    def reset(self) -> LoginStatus:
        if self.state is LoginState.LOCKED_OUT:
            raise InvalidTransition("reset in locked_out: the user name must change")
        return self._move(
            LoginStatus(LoginState.ENTER_CREDENTIALS, MESSAGE_ENTER, None, self._status.attempts)
        )

    def user_changed(self, login_name: str) -> LoginStatus:
        """The person edited the user name. Leaves LOCKED_OUT once it names another user."""
        if self.state is not LoginState.LOCKED_OUT or login_name.strip() == self._locked_login:
            return self._status
        self._locked_login = None
        return self._move(
            LoginStatus(LoginState.ENTER_CREDENTIALS, MESSAGE_ENTER, None, self._status.attempts)
        )

    def submit(self, login_name: str, password: str) -> LoginStatus:
        """Validate, authenticate and finish in one blocking call."""
        credentials = self.begin(login_name, password)
        if credentials is None:
            return self._status
        try:
            session = self.authenticate(credentials)
        except Exception as exc:
            return self.fail(exc)
        return self.succeed(session)


def register_authenticator(
    directory: Path,
    prompt: FidoPrompt,
    cancel: threading.Event,
    *,
    key_factory: KeyFactory | None = None,
) -> Authenticator:
    """``register.login`` on ``directory`` with the UI's key prompt (runs on the worker thread)."""
    directory = Path(directory)

    def authenticate(login_name: str, password: str) -> SessionView:
        demo = describe_register(directory).demo
        key = key_access(directory, demo, prompt, cancel, key_factory)
        try:
            return register.login(directory, login_name, password, key=key, prompt=prompt).view()
        except AuthError as exc:
            raise lockout_notice.explain(directory, login_name, exc) from None

    return authenticate


def reauthenticator(
    session: Session | SessionView,
    prompt: FidoPrompt,
    cancel: threading.Event,
    *,
    key_factory: KeyFactory | None = None,
) -> Authenticator:
    """Unlock after the idle lock: ``register.reauthenticate`` for ``session``'s own user.

    The returned closure keeps only the session's view (it runs from the UI's job)."""
    view = session_of(session).view()

    def authenticate(login_name: str, password: str) -> SessionView:
        if login_name != view.login:
            raise VaxDeskError()  # the unlock dialog never offers another name
        key = key_access(view.directory, view.demo, prompt, cancel, key_factory)
        try:
            register.reauthenticate(session_of(view), password, key=key, prompt=prompt)
        except AuthError as exc:
            raise lockout_notice.explain(view.directory, view.login, exc) from None
        return view

    return authenticate
