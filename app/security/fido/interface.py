"""The three small parts of the FIDO2 second factor (STYLE.md item 3).

* :class:`FidoPrompt` -- what the UI implements ("touch your key", "place your finger", PIN).
  Its methods are called from the worker thread that runs the device call; a Qt implementation
  must hand them over to the GUI thread (signal + wait) and return the answer.
* :class:`Fido2Backend` -- one per platform, with ``is_available() -> (ok, reason_ja)``.
* a device session confined to one thread: every ``enroll``/``unlock`` opens its own client and
  device connection in the calling thread and closes it before returning (see ``backends.py``).

:class:`Enrollment` is what the key slot stores; :class:`UnlockResult` is what an unlock yields.
"""

from __future__ import annotations

import abc
import base64
import binascii
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from fido2 import cbor
from fido2.client import UserInteraction
from fido2.cose import CoseKey
from fido2.ctap2.pin import ClientPin

from app.security.fido.errors import FidoEnrollmentInvalid

TEXT_TOUCH_KEY = "セキュリティキーに触れてください"
TEXT_PLACE_FINGER = "指紋センサーに指を置いてください"
TEXT_ENTER_PIN = "PINを入力してください"
TEXT_WORKING = "セキュリティキーを確認しています…"
TEXT_FOLLOW_WINDOWS = "Windowsの画面の指示に従って、セキュリティキーまたは指紋で確認してください"

PRF_SALT_LEN = 32
PRF_OUTPUT_LEN = 32
SUPPORTED_ALGS = (-7, -8)  # ES256, EdDSA


class FidoPrompt(Protocol):
    """Implemented by the UI (or by a test/CLI double). Called from the worker thread."""

    def touch_key(self) -> None:
        """Show 「セキュリティキーに触れてください」. Must not block."""

    def place_finger(self) -> bool:
        """Show 「指紋センサーに指を置いてください」; return False if the person cancels."""

    def request_pin(self) -> str | None:
        """Ask 「PINを入力してください」; return the PIN, or None to cancel."""

    def show_message(self, text_ja: str) -> None:
        """Show a short status text (never contains personal data)."""


class RecordingPrompt:
    """Non-interactive prompt for tests, demos and the CLI: records what would be shown."""

    def __init__(self, pin: str | None = None, *, allow_uv: bool = True) -> None:
        self.pin = pin
        self.allow_uv = allow_uv
        self.shown: list[str] = []

    def touch_key(self) -> None:
        self.shown.append(TEXT_TOUCH_KEY)

    def place_finger(self) -> bool:
        self.shown.append(TEXT_PLACE_FINGER)
        return self.allow_uv

    def request_pin(self) -> str | None:
        self.shown.append(TEXT_ENTER_PIN)
        return self.pin

    def show_message(self, text_ja: str) -> None:
        self.shown.append(text_ja)


class PromptInteraction(UserInteraction):
    """Adapts a :class:`FidoPrompt` to python-fido2's ``UserInteraction``.

    A "cancel" answer sets the session's cancel event and is remembered, so the caller reports
    E_FIDO_CANCELLED rather than whatever the library raises next.
    """

    def __init__(self, prompt: FidoPrompt, cancel: threading.Event) -> None:
        self._prompt = prompt
        self._cancel = cancel
        self.cancelled = False

    def _cancelled(self) -> None:
        self.cancelled = True
        self._cancel.set()

    def show_windows_hint(self) -> None:
        self._prompt.show_message(TEXT_FOLLOW_WINDOWS)

    def prompt_up(self) -> None:
        self._prompt.touch_key()

    def request_uv(self, permissions: ClientPin.PERMISSION, rp_id: str | None) -> bool:
        ok = self._prompt.place_finger()
        if not ok:
            self._cancelled()
        return ok

    def request_pin(self, permissions: ClientPin.PERMISSION, rp_id: str | None) -> str | None:
        pin = self._prompt.request_pin()
        if not pin:
            self._cancelled()
            return None
        return pin


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not a string")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("bad base64") from exc


def parse_public_key(public_key_cose: bytes) -> CoseKey:
    """Decode a stored COSE key; only ES256 and EdDSA are accepted."""
    decoded = cbor.decode(public_key_cose)
    if not isinstance(decoded, dict):
        raise ValueError("COSE key is not a map")
    key = CoseKey.parse(decoded)
    if key.ALGORITHM not in SUPPORTED_ALGS:
        raise ValueError("unsupported algorithm")
    return key


