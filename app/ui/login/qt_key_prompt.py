"""The Qt implementation of the security-key prompt (``FidoPrompt``, STYLE.md §3).

The key step runs on the job's worker thread and calls ``touch_key``, ``place_finger``,
``request_pin`` and ``show_message`` there. Each method only emits a signal; the connected
slots run on the GUI thread (queued connection) and show the text. ``request_pin`` blocks the
worker on a ``threading.Event`` until the GUI answers with ``answer_pin`` (the PIN dialog) or
``cancel`` — then it returns None, which the key session reports as E_FIDO_CANCELLED.

``cancel_event`` is handed to every device call of the attempt (see
``security_key.CancellableBackend``): Cancel also stops a wait for a touch or a fingerprint.
Call ``begin_attempt`` before each attempt.

The PIN is never logged and is dropped as soon as the worker has taken it.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from app.services.login_flow import KeyRequest
from app.ui.login.pin_dialog import PinDialog

PIN_WAIT_SECONDS = 120.0  # a PIN nobody enters ends the attempt (cancelled, not hung)


class QtKeyPrompt(QObject):
    """A ``FidoPrompt`` whose methods may be called from any thread."""

    key_requested = Signal(object)  # KeyRequest (GUI thread receivers get it queued)
    message_shown = Signal(str)  # a short Japanese text from the key step

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cancel_event = threading.Event()
        self._pin_answered = threading.Event()
        self._pin: str | None = None
        self._lock = threading.Lock()

    # --- GUI thread ----------------------------------------------------------------------

    def begin_attempt(self) -> None:
        """A new attempt: forget an earlier Cancel and any unanswered PIN request."""
        with self._lock:
            self.cancel_event.clear()
            self._pin_answered.clear()
            self._pin = None

    @Slot()
    def cancel(self) -> None:
        """The person pressed Cancel: stop the device wait and release a pending PIN request."""
        with self._lock:
            self._pin = None
            self.cancel_event.set()
            self._pin_answered.set()

    def answer_pin(self, pin: str | None) -> None:
        """The PIN dialog's answer; None (or empty) cancels."""
        if not pin:
            self.cancel()
            return
        with self._lock:
            self._pin = pin
            self._pin_answered.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    # --- FidoPrompt (worker thread) -----------------------------------------------------------

    def touch_key(self) -> None:
        self.key_requested.emit(KeyRequest.TOUCH)

    def place_finger(self) -> bool:
        if self.cancel_event.is_set():
            return False
        self.key_requested.emit(KeyRequest.FINGER)
        return not self.cancel_event.is_set()

    def request_pin(self) -> str | None:
        with self._lock:
            if self.cancel_event.is_set():
                return None
            self._pin_answered.clear()
            self._pin = None
        self.key_requested.emit(KeyRequest.PIN)
        answered = self._pin_answered.wait(PIN_WAIT_SECONDS)
        with self._lock:
            pin, self._pin = self._pin, None
        if not answered or self.cancel_event.is_set():
            return None
        return pin

    def show_message(self, text_ja: str) -> None:
        self.message_shown.emit(text_ja)


class PinRequestHandler(QObject):
    """Opens the PIN dialog over ``parent`` when the key asks for the PIN, and answers the
    prompt with what the person typed (or cancels)."""

    pin_dialog_opened = Signal(object)  # the PinDialog (tests type into it)
    answered = Signal()  # a PIN was given (the flow leaves WAIT_FOR_KEY)

    def __init__(self, prompt: QtKeyPrompt, parent: QWidget) -> None:
        super().__init__(parent)
        self._prompt = prompt
        self._parent_widget = parent
        self.dialog: PinDialog | None = None
        prompt.key_requested.connect(self._on_request)

    @Slot(object)
    def _on_request(self, request: KeyRequest) -> None:
        if request is not KeyRequest.PIN:
            return
        self.close_dialog()
        dialog = PinDialog(self._parent_widget)
        dialog.pin_entered.connect(self._on_pin)
        dialog.rejected.connect(self._on_cancel)
        self.dialog = dialog
        dialog.open()
        self.pin_dialog_opened.emit(dialog)

    @Slot(str)
    def _on_pin(self, pin: str) -> None:
        self._prompt.answer_pin(pin)
        self.dialog = None
        self.answered.emit()

    @Slot()
    def _on_cancel(self) -> None:
        self._prompt.cancel()
        self.dialog = None

    def close_dialog(self) -> None:
        """The attempt ended: a PIN dialog still open is closed without answering."""
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            dialog.pin_entered.disconnect(self._on_pin)
            dialog.rejected.disconnect(self._on_cancel)
            dialog.close()
            dialog.deleteLater()
