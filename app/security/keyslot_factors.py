"""Parts of the key-slot file: its errors, the secrets a person presents, and the factors.

Split from :mod:`app.security.keyslots` (which re-exports every public name here).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from app.errors import AuthError, RegisterError
from app.security import kdf
from app.security.recovery import normalize_recovery_code


class KeySlotsMissing(RegisterError):
    code = "E_KEYSLOTS_MISSING"
    message_ja = (
        "鍵ファイル (keyslots.json) が見つかりません。台帳フォルダの指定を確認してください。"
    )


class KeySlotsDamaged(RegisterError):
    code = "E_KEYSLOTS_DAMAGED"
    message_ja = (
        "鍵ファイル (keyslots.json) を読み取れません。"
        "管理者がバックアップ (keyslots.json.bak) の確認を行ってください。台帳は変更していません。"
    )


class KeySlotsNewer(RegisterError):
    code = "E_KEYSLOTS_NEWER"
    message_ja = "鍵ファイルが新しい形式です。VaxDesk を更新してください。"


class UnknownUser(AuthError):
    code = "E_AUTH_UNKNOWN_USER"
    message_ja = "ユーザー名またはパスワードが正しくありません。"


class WrongSecret(AuthError):
    code = "E_AUTH_WRONG_PASSWORD"
    message_ja = "ユーザー名またはパスワードが正しくありません。"


class SignCountTampered(AuthError):
    code = "E_KEYSLOT_SIGN_COUNT"
    message_ja = (
        "鍵ファイルのセキュリティキー使用回数が書き換えられています。ログインを中止しました。"
        "管理者に連絡してください（キーの複製のおそれがあります）。"
    )


class SlotRevoked(AuthError):
    code = "E_KEYSLOT_REVOKED"
    message_ja = (
        "ログイン中にこの鍵が削除または変更されました。ログインできません。"
        "必要であれば管理者に連絡してください。"
    )


class WrongRecoveryCode(AuthError):
    code = "E_RECOVERY_CODE_WRONG"
    message_ja = "回復コードが正しくありません。"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True, slots=True)
class Secrets:
    """What the person presents for one slot. Only the factors the slot lists are used."""

    password: str | None = None
    terminal_secret: bytes | None = None
    fido_output: bytes | None = None
    recovery_code: str | None = None


def factor_part(factor: dict[str, Any], secrets: Secrets) -> bytes:
    kind = factor["type"]
    if kind == "password":
        if secrets.password is None:
            raise WrongSecret()
        params = kdf.Argon2Params.from_json(factor["argon2"])
        return kdf.argon2id(secrets.password.encode("utf-8"), unb64(factor["salt"]), params)
    if kind == "recovery_code":
        if secrets.recovery_code is None:
            raise WrongRecoveryCode()
        code = normalize_recovery_code(secrets.recovery_code)
        params = kdf.Argon2Params.from_json(factor["argon2"])
        return kdf.argon2id(code.encode("ascii"), unb64(factor["salt"]), params)
    if kind == "terminal":
        if secrets.terminal_secret is None or len(secrets.terminal_secret) != 32:
            raise WrongSecret()
        return secrets.terminal_secret
    if kind == "fido2":
        if secrets.fido_output is None or len(secrets.fido_output) != 32:
            raise WrongSecret()
        return secrets.fido_output
    raise KeySlotsNewer()  # unknown factor: fail closed


def password_factor(params: kdf.Argon2Params | None = None) -> dict[str, Any]:
    p = params or kdf.default_params()
    return {"type": "password", "salt": b64(kdf.new_salt()), "argon2": p.to_json()}


def recovery_factor(params: kdf.Argon2Params | None = None) -> dict[str, Any]:
    p = params or kdf.default_params()
    return {"type": "recovery_code", "salt": b64(kdf.new_salt()), "argon2": p.to_json()}


def terminal_factor(terminal_id: str) -> dict[str, Any]:
    return {"type": "terminal", "terminal_id": terminal_id}
