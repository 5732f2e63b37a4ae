"""Login / unlock as a small state machine without Qt (STYLE.md §4).

The login dialog only *displays* a :class:`LoginStatus`; every decision lives here and is unit
tested without Qt. A login goes through three steps so that the slow part can run off the GUI
thread while the state is only ever changed on the caller's thread::

    creds = flow.begin(login_name, password)   # validate; ENTER_CREDENTIALS/FAILED → AUTHENTICATING
    session = flow.authenticate(creds)         # the injected login callable (worker thread)
    flow.succeed(session) / flow.fail(error)   # AUTHENTICATING → DONE | FAILED

``submit`` runs the three in one call for callers that may block (the CLI, tests).

States today::

    ENTER_CREDENTIALS ──begin──▶ AUTHENTICATING ──succeed──▶ DONE
          ▲   │ (empty field: stays,          │
          │   │  with a Japanese message)     └──fail──▶ FAILED ──begin──▶ AUTHENTICATING
          └───┴──────────────── reset ◀───────────────────┘

Extending it (next issue): add ``WAIT_FOR_KEY`` (the authenticate step asks the UI to show
"touch your security key" through ``prompt_key``, entering AUTHENTICATING → WAIT_FOR_KEY →
AUTHENTICATING) and ``LOCKED_OUT`` (FAILED → LOCKED_OUT when the service reports the lockout
code). Each is one enum member, one line in ``_ALLOWED`` and one message; the dialog needs no
change because it renders any status by its ``busy``, ``message_ja`` and ``is_error`` fields.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Final

from app.errors import VaxDeskError
from app.security.keyslots import KeySlotFile
from app.security.session import Session
from app.store.layout import RegisterLayout

log = logging.getLogger(__name__)

# login(login_name, password) -> Session; normally functools.partial(register.login, directory).
Authenticator = Callable[[str, str], Session]
StatusListener = Callable[["LoginStatus"], None]


class LoginState(Enum):
    ENTER_CREDENTIALS = "enter_credentials"
    AUTHENTICATING = "authenticating"
    DONE = "done"
    FAILED = "failed"


_ALLOWED: Final[dict[LoginState, frozenset[LoginState]]] = {
    LoginState.ENTER_CREDENTIALS: frozenset({LoginState.AUTHENTICATING}),
    LoginState.AUTHENTICATING: frozenset({LoginState.DONE, LoginState.FAILED}),
    LoginState.FAILED: frozenset({LoginState.AUTHENTICATING, LoginState.ENTER_CREDENTIALS}),
    LoginState.DONE: frozenset(),
}

MESSAGE_ENTER: Final = "ユーザー名とパスワードを入力してください。"
MESSAGE_AUTHENTICATING: Final = "認証しています。しばらくお待ちください…"
MESSAGE_DONE: Final = "ログインしました。"
MESSAGE_NEED_LOGIN: Final = "ユーザー名を入力してください。"
MESSAGE_NEED_PASSWORD: Final = "パスワードを入力してください。"
MESSAGE_NEED_BOTH: Final = "ユーザー名とパスワードを入力してください。"
CODE_EMPTY_LOGIN: Final = "E_LOGIN_EMPTY_USER"
CODE_EMPTY_PASSWORD: Final = "E_LOGIN_EMPTY_PASSWORD"
CODE_EMPTY_BOTH: Final = "E_LOGIN_EMPTY"
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
        return self.state is LoginState.AUTHENTICATING

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

    def __init__(self, authenticator: Authenticator) -> None:
        self._authenticator = authenticator
        self._listeners: list[Callable[[], StatusListener | None]] = []
        self._session: Session | None = None
        self._status = LoginStatus(LoginState.ENTER_CREDENTIALS, MESSAGE_ENTER)

    # --- observing ---------------------------------------------------------------------------

    @property
    def status(self) -> LoginStatus:
        return self._status

    @property
    def state(self) -> LoginState:
        return self._status.state

    @property
    def session(self) -> Session | None:
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
        self._move(
            LoginStatus(
                LoginState.AUTHENTICATING, MESSAGE_AUTHENTICATING, None, self._status.attempts
            )
        )
        return Credentials(name, password)

    def authenticate(self, credentials: Credentials) -> Session:
        """Call the injected login. Touches no state, so it may run on a worker thread."""
        return self._authenticator(credentials.login_name, credentials.password)

    def succeed(self, session: Session) -> LoginStatus:
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
        return self._move(LoginStatus(LoginState.FAILED, message, code, self._status.attempts + 1))

    def fail_with(self, code: str, message_ja: str) -> LoginStatus:
        """``fail`` for callers that only have the error's code and message (a background job)."""
        return self.fail(VaxDeskError(message_ja, code=code))

    def reset(self) -> LoginStatus:
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
