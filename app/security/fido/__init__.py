"""FIDO2 second factor: UV-verified PRF / hmac-secret output for the key-slot KEK.

Qt-free. See ``interface.py`` for the three parts (backend, device session, prompt) and
``verify.py`` for the app's own checks. The software authenticator is for tests and demo
registers only.
"""

from __future__ import annotations

from app.security.fido.backends import DEFAULT_RP_ID, prf_hmac_salt
from app.security.fido.errors import (
    FidoBadSignature,
    FidoCancelled,
    FidoChallengeMismatch,
    FidoEnrollmentInvalid,
    FidoError,
    FidoNoDevice,
    FidoNoPrf,
    FidoPin,
    FidoRpMismatch,
    FidoSignCount,
    FidoUnknownCredential,
    FidoUpMissing,
    FidoUvMissing,
)
from app.security.fido.interface import (
    Enrollment,
    Fido2Backend,
    FidoPrompt,
    RecordingPrompt,
    UnlockResult,
)
from app.security.fido.platforms import (
    SoftwareBackend,
    UsbBackend,
    WindowsBackend,
    backend_status,
    enroll_with_secret,
    select_backend,
)
from app.security.fido.verify import origin_for, verify_assertion, verify_registration

__all__ = [
    "DEFAULT_RP_ID",
    "Enrollment",
    "Fido2Backend",
    "FidoBadSignature",
    "FidoCancelled",
    "FidoChallengeMismatch",
    "FidoEnrollmentInvalid",
    "FidoError",
    "FidoNoDevice",
    "FidoNoPrf",
    "FidoPin",
    "FidoPrompt",
    "FidoRpMismatch",
    "FidoSignCount",
    "FidoUnknownCredential",
    "FidoUpMissing",
    "FidoUvMissing",
    "RecordingPrompt",
    "SoftwareBackend",
    "UnlockResult",
    "UsbBackend",
    "WindowsBackend",
    "backend_status",
    "enroll_with_secret",
    "origin_for",
    "prf_hmac_salt",
    "select_backend",
    "verify_assertion",
    "verify_registration",
]
