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
    message_ja = "セキュリティキーとの通信に失敗しました。キーを挿し直してもう一度お試しください。"


class FidoNoDevice(FidoError):
    code = "E_FIDO_NO_DEVICE"
    message_ja = "セキュリティキーが見つかりません。キーを接続してから、もう一度お試しください。"


class FidoCancelled(FidoError):
    code = "E_FIDO_CANCELLED"
    message_ja = "セキュリティキーの操作が取り消されたか、時間切れになりました。"


class FidoUvMissing(FidoError):
    code = "E_FIDO_UV_MISSING"
    message_ja = (
        "本人確認（指紋またはPIN）が行われませんでした。"
        "指紋またはPINで確認できるセキュリティキーを使ってください。"
    )


class FidoUpMissing(FidoError):
    code = "E_FIDO_UP_MISSING"
    message_ja = "セキュリティキーへのタッチが確認できませんでした。もう一度お試しください。"


class FidoBadSignature(FidoError):
    code = "E_FIDO_BAD_SIGNATURE"
    message_ja = (
        "セキュリティキーの署名を確認できませんでした。"
        "登録されたキーか確認し、解決しない場合は管理者に連絡してください。"
    )


class FidoRpMismatch(FidoError):
    code = "E_FIDO_RP_MISMATCH"
    message_ja = (
        "このセキュリティキーの応答は本システム向けではありません。管理者に連絡してください。"
    )


class FidoChallengeMismatch(FidoError):
    code = "E_FIDO_CHALLENGE_MISMATCH"
    message_ja = "セキュリティキーの応答が今回の要求と一致しません。もう一度お試しください。"


class FidoSignCount(FidoError):
    code = "E_FIDO_SIGN_COUNT"
    message_ja = (
        "セキュリティキーの使用回数が正しくありません。キーが複製された可能性があります。"
        "このキーは使わず、管理者に連絡してください。"
    )


class FidoUnknownCredential(FidoError):
    code = "E_FIDO_UNKNOWN_CREDENTIAL"
    message_ja = (
        "このセキュリティキーはこの利用者に登録されていません。ご自身のキーを使ってください。"
    )


class FidoNoPrf(FidoError):
    code = "E_FIDO_NO_PRF"
    message_ja = (
        "このセキュリティキーは必要な機能（hmac-secret / PRF）に対応していません。"
        "対応したキーを使ってください。"
    )


class FidoPin(FidoError):
    code = "E_FIDO_PIN"
    message_ja = "セキュリティキーのPINが正しくありません。もう一度入力してください。"


class FidoEnrollmentInvalid(FidoError):
    code = "E_FIDO_ENROLLMENT_INVALID"
    message_ja = (
        "保存されているセキュリティキーの登録情報が壊れています。管理者に連絡してください。"
    )


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
