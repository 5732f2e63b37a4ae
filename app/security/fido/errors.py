"""FIDO2 second-factor errors: one stable code per way an unlock can fail.

Messages are Japanese, say what happened and what to do, and never contain key material, PINs,
credential ids, user names or device answers. Every error is an :class:`app.errors.AuthError`, so
callers that only care about "login refused" can catch that.
"""

from __future__ import annotations

from fido2.client import ClientError, PinRequiredError
from fido2.ctap import CtapError

from app.errors import AuthError


class FidoError(AuthError):
    """Base class; also used for device failures that have no more specific code."""

    code = "E_FIDO_DEVICE"


class FidoNoDevice(FidoError):
    code = "E_FIDO_NO_DEVICE"


class FidoCancelled(FidoError):
    code = "E_FIDO_CANCELLED"


class FidoUvMissing(FidoError):
    code = "E_FIDO_UV_MISSING"


class FidoUpMissing(FidoError):
    code = "E_FIDO_UP_MISSING"


class FidoBadSignature(FidoError):
    code = "E_FIDO_BAD_SIGNATURE"


class FidoRpMismatch(FidoError):
    code = "E_FIDO_RP_MISMATCH"


class FidoChallengeMismatch(FidoError):
    code = "E_FIDO_CHALLENGE_MISMATCH"


class FidoSignCount(FidoError):
    code = "E_FIDO_SIGN_COUNT"


class FidoUnknownCredential(FidoError):
    code = "E_FIDO_UNKNOWN_CREDENTIAL"


class FidoNoPrf(FidoError):
    code = "E_FIDO_NO_PRF"


class FidoPin(FidoError):
    code = "E_FIDO_PIN"


class FidoEnrollmentInvalid(FidoError):
    code = "E_FIDO_ENROLLMENT_INVALID"


PIN_BLOCKED_JA = (
    "PINの誤入力が続いたため、セキュリティキーがロックされました。"
    "キーを抜き差ししてから再度お試しいただくか、管理者に連絡してください。"
)
UV_NOT_CONFIGURED_JA = (
    "セキュリティキーに指紋またはPINが設定されていません。"
    "設定済みのキーを使うか、管理者に連絡してください。"
)

_PIN_WRONG = {CtapError.ERR.PIN_INVALID, CtapError.ERR.PIN_AUTH_INVALID}
_PIN_BLOCKED = {CtapError.ERR.PIN_BLOCKED, CtapError.ERR.PIN_AUTH_BLOCKED}
_UV_FAILED = {
    CtapError.ERR.UV_INVALID,
    CtapError.ERR.UV_BLOCKED,
    CtapError.ERR.PIN_NOT_SET,
    CtapError.ERR.PUAT_REQUIRED,
}
_CANCELLED = {
    CtapError.ERR.KEEPALIVE_CANCEL,
    CtapError.ERR.ACTION_TIMEOUT,
    CtapError.ERR.USER_ACTION_TIMEOUT,
    CtapError.ERR.OPERATION_DENIED,
}


def _from_ctap_code(code: int) -> FidoError | None:
    if code in _PIN_WRONG:
        return FidoPin()
    if code in _PIN_BLOCKED:
        return FidoPin(PIN_BLOCKED_JA)
    if code in _UV_FAILED:
        return FidoUvMissing()
    if code in _CANCELLED:
        return FidoCancelled()
    if code == CtapError.ERR.NO_CREDENTIALS:
        return FidoUnknownCredential()
    return None


def map_device_error(exc: BaseException, *, cancelled: bool = False) -> FidoError:
    """Translate a python-fido2 / device exception into a FidoError (fail closed).

    ``cancelled`` is True when the person pressed Cancel in one of our prompts; that wins over
    whatever the library reports afterwards.
    """
    if isinstance(exc, FidoError):
        return exc
    if cancelled or isinstance(exc, PinRequiredError):
        return FidoCancelled()
    if isinstance(exc, CtapError):
        return _from_ctap_code(int(exc.code)) or FidoError()
    if isinstance(exc, ClientError):
        cause = exc.cause
        if isinstance(cause, CtapError):
            mapped = _from_ctap_code(int(cause.code))
            if mapped is not None:
                return mapped
        if exc.code == ClientError.ERR.TIMEOUT:
            return FidoCancelled()
        if exc.code == ClientError.ERR.DEVICE_INELIGIBLE:
            return FidoUnknownCredential()
        if exc.code == ClientError.ERR.CONFIGURATION_UNSUPPORTED:
            text = str(cause or "")
            if "salt" in text.lower():
                return FidoNoPrf()
            return FidoUvMissing(UV_NOT_CONFIGURED_JA)
    return FidoError()
