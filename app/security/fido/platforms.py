"""The concrete backends and ``select_backend``.

Order of preference: Windows WebAuthn API (Windows Hello and keys, no admin rights needed), then
USB HID keys through python-fido2. The software authenticator is returned only when the caller
allows it (demo registers and tests); otherwise no real device means E_FIDO_NO_DEVICE.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from fido2.client import WebAuthnClient

from app.security.fido.backends import (
    SECRET_MODE_PRF,
    ClientBackend,
    Ctap2ClientBackend,
    FixedOriginCollector,
)
from app.security.fido.errors import FidoNoDevice
from app.security.fido.interface import (
    Enrollment,
    Fido2Backend,
    FidoPrompt,
    PromptInteraction,
    UnlockResult,
)
from app.security.fido.software import SoftwareAuthenticator

WINDOWS_MIN_API = 4  # first webauthn.dll API version that passes hmac-secret/PRF salts


class SoftwareBackend(Ctap2ClientBackend):
    """SOFTWARE AUTHENTICATOR BACKEND: TESTS AND DEMO REGISTERS ONLY."""

    name = "software"

    def __init__(
        self,
        authenticator: SoftwareAuthenticator | None = None,
        *,
        state_path: Path | None = None,
        secret_mode: str = SECRET_MODE_PRF,
    ) -> None:
        super().__init__()
        if authenticator is not None and state_path is not None:
            raise ValueError("give an authenticator or a state path, not both")
        self.authenticator = authenticator or SoftwareAuthenticator(state_path)
        self.secret_mode = secret_mode

    def is_available(self) -> tuple[bool, str]:
        return True, "ソフトウェア認証器（デモ・テスト専用）を使用します。"

    @contextlib.contextmanager
    def _session(self, rp_id: str, interaction: PromptInteraction) -> Iterator[WebAuthnClient]:
        yield self._new_client(self.authenticator, rp_id, interaction)


class UsbBackend(Ctap2ClientBackend):
    """FIDO2 security keys on USB HID (python-fido2's CtapHidDevice)."""

    name = "usb"

    def __init__(self, *, secret_mode: str = SECRET_MODE_PRF) -> None:
        super().__init__()
        self.secret_mode = secret_mode

    @staticmethod
    def _list() -> list[Any]:
        from fido2.hid import CtapHidDevice

        return list(CtapHidDevice.list_devices())

    def is_available(self) -> tuple[bool, str]:
        try:
            devices = self._list()
        except Exception:
            return False, "USBセキュリティキーを確認できませんでした（アクセス権がありません）。"
        for device in devices:
            device.close()
        if not devices:
            return False, "USBセキュリティキーが接続されていません。"
        return True, "USBセキュリティキーが接続されています。"

    @contextlib.contextmanager
    def _session(self, rp_id: str, interaction: PromptInteraction) -> Iterator[WebAuthnClient]:
        try:
            devices = self._list()
        except Exception:
            raise FidoNoDevice() from None
        if not devices:
            raise FidoNoDevice()
        try:
            # With several keys attached the first one is used; the others are closed unused.
            yield self._new_client(devices[0], rp_id, interaction)
        finally:
            for device in devices:
                device.close()


class WindowsBackend(ClientBackend):
    """Windows WebAuthn API (webauthn.dll): Windows Hello and security keys, with PRF."""

    name = "windows"

    def __init__(self, *, secret_mode: str = SECRET_MODE_PRF) -> None:
        super().__init__()
        self.secret_mode = secret_mode

    def is_available(self) -> tuple[bool, str]:
        if sys.platform != "win32":
            return False, "Windows以外ではWindowsの認証機能（Windows Hello）は使えません。"
        try:
            from fido2.client import windows
            from fido2.client.win_api import WEBAUTHN_API_VERSION
        except Exception:
            return False, "Windowsの認証機能を読み込めませんでした。"
        if not windows.WindowsClient.is_available():
            return False, "このWindowsではWebAuthn機能が使えません。"
        if int(WEBAUTHN_API_VERSION) < WINDOWS_MIN_API:
            return False, "このWindowsは古いため、必要な機能（PRF）が使えません。更新してください。"
        return True, "Windowsの認証機能（Windows Hello・セキュリティキー）を使用します。"

    @contextlib.contextmanager
    def _session(self, rp_id: str, interaction: PromptInteraction) -> Iterator[WebAuthnClient]:
        ok, _reason = self.is_available()
        if not ok:
            raise FidoNoDevice()
        from fido2.client.windows import WindowsClient

        # Windows shows its own dialog for touch, fingerprint and PIN.
        interaction.show_windows_hint()
        yield WindowsClient(
            FixedOriginCollector(rp_id),
            allow_hmac_secret=self.secret_mode != SECRET_MODE_PRF,
        )


def real_backends() -> list[Fido2Backend]:
    return [WindowsBackend(), UsbBackend()]


def backend_status(candidates: Sequence[Fido2Backend] | None = None) -> list[tuple[str, bool, str]]:
    """(name, available, reason_ja) of each real backend, for the UI's explanation."""
    result = []
    for backend in candidates if candidates is not None else real_backends():
        ok, reason = backend.is_available()
        result.append((backend.name, ok, reason))
    return result


def select_backend(
    allow_software: bool,
    *,
    software_state_path: Path | None = None,
    candidates: Sequence[Fido2Backend] | None = None,
) -> Fido2Backend:
    """First available real backend; the software one only if ``allow_software`` is True."""
    for backend in candidates if candidates is not None else real_backends():
        if isinstance(backend, SoftwareBackend):
            continue  # never picked implicitly, even if a caller lists it
        ok, _reason = backend.is_available()
        if ok:
            return backend
    if allow_software:
        return SoftwareBackend(state_path=software_state_path)
    raise FidoNoDevice()


def enroll_with_secret(
    backend: Fido2Backend,
    rp_id: str,
    user_id: bytes,
    user_name: str,
    prompt: FidoPrompt,
    *,
    cancel: threading.Event | None = None,
) -> tuple[Enrollment, UnlockResult]:
    """Enroll, then unlock once to obtain the PRF output for the new key slot.

    Two user verifications (creation, then assertion): the PRF output is only taken from a
    verified assertion, never from the creation response. Store the returned Enrollment with
    ``sign_count`` already updated to the unlock's counter.
    """
    enrollment = backend.enroll(rp_id, user_id, user_name, prompt, cancel=cancel)
    result = backend.unlock(rp_id, [enrollment], prompt, cancel=cancel)
    return enrollment.with_sign_count(result.sign_count), result
