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

Concurrency (issue 11 item 5): every change goes through :meth:`KeySlotFile.update`, which holds
an exclusive lock (``keyslots.json.lock``), re-reads the file and applies only its own change, so
a login that waited for a key touch can no longer write back a stale copy (a removed slot stays
removed; sign counts are merged, never lowered).

Sign counts (slot AAD version 2): the FIDO2 sign count is part of the associated data of every
wrapped key, so a count edited in the file (set to 0 to let a cloned key in) makes the unwrap
fail. Each successful login re-seals the slot's boxes with the new count under the KEK it has just
derived (:meth:`KeySlotFile.commit_sign_count`) -- only someone holding every factor can move the
count. A key-check box sealed without the count tells a tampered count (E_KEYSLOT_SIGN_COUNT) from
a wrong password. Slots written before version 2 are read as before and upgraded at their next
login; the version is itself in the AAD, so a slot cannot be downgraded.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from app.security import filelock, kdf
from app.security.atomic import write_atomic
from app.security.fido.errors import FidoSignCount
from app.security.key_delivery import Delivered, inbox_tag, new_inbox, open_deliveries
from app.security.keyslot_factors import (
    MUTABLE_FACTOR_FIELDS,
    KeySlotsDamaged,
    KeySlotsMissing,
    KeySlotsNewer,
    Secrets,
    SignCountTampered,
    Slot,
    SlotRevoked,
    UnknownUser,
    WrongRecoveryCode,
    WrongSecret,
    b64,
    factor_part,
    password_factor,
    recovery_factor,
    terminal_factor,
    unb64,
)

__all__ = [  # the factor parts are re-exported: callers import them from here
    "KeySlotFile",
    "KeySlotsDamaged",
    "KeySlotsMissing",
    "KeySlotsNewer",
    "Secrets",
    "SignCountTampered",
    "Slot",
    "SlotRevoked",
    "UnknownUser",
    "UnwrappedKeys",
    "WrongRecoveryCode",
    "WrongSecret",
    "password_factor",
    "recovery_factor",
    "terminal_factor",
]