@dataclass(frozen=True)
class Enrollment:
    """One enrolled security key of one user, as stored in the user's key slot.

    Everything here is public (no secret): the PRF output is only obtainable from the
    authenticator with user verification. ``sign_count`` must be updated after each unlock.
    """

    credential_id: bytes
    public_key_cose: bytes
    rp_id: str
    aaguid: bytes
    sign_count: int
    prf_salt: bytes
    uv_required: bool = True
    backend: str = "usb"
    # WebAuthn BE/BS flags at registration: a credential that may be (or is) synced to other
    # devices (a "passkey" in a cloud account) is not bound to one physical key.
    backup_eligible: bool = False
    backed_up: bool = False

    def __post_init__(self) -> None:
        if not (1 <= len(self.credential_id) <= 1023):
            raise FidoEnrollmentInvalid()
        if len(self.prf_salt) != PRF_SALT_LEN or len(self.aaguid) != 16:
            raise FidoEnrollmentInvalid()
        if self.uv_required is not True or self.sign_count < 0 or not self.rp_id:
            raise FidoEnrollmentInvalid()
        try:
            parse_public_key(self.public_key_cose)
        except Exception:
            raise FidoEnrollmentInvalid() from None

    def with_sign_count(self, sign_count: int) -> Enrollment:
        return Enrollment(
            credential_id=self.credential_id,
            public_key_cose=self.public_key_cose,
            rp_id=self.rp_id,
            aaguid=self.aaguid,
            sign_count=sign_count,
            prf_salt=self.prf_salt,
            uv_required=self.uv_required,
            backend=self.backend,
            backup_eligible=self.backup_eligible,
            backed_up=self.backed_up,
        )

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready form for keyslots.json (base64url without padding, aaguid as hex)."""
        out: dict[str, Any] = {
            "credential_id": _b64e(self.credential_id),
            "public_key_cose": _b64e(self.public_key_cose),
            "rp_id": self.rp_id,
            "aaguid": self.aaguid.hex(),
            "sign_count": self.sign_count,
            "prf_salt": _b64e(self.prf_salt),
            "uv_required": self.uv_required,
            "backend": self.backend,
        }
        if self.backup_eligible or self.backed_up:  # only for synced credentials (allowed)
            out["backup_eligible"] = self.backup_eligible
            out["backed_up"] = self.backed_up
        return out

    @classmethod
    def from_json_dict(cls, data: object) -> Enrollment:
        """Strict inverse of :meth:`to_json_dict`; anything odd raises E_FIDO_ENROLLMENT_INVALID."""
        try:
            if not isinstance(data, dict):
                raise ValueError("not an object")
            count, rp_id, backend = data["sign_count"], data["rp_id"], data["backend"]
            aaguid_hex = data["aaguid"]
            if type(count) is not int or not isinstance(rp_id, str):
                raise ValueError("bad field type")
            if not isinstance(backend, str) or not isinstance(aaguid_hex, str):
                raise ValueError("bad field type")
            if data["uv_required"] is not True:
                raise ValueError("uv must be required")
            eligible, backed_up = data.get("backup_eligible", False), data.get("backed_up", False)
            if type(eligible) is not bool or type(backed_up) is not bool:
                raise ValueError("bad field type")
            return cls(
                credential_id=_b64d(data["credential_id"]),
                public_key_cose=_b64d(data["public_key_cose"]),
                rp_id=rp_id,
                aaguid=bytes.fromhex(aaguid_hex),
                sign_count=count,
                prf_salt=_b64d(data["prf_salt"]),
                uv_required=True,
                backend=backend,
                backup_eligible=eligible,
                backed_up=backed_up,
            )
        except FidoEnrollmentInvalid:
            raise
        except (KeyError, ValueError, TypeError):
            raise FidoEnrollmentInvalid() from None


@dataclass(frozen=True)
class UnlockResult:
    """Result of a verified unlock. ``prf_output`` is key material: never log or persist it."""

    credential_id: bytes
    prf_output: bytes = field(repr=False)
    sign_count: int

    def __post_init__(self) -> None:
        if len(self.prf_output) != PRF_OUTPUT_LEN:
            raise ValueError("PRF output must be 32 bytes")


class Fido2Backend(abc.ABC):
    """A way to reach authenticators on this platform."""

    name: str

    @abc.abstractmethod
    def is_available(self) -> tuple[bool, str]:
        """(usable now?, reason in Japanese for the UI)."""

    @abc.abstractmethod
    def enroll(
        self,
        rp_id: str,
        user_id: bytes,
        user_name: str,
        prompt: FidoPrompt,
        *,
        cancel: threading.Event | None = None,
    ) -> Enrollment:
        """Create a UV-required, PRF-enabled credential and verify the registration."""

    @abc.abstractmethod
    def unlock(
        self,
        rp_id: str,
        enrollments: list[Enrollment],
        prompt: FidoPrompt,
        *,
        cancel: threading.Event | None = None,
    ) -> UnlockResult:
        """Get a UV assertion for one of ``enrollments``, verify it, return the PRF output."""
