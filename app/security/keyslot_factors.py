"""Parts of the key-slot file: its errors, the secrets a person presents, the factors, a slot.

Split from :mod:`app.security.keyslots` (which re-exports every public name here).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
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


# Fields of a factor that may change after enrollment (kept out of the associated data; from AAD
# version 2 on, the sign count is bound separately).
MUTABLE_FACTOR_FIELDS = frozenset({"sign_count", "last_used_at"})


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


@dataclass(slots=True)
class Slot:
    slot_id: str
    kind: str  # "user" | "recovery"
    login: str | None
    created_at: str
    salt: bytes
    factors: list[dict[str, Any]]
    wrapped: dict[str, dict[str, str]] = field(default_factory=dict)
    aad_version: int = 1
    check: dict[str, str] | None = None
    roles: list[str] | None = None  # a user slot's roles, authenticated as associated data
    inbox_pub: bytes | None = None  # X25519 public key: new keys can be delivered to the slot
    deliveries: dict[str, Any] = field(default_factory=dict)
    inbox_tag: str | None = None  # number-use slots: the inbox vouched for under NK

    def factor_types(self) -> list[str]:
        return [str(f["type"]) for f in self.factors]

    def fido_factor(self) -> dict[str, Any] | None:
        return next((f for f in self.factors if f["type"] == "fido2"), None)

    def sign_count(self) -> int | None:
        factor = self.fido_factor()
        return None if factor is None else int(factor.get("sign_count", 0))

    def identity(self) -> str:
        """Everything but the mutable parts (sign count, boxes): two copies of one slot match."""
        body = self.to_json()
        body.pop("wrapped")
        body.pop("check", None)
        body.pop("aad", None)
        body["factors"] = [
            {k: v for k, v in f.items() if k not in MUTABLE_FACTOR_FIELDS} for f in self.factors
        ]
        body["keys"] = sorted(self.wrapped)
        return json.dumps(body, sort_keys=True)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "slot_id": self.slot_id,
            "kind": self.kind,
            "login": self.login,
            "created_at": self.created_at,
            "salt": b64(self.salt),
            "factors": self.factors,
            "wrapped": self.wrapped,
            **({} if self.roles is None else {"roles": self.roles}),
            **({} if self.inbox_pub is None else {"inbox_pub": b64(self.inbox_pub)}),
            **({"deliveries": self.deliveries} if self.deliveries else {}),
            **({} if self.inbox_tag is None else {"inbox_tag": self.inbox_tag}),
        }
        if self.aad_version != 1:
            out["aad"] = self.aad_version
        if self.check is not None:
            out["check"] = self.check
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Slot:
        return cls(
            slot_id=str(data["slot_id"]),
            kind=str(data["kind"]),
            login=data.get("login"),
            created_at=str(data["created_at"]),
            salt=unb64(data["salt"]),
            factors=list(data["factors"]),
            wrapped=dict(data["wrapped"]),
            aad_version=int(data.get("aad", 1)),
            check=dict(data["check"]) if data.get("check") is not None else None,
            roles=None if data.get("roles") is None else [str(r) for r in data["roles"]],
            inbox_pub=unb64(data["inbox_pub"]) if data.get("inbox_pub") else None,
            deliveries=dict(data.get("deliveries") or {}),
            inbox_tag=None if data.get("inbox_tag") is None else str(data["inbox_tag"]),
        )