FORMAT = "vaxdesk-keyslots"
FORMAT_VERSION = 1
KEY_NAMES = ("dek", "nk", "inbox")  # inbox: the slot's X25519 private key (key_delivery)
_INFO = b"vaxdesk-kek-v1"
AAD_VERSION = 2
_CHECK = "check"  # the key-check box: sealed without the sign count
T = TypeVar("T")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class UnwrappedKeys:
    dek: bytes = field(repr=False)
    nk: bytes | None = field(repr=False)
    slot_id: str
    roles: tuple[str, ...] | None = None  # bound into the slot's associated data (None: legacy)
    kek: bytes = field(default=b"", repr=False, compare=False)  # to re-seal the new sign count
    inbox: bytes | None = field(default=None, repr=False, compare=False)
    delivered: Delivered = field(default_factory=Delivered, repr=False, compare=False)


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
            if any(s.aad_version not in (1, AAD_VERSION) for s in slots):
                raise KeySlotsNewer()
            return cls(path, str(data["register_id"]), bool(data["demo"]), slots)
        except KeySlotsNewer:
            raise
        except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
            raise KeySlotsDamaged() from exc

    def save(self) -> None:
        """Write this whole set of slots (a new file, or a deliberate full replacement such as the
        terminal re-binding). Changes to an existing file go through :meth:`update`."""
        with filelock.exclusive(self.path):
            self._write()

    def staging(self) -> KeySlotFile:
        """An empty set of this register's slots: build a slot here (enrolment may wait for a
        touch), then add it to the file with :meth:`update`."""
        return KeySlotFile(self.path, self.register_id, self.demo, [])

    def update(self, change: Callable[[KeySlotFile], T], *, revoking: bool = False) -> T:
        """Lock the file, re-read it, apply ``change`` to the fresh copy, write it back. This copy
        is then refreshed too. A file of another register is refused. ``revoking`` (a slot
        removed, NK dropped): the ``.bak`` copy gets the new content too, so what was revoked
        does not survive beside the file."""
        with filelock.exclusive(self.path):
            fresh = KeySlotFile.load(self.path)
            if fresh.register_id != self.register_id or fresh.demo != self.demo:
                raise KeySlotsDamaged()
            result = change(fresh)
            fresh._write()
            if revoking:
                fresh._write_backup()
        self.slots = fresh.slots
        return result

    def slot(self, slot_id: str) -> Slot | None:
        return next((s for s in self.slots if s.slot_id == slot_id), None)

    def commit_sign_count(self, unlocked: Slot, keys: UnwrappedKeys, sign_count: int) -> None:
        """After a verified assertion and a successful unwrap: store the new sign count by
        re-sealing the slot under the KEK just derived. A slot removed or changed while the login
        waited for the key is not brought back: the login is refused (E_KEYSLOT_REVOKED); a
        count that another login already moved past is refused as a replay (E_FIDO_SIGN_COUNT)."""

        def change(fresh: KeySlotFile) -> None:
            current = fresh.slot(unlocked.slot_id)
            if current is None or current.identity() != unlocked.identity():
                raise SlotRevoked()
            stored = current.sign_count() or 0
            if sign_count < stored or (sign_count == stored and sign_count != 0):
                raise FidoSignCount()
            fresh._seal(current, keys, sign_count)

        self.update(change)

    def _write(self) -> None:
        body = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "register_id": self.register_id,
            "demo": self.demo,
            "slots": [s.to_json() for s in self.slots],
        }
        data = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
        write_atomic(self.path, data, keep_previous=True)

    def _write_backup(self) -> None:
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

    def _aad(self, slot: Slot, key_name: str, *, with_count: bool = True) -> bytes:
        factors = [
            {k: v for k, v in sorted(f.items()) if k not in MUTABLE_FACTOR_FIELDS}
            for f in slot.factors
        ]
        body: dict[str, Any] = {
            "register_id": self.register_id,
            "demo": self.demo,
            "slot_id": slot.slot_id,
            "kind": slot.kind,
            "login": slot.login,
            "factors": factors,
            "key": key_name,
        }
        if slot.aad_version >= 2:
            body["aad"] = slot.aad_version
            if with_count:
                body["sign_count"] = slot.sign_count()
        if slot.roles is not None:  # in every box, the key-check box included
            body["roles"] = sorted(slot.roles)
        if slot.inbox_pub is not None:
            body["inbox_pub"] = b64(slot.inbox_pub)
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def _seal(self, slot: Slot, keys: UnwrappedKeys, sign_count: int | None) -> None:
        """(Re-)seal every box of ``slot`` under ``keys.kek`` with AAD version 2. A slot without
        an inbox key pair (written before key delivery) gets one now."""
        inbox = keys.inbox
        if slot.inbox_pub is None or inbox is None:
            inbox, slot.inbox_pub = new_inbox()
            slot.deliveries = {}  # sealed to a key pair that no longer exists
            slot.inbox_tag = None if keys.nk is None else self._tag(slot, keys.nk)
        material = {"dek": keys.dek, "nk": keys.nk, "inbox": inbox}
        names = [n for n in slot.wrapped if n != "inbox"] or [
            n for n in ("dek", "nk") if material[n] is not None
        ]
        names.append("inbox")
        slot.aad_version = AAD_VERSION
        factor = slot.fido_factor()
        if factor is not None and sign_count is not None:
            factor["sign_count"] = sign_count
        aead = ChaCha20Poly1305(keys.kek)
        wrapped: dict[str, dict[str, str]] = {}
        for name in names:
            key = material[name]
            if key is None:
                raise SlotRevoked()
            nonce = os.urandom(12)
            ct = aead.encrypt(nonce, key, self._aad(slot, name))
            wrapped[name] = {"nonce": b64(nonce), "ct": b64(ct)}
        nonce = os.urandom(12)
        check = aead.encrypt(nonce, b"", self._aad(slot, _CHECK, with_count=False))
        slot.wrapped = wrapped
        slot.check = {"nonce": b64(nonce), "ct": b64(check)}

    def _tag(self, slot: Slot, nk: bytes) -> str:
        assert slot.inbox_pub is not None
        return inbox_tag(nk, self.register_id, slot.slot_id, slot.inbox_pub)

    def _kek(self, slot: Slot, secrets: Secrets) -> bytes:
        ikm = b"".join(factor_part(f, secrets) for f in slot.factors)
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
        kek = self._kek(slot, secrets)
        unwrapped = UnwrappedKeys(keys["dek"], keys.get("nk"), slot.slot_id, kek=kek)
        self._seal(slot, unwrapped, slot.sign_count())
        self.slots.append(slot)
        return slot

    def rebind_roles(
        self, slot_id: str, kek: bytes, roles: list[str] | tuple[str, ...], *, keep_nk: bool
    ) -> None:
        """Re-wrap a slot's keys with new ``roles`` bound, under the KEK its holder's factors have
        just derived (``UnwrappedKeys.kek``; it must open the slot). Call inside :meth:`update`."""
        slot = self.slot(slot_id)
        if slot is None:
            raise SlotRevoked()
        keys = self._unwrap_with(slot, kek)
        slot.roles = sorted(roles)
        nk = keys.nk if keep_nk else None
        if not keep_nk:
            slot.deliveries.pop("nk", None)
            slot.inbox_tag = None
        slot.wrapped = {}  # the boxes are chosen afresh: NK only when kept
        unwrapped = UnwrappedKeys(keys.dek, nk, slot.slot_id, kek=kek, inbox=keys.inbox)
        self._seal(slot, unwrapped, slot.sign_count())

    def settle(self, slot_id: str, kek: bytes, dek: bytes, nk: bytes | None) -> None:
        """Seal the register's current DEK (and NK, None: the slot keeps none) into the slot's own
        boxes and drop its deliveries, under the KEK its holder has just derived. Call inside
        :meth:`update`, after the keys were checked against the register."""
        slot = self.slot(slot_id)
        if slot is None:
            raise SlotRevoked()
        keys = self._unwrap_with(slot, kek)
        slot.deliveries = {}
        if nk is None:
            slot.wrapped.pop("nk", None)
        if slot.inbox_pub is not None:
            slot.inbox_tag = None if nk is None else self._tag(slot, nk)
        unwrapped = UnwrappedKeys(dek, nk, slot_id, kek=kek, inbox=keys.inbox)
        self._seal(slot, unwrapped, slot.sign_count())

    def unwrap(self, slot: Slot, secrets: Secrets) -> UnwrappedKeys:
        """Unwrap DEK (and NK if the slot holds it) and the slot's bound roles. Raises
        WrongSecret / WrongRecoveryCode."""
        return self._unwrap_with(slot, self._kek(slot, secrets))

    def unwrap_with_kek(self, slot: Slot, kek: bytes) -> UnwrappedKeys:
        """``unwrap`` with the KEK a sign-in has already derived (``UnwrappedKeys.kek``)."""
        return self._unwrap_with(slot, kek)

    def _unwrap_with(self, slot: Slot, kek: bytes) -> UnwrappedKeys:
        aead = ChaCha20Poly1305(kek)
        keys: dict[str, bytes] = {}
        try:
            for name, box in slot.wrapped.items():
                if name not in KEY_NAMES:
                    raise KeySlotsNewer()
                keys[name] = aead.decrypt(
                    unb64(box["nonce"]), unb64(box["ct"]), self._aad(slot, name)
                )
        except InvalidTag as exc:
            if self._check_opens(slot, aead):
                raise SignCountTampered() from exc  # every factor right, the count was edited
            raise (WrongRecoveryCode() if slot.kind == "recovery" else WrongSecret()) from exc
        if "dek" not in keys:
            raise KeySlotsDamaged()
        roles = None if slot.roles is None else tuple(slot.roles)
        inbox = keys.get("inbox")
        delivered = open_deliveries(inbox, self.register_id, slot.slot_id, slot.deliveries)
        return UnwrappedKeys(
            keys["dek"], keys.get("nk"), slot.slot_id, roles, kek, inbox, delivered
        )

    def _check_opens(self, slot: Slot, aead: ChaCha20Poly1305) -> bool:
        if slot.aad_version < 2 or slot.check is None:
            return False
        try:
            aead.decrypt(
                unb64(slot.check["nonce"]),
                unb64(slot.check["ct"]),
                self._aad(slot, _CHECK, with_count=False),
            )
        except (InvalidTag, KeyError, ValueError):
            return False
        return True
