"""Automatic screen lock after idle minutes (DESIGN.md §4 "Sessions").

Setting: the environment variable ``VAXDESK_IDLE_MINUTES`` (a number of minutes, decimals
allowed, between 0.5 and 120; default 5; anything else falls back to 5 with a log line). Tests
pass ``timeout_ms`` directly.

* :class:`IdleWatcher` -- an application-wide event filter: any keyboard, mouse, wheel or touch
  input restarts a single-shot timer; ``idle`` is emitted when it runs out.
* :class:`WindowLock` -- locks one main window: the central widget and the menus are hidden
  behind a :class:`LockScreen` that covers the whole window, the window's open dialogs are
  hidden, its shortcuts and menu actions are swallowed, and ``lock_hub().screen_locked`` tells
  panels such as the 個人番号 panel to hide what they reveal. The :class:`UnlockDialog` asks for
  the password and the security key (``register.reauthenticate``); Sign out is offered.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.security.session import SessionView, lock
from app.services.security_key import KeyFactory
from app.ui.common.jobs import JobRunner
from app.ui.login.unlock_dialog import UnlockDialog
from app.ui.shell.demo_marker import DemoBanner

log = logging.getLogger(__name__)

IDLE_ENV = "VAXDESK_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 5.0
MIN_IDLE_MINUTES, MAX_IDLE_MINUTES = 0.5, 120.0

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
    }
)
_SWALLOWED_WHILE_LOCKED = frozenset({QEvent.Type.Shortcut, QEvent.Type.ShortcutOverride})


def idle_minutes(environ: Mapping[str, str] | None = None) -> float:
    """The idle minutes from ``VAXDESK_IDLE_MINUTES`` (default 5)."""
    raw = (os.environ if environ is None else environ).get(IDLE_ENV, "").strip()
    if not raw:
        return DEFAULT_IDLE_MINUTES
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not MIN_IDLE_MINUTES <= value <= MAX_IDLE_MINUTES:
        log.warning("%s is not a number of minutes in range; using the default", IDLE_ENV)
        return DEFAULT_IDLE_MINUTES
    return value


def idle_timeout_ms(environ: Mapping[str, str] | None = None) -> int:
    return int(idle_minutes(environ) * 60_000)


def _install_app_filter(obj: QObject) -> None:
    app = QCoreApplication.instance()
    if app is not None:
        app.installEventFilter(obj)


def _remove_app_filter(obj: QObject) -> None:
    app = QCoreApplication.instance()
    if app is not None:
        app.removeEventFilter(obj)


class LockHub(QObject):
    """Application-wide notice that a window was locked (panels hide revealed data)."""

    screen_locked = Signal()


_hub: LockHub | None = None


def lock_hub() -> LockHub:
    global _hub
    if _hub is None:
        _hub = LockHub(QCoreApplication.instance())
    return _hub


class IdleWatcher(QObject):
    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(1, timeout_ms))
        self._timer.timeout.connect(self.idle)
        self._installed = False
        self.restarts = 0  # how often input restarted the timer (for tests and diagnostics)

    @property
    def timeout_ms(self) -> int:
        return self._timer.interval()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def set_timeout_ms(self, timeout_ms: int) -> None:
        self._timer.setInterval(max(1, timeout_ms))

    def start(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        app = QCoreApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS and self._timer.isActive():
            self._timer.start()  # restart: the person is here
            self.restarts += 1
        return False


class LockScreen(QWidget):
    """Covers the whole locked window; shows no person data."""

    unlock_requested = Signal()
    sign_out_requested = Signal()

    def __init__(self, display_name: str, parent: QWidget, *, demo: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        if demo:  # the lock screen of a demo register is marked like every other window
            layout.addWidget(DemoBanner(self))
        layout.addStretch(1)
        title = QLabel(self.tr("The screen is locked"), self)
        title.setObjectName("lockTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        who = QLabel(self.tr("Signed in: %1").replace("%1", display_name), self)
        who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(who)
        hint = QLabel(
            self.tr("Unlock with your password and security key."),
            self,
        )
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.unlock_button = QPushButton(self.tr("Unlock..."), self)
        self.unlock_button.setObjectName("lockUnlockButton")
        self.sign_out_button = QPushButton(self.tr("Sign out"), self)
        self.sign_out_button.setObjectName("lockSignOutButton")
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.sign_out_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(2)
        self.unlock_button.clicked.connect(self.unlock_requested)
        self.sign_out_button.clicked.connect(self.sign_out_requested)


class WindowLock(QObject):
    """Idle lock of one main window (see the module docstring)."""

    locked = Signal()
    unlocked = Signal()
    sign_out_requested = Signal()
    unlock_dialog_opened = Signal(object)  # UnlockDialog

    def __init__(
        self,
        window: QMainWindow,
        session: SessionView,
        jobs: JobRunner,
        *,
        timeout_ms: int | None = None,
        key_factory: KeyFactory | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.jobs = jobs
        self.key_factory = key_factory
        self.watcher = IdleWatcher(idle_timeout_ms() if timeout_ms is None else timeout_ms, self)
        self.watcher.idle.connect(self.lock)
        self.screen: LockScreen | None = None
        self.unlock_dialog: UnlockDialog | None = None
        self._hidden: list[QWidget] = []

    @property
    def is_locked(self) -> bool:
        return self.screen is not None

    def start(self) -> None:
        self.watcher.start()

    def stop(self) -> None:
        self.watcher.stop()
        _remove_app_filter(self)

    @Slot()
    def lock(self) -> None:
        if self.is_locked:
            return
        lock(self.session)  # NK leaves memory until the unlock unwraps it again
        self.watcher.stop()
        window = self.window
        self._hidden = [
            w
            for w in window.findChildren(QDialog)
            if w.isVisible() and w.isWindow() and not isinstance(w, UnlockDialog)
        ]
        for widget in (*self._hidden, window.centralWidget(), window.menuBar()):
            if widget is not None and widget.isVisible():
                widget.hide()
                if widget not in self._hidden:
                    self._hidden.append(widget)
        screen = LockScreen(self.session.display_name, window, demo=self.session.demo)
        screen.setGeometry(window.rect())
        screen.show()
        screen.raise_()
        screen.unlock_requested.connect(self.show_unlock_dialog)
        screen.sign_out_requested.connect(self.sign_out_requested)
        self.screen = screen
        window.installEventFilter(self)
        _install_app_filter(self)
        lock_hub().screen_locked.emit()
        self.locked.emit()
        self.show_unlock_dialog()

    @Slot()
    def show_unlock_dialog(self) -> None:
        if not self.is_locked:
            return
        if self.unlock_dialog is None:
            dialog = UnlockDialog(
                self.session, self.jobs, key_factory=self.key_factory, parent=self.window
            )
            dialog.signed_in.connect(self._unlocked)
            dialog.sign_out_requested.connect(self.sign_out_requested)
            self.unlock_dialog = dialog
        self.unlock_dialog.open()
        self.unlock_dialog_opened.emit(self.unlock_dialog)

    @Slot(object)
    def _unlocked(self, session: object) -> None:
        _remove_app_filter(self)
        self.window.removeEventFilter(self)
        if self.unlock_dialog is not None:
            self.unlock_dialog.deleteLater()
            self.unlock_dialog = None
        if self.screen is not None:
            self.screen.hide()
            self.screen.deleteLater()
            self.screen = None
        for widget in self._hidden:
            widget.show()
        self._hidden = []
        self.watcher.start()
        self.unlocked.emit()

    def _swallowed(self, obj: QObject | None) -> bool:
        """A shortcut of the locked window (not of the lock screen or the unlock dialog)."""
        while obj is not None:
            if obj is self.unlock_dialog or obj is self.screen:
                return False
            if obj is self.window:
                return True
            obj = obj.parent()
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.window and kind == QEvent.Type.Resize and self.screen is not None:
            self.screen.setGeometry(self.window.rect())
            return False
        # no menu action or window shortcut runs while locked
        return self.is_locked and kind in _SWALLOWED_WHILE_LOCKED and self._swallowed(watched)
