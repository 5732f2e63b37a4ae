"""Key slots (``keyslots.json`` beside the register), in the manner of LUKS and KeePassXC.

The register's keys are random: DEK (the raw SQLCipher key) and NK (the personal-number key).
Each slot wraps them with ChaCha20-Poly1305 under a KEK derived from the slot's factors:

    KEK = HKDF-SHA256(part_1 ‖ part_2 ‖ …, salt = slot salt, info = "vaxdesk-kek-v1")

where each part is 32 bytes: Argon2id(password) for ``password``, the terminal secret from the OS
keyring for ``terminal``, the FIDO2 PRF/hmac-secret output for ``fido2``, Argon2id(code) for
``recovery_code``. The associated data binds each wrapped key to the register id, the demo flag,
the slot id, kind, login, the user's roles and the immutable description of every factor, so a
factor cannot be removed from a slot, a real register cannot be relabelled as a demo one, and a
slot's roles cannot be changed without its factors (the session's roles are the slot's).

A user slot wraps NK only for number-use roles. The file is written atomically with the previous
copy kept as ``keyslots.json.bak``. Unknown factor types or format versions fail closed.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from app.errors import AuthError, RegisterError
from app.security import kdf
from app.security.atomic import write_atomic
from app.security.recovery import normalize_recovery_code

FORMAT = "vaxdesk-keyslots"
FORMAT_VERSION = 1
KEY_NAMES = ("dek", "nk")
_INFO = b"vaxdesk-kek-v1"
# Fields of a factor that may change after enrollment (kept out of the associated data).
_MUTABLE_FACTOR_FIELDS = frozenset({"sign_count", "last_used_at"})


class KeySlotsMissing(RegisterError):
    code = "E_KEYSLOTS_MISSING"


class KeySlotsDamaged(RegisterError):
    code = "E_KEYSLOTS_DAMAGED"


class KeySlotsNewer(RegisterError):
    code = "E_KEYSLOTS_NEWER"


class UnknownUser(AuthError):
    code = "E_AUTH_UNKNOWN_USER"


class WrongSecret(AuthError):
    code = "E_AUTH_WRONG_PASSWORD"


class WrongRecoveryCode(AuthError):
    code = "E_RECOVERY_CODE_WRONG"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Secrets:
    """What the person presents for one slot. Only the factors the slot lists are used."""

    password: str | None = None
    terminal_secret: bytes | None = None
    fido_output: bytes | None = None
    recovery_code: str | None = None


@dataclass(frozen=True, slots=True)
class UnwrappedKeys:
    dek: bytes
    nk: bytes | None
    slot_id: str
    roles: tuple[str, ...] | None = None  # bound into the slot's associated data (None: legacy)


@dataclass(slots=True)
class Slot:
    slot_id: str
    kind: str  # "user" | "recovery"
    login: str | None
    created_at: str
    salt: bytes
    factors: list[dict[str, Any]]
    wrapped: dict[str, dict[str, str]] = field(default_factory=dict)
    roles: list[str] | None = None  # a user slot's roles, authenticated as associated data

    def factor_types(self) -> list[str]:
        return [str(f["type"]) for f in self.factors]

    def fido_factor(self) -> dict[str, Any] | None:
        return next((f for f in self.factors if f["type"] == "fido2"), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "slot_id": self.slot_id,
            "kind": self.kind,
            "login": self.login,
            "created_at": self.created_at,
            "salt": _b64(self.salt),
            "factors": self.factors,
            "wrapped": self.wrapped,
            **({} if self.roles is None else {"roles": self.roles}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Slot:
        return cls(
            slot_id=str(data["slot_id"]),
            kind=str(data["kind"]),
            login=data.get("login"),
            created_at=str(data["created_at"]),
            salt=_unb64(data["salt"]),
            factors=list(data["factors"]),
            wrapped=dict(data["wrapped"]),
            roles=None if data.get("roles") is None else [str(r) for r in data["roles"]],
        )


def _factor_part(factor: dict[str, Any], secrets: Secrets) -> bytes:
    kind = factor["type"]
    if kind == "password":
        if secrets.password is None:
            raise WrongSecret()
        params = kdf.Argon2Params.from_json(factor["argon2"])
        return kdf.argon2id(secrets.password.encode("utf-8"), _unb64(factor["salt"]), params)
    if kind == "recovery_code":
        if secrets.recovery_code is None:
            raise WrongRecoveryCode()
        code = normalize_recovery_code(secrets.recovery_code)
        params = kdf.Argon2Params.from_json(factor["argon2"])
        return kdf.argon2id(code.encode("ascii"), _unb64(factor["salt"]), params)
    if kind == "terminal":
        if secrets.terminal_secret is None or len(secrets.terminal_secret) != 32:
            raise WrongSecret()
        return secrets.terminal_secret
    if kind == "fido2":
        if secrets.fido_output is None or len(secrets.fido_output) != 32:
            raise WrongSecret()
        return secrets.fido_output
    raise KeySlotsNewer()  # unknown factor: fail closed


class KeySlotFile:
    """The slots of one register. ``load`` validates; ``save`` writes atomically."""

    def __init__(self, path: Path, register_id: str, demo: bool, slots: list[Slot]) -> None:
        self.path = Path(path)
        self.register_id = register_id
        self.demo = demo
        self.slots = slots

    # -- file ---------------------------------------------------------------------------------
    @classmethod
    def new(cls, path: Path, *, demo: bool) -> KeySlotFile:
        return cls(path, str(uuid.uuid4()), demo, [])

    @classmethod
    def load(cls, path: Path) -> KeySlotFile:
        path = Path(path)
        if not path.is_file():
            raise KeySlotsMissing()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError("format")
            if int(data["version"]) > FORMAT_VERSION:
                raise KeySlotsNewer()
            slots = [Slot.from_json(s) for s in data["slots"]]
            return cls(path, str(data["register_id"]), bool(data["demo"]), slots)
        except KeySlotsNewer:
            raise
        except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
            raise KeySlotsDamaged() from exc

    def save(self) -> None:
        body = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "register_id": self.register_id,
            "demo": self.demo,
            "slots": [s.to_json() for s in self.slots],
        }
        data = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
        write_atomic(self.path, data, keep_previous=True)

    def save_revoking(self) -> None:
        """Save after a revocation (slot removed, NK dropped): the ``.bak`` copy gets the new
        content too, so what was revoked does not survive beside the file."""
        self.save()
        write_atomic(self.path.with_name(self.path.name + ".bak"), self.path.read_bytes())

    # -- slots --------------------------------------------------------------------------------
    def user_slots(self, login: str) -> list[Slot]:
        return [s for s in self.slots if s.kind == "user" and s.login == login]

    def recovery_slots(self) -> list[Slot]:
        return [s for s in self.slots if s.kind == "recovery"]

    def logins(self) -> list[str]:
        return sorted({s.login for s in self.slots if s.kind == "user" and s.login})

    def remove_user(self, login: str) -> int:
        before = len(self.slots)
        self.slots = [s for s in self.slots if not (s.kind == "user" and s.login == login)]
        return before - len(self.slots)

    def remove_slot(self, slot_id: str) -> None:
        self.slots = [s for s in self.slots if s.slot_id != slot_id]

    def _aad(self, slot: Slot, key_name: str) -> bytes:
        factors = [
            {k: v for k, v in sorted(f.items()) if k not in _MUTABLE_FACTOR_FIELDS}
            for f in slot.factors
        ]
        body = {
            "register_id": self.register_id,
            "demo": self.demo,
            "slot_id": slot.slot_id,
            "kind": slot.kind,
            "login": slot.login,
            "factors": factors,
            "key": key_name,
        }
        if slot.roles is not None:
            body["roles"] = sorted(slot.roles)
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def _kek(self, slot: Slot, secrets: Secrets) -> bytes:
        ikm = b"".join(_factor_part(f, secrets) for f in slot.factors)
        return kdf.hkdf(ikm, salt=slot.salt, info=_INFO)

    def add_slot(
        self,
        *,
        kind: str,
        login: str | None,
        factors: list[dict[str, Any]],
        secrets: Secrets,
        keys: dict[str, bytes],
        roles: list[str] | tuple[str, ...] | None = None,
    ) -> Slot:
        """Create a slot wrapping ``keys`` (names from ``KEY_NAMES``) under the given factors;
        a user slot's ``roles`` are bound into the associated data."""
        if not set(keys) <= set(KEY_NAMES) or "dek" not in keys:
            raise ValueError("a slot wraps dek and optionally nk")
        slot = Slot(uuid.uuid4().hex, kind, login, _now(), kdf.new_salt(), factors)
        slot.roles = None if roles is None else sorted(roles)
        self._wrap(slot, self._kek(slot, secrets), keys)
        self.slots.append(slot)
        return slot

    def rebind_roles(
        self, slot: Slot, secrets: Secrets, roles: list[str] | tuple[str, ...], *, keep_nk: bool
    ) -> None:
        """Re-wrap a slot's keys with new ``roles`` bound; the holder presents its factors."""
        kek = self._kek(slot, secrets)
        keys = self._unwrap_with(slot, kek)
        slot.roles = sorted(roles)
        self._wrap(slot, kek, {"dek": keys.dek, **({"nk": keys.nk} if keep_nk and keys.nk else {})})

    def _wrap(self, slot: Slot, kek: bytes, keys: dict[str, bytes]) -> None:
        aead = ChaCha20Poly1305(kek)
        slot.wrapped = {}
        for name, key in keys.items():
            nonce = os.urandom(12)
            ct = aead.encrypt(nonce, key, self._aad(slot, name))
            slot.wrapped[name] = {"nonce": _b64(nonce), "ct": _b64(ct)}

    def unwrap(self, slot: Slot, secrets: Secrets) -> UnwrappedKeys:
        """Unwrap DEK (and NK if the slot holds it) and the slot's bound roles. Raises
        WrongSecret / WrongRecoveryCode."""
        return self._unwrap_with(slot, self._kek(slot, secrets))

    def _unwrap_with(self, slot: Slot, kek: bytes) -> UnwrappedKeys:
        aead = ChaCha20Poly1305(kek)
        keys: dict[str, bytes] = {}
        try:
            for name, box in slot.wrapped.items():
                if name not in KEY_NAMES:
                    raise KeySlotsNewer()
                keys[name] = aead.decrypt(
                    _unb64(box["nonce"]), _unb64(box["ct"]), self._aad(slot, name)
                )
        except InvalidTag as exc:
            raise (WrongRecoveryCode() if slot.kind == "recovery" else WrongSecret()) from exc
        if "dek" not in keys:
            raise KeySlotsDamaged()
        roles = None if slot.roles is None else tuple(slot.roles)
        return UnwrappedKeys(keys["dek"], keys.get("nk"), slot.slot_id, roles)


def password_factor(params: kdf.Argon2Params | None = None) -> dict[str, Any]:
    p = params or kdf.default_params()
    return {"type": "password", "salt": _b64(kdf.new_salt()), "argon2": p.to_json()}


def recovery_factor(params: kdf.Argon2Params | None = None) -> dict[str, Any]:
    p = params or kdf.default_params()
    return {"type": "recovery_code", "salt": _b64(kdf.new_salt()), "argon2": p.to_json()}


def terminal_factor(terminal_id: str) -> dict[str, Any]:
    return {"type": "terminal", "terminal_id": terminal_id}
