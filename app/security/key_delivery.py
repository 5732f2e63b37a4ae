"""Delivering a new key to a key slot whose holder is not present (issue 11 item 4).

Every slot has an X25519 key pair of its own (its "inbox"): the public key is stored in the slot
and bound into the associated data of every box the slot seals; the private key is one more box
of the slot, wrapped under the slot's KEK like DEK and NK. Anyone may therefore seal a key *to*
a slot (an administrator removing number rights, an administrator's 鍵の更新), but only the
slot's holder, with every factor, can open it. At the holder's next sign-in the delivered key is
opened, checked against the register, and sealed into the slot's ordinary box ("settled").

A delivery is an ephemeral-static X25519 box (ECIES):

    shared = X25519(ephemeral, slot public key)
    key    = HKDF-SHA256(shared, salt = ephemeral public ‖ slot public, info = "vaxdesk-delivery-v1")
    box    = ChaCha20-Poly1305(key, new key, AAD = register id ‖ slot id ‖ key name ‖ key id)

A delivered NK also carries a proof that whoever rotated it held the NK before it:
``proof = HMAC(HKDF(previous NK, "vaxdesk-nk-rotate-v1"), id(new NK))``. A staff member who holds
only the DEK (and could edit both the register and keyslots.json) can therefore not make number
holders adopt an NK of their own making; see the README security section for what remains.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from app.security.kdf import hkdf
from app.security.keyslot_factors import b64, unb64

_INFO = b"vaxdesk-delivery-v1"
_ID_INFO = b"vaxdesk-key-id-v1"
_ROTATE_INFO = b"vaxdesk-nk-rotate-v1"
_TAG_INFO = b"vaxdesk-inbox-tag-v1"


def new_inbox() -> tuple[bytes, bytes]:
    """A fresh X25519 pair: (private key bytes, public key bytes)."""
    private = X25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return raw, public


def key_id(key: bytes) -> str:
    """A public, non-reversible name of a 32-byte key (which generation of DEK / NK it is)."""
    return hkdf(key, salt=b"", info=_ID_INFO, length=16).hex()


def rotation_proof(previous_nk: bytes, new_id: str) -> str:
    """Only a holder of ``previous_nk`` can make this for the NK named ``new_id``."""
    proof_key = hkdf(previous_nk, salt=b"", info=_ROTATE_INFO)
    return hmac.new(proof_key, new_id.encode("ascii"), hashlib.sha256).hexdigest()


def inbox_tag(nk: bytes, register_id: str, slot_id: str, slot_pub: bytes) -> str:
    """Vouches, under NK, that ``slot_pub`` is the inbox of a number-use slot: a rotation delivers
    the new NK only to inboxes whose tag verifies under the NK it replaces, so swapping a holder's
    public key in keyslots.json (anyone with file access could) does not divert the new NK."""
    tag_key = hkdf(nk, salt=b"", info=_TAG_INFO)
    body = "|".join(("vaxdesk-inbox", register_id, slot_id, b64(slot_pub))).encode("utf-8")
    return hmac.new(tag_key, body, hashlib.sha256).hexdigest()


def inbox_vouched(
    nk: bytes, register_id: str, slot_id: str, slot_pub: bytes | None, tag: str | None
) -> bool:
    if slot_pub is None or not tag:
        return False
    return hmac.compare_digest(inbox_tag(nk, register_id, slot_id, slot_pub), tag)


def _aad(register_id: str, slot_id: str, name: str, kid: str) -> bytes:
    return "|".join(("vaxdesk-delivery", register_id, slot_id, name, kid)).encode("utf-8")


def _box_key(shared: bytes, eph_pub: bytes, slot_pub: bytes) -> bytes:
    return hkdf(shared, salt=eph_pub + slot_pub, info=_INFO)


def seal(slot_pub: bytes, register_id: str, slot_id: str, name: str, key: bytes) -> dict[str, str]:
    """Seal ``key`` (DEK or NK) to a slot's public key."""
    eph = X25519PrivateKey.generate()
    eph_pub = eph.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = eph.exchange(X25519PublicKey.from_public_bytes(slot_pub))
    kid = key_id(key)
    nonce = os.urandom(12)
    ct = ChaCha20Poly1305(_box_key(shared, eph_pub, slot_pub)).encrypt(
        nonce, key, _aad(register_id, slot_id, name, kid)
    )
    return {"id": kid, "epk": b64(eph_pub), "nonce": b64(nonce), "ct": b64(ct)}


class DeliveryDamaged(Exception):
    """A delivery that does not open with the slot's private key (ignored, never trusted)."""


def open_box(
    inbox_private: bytes, register_id: str, slot_id: str, name: str, box: dict[str, Any]
) -> bytes:
    private = X25519PrivateKey.from_private_bytes(inbox_private)
    slot_pub = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    try:
        eph_pub = unb64(box["epk"])
        shared = private.exchange(X25519PublicKey.from_public_bytes(eph_pub))
        key = ChaCha20Poly1305(_box_key(shared, eph_pub, slot_pub)).decrypt(
            unb64(box["nonce"]), unb64(box["ct"]), _aad(register_id, slot_id, name, box["id"])
        )
    except (InvalidTag, KeyError, ValueError, TypeError) as exc:
        raise DeliveryDamaged() from exc
    if key_id(key) != box["id"]:
        raise DeliveryDamaged()
    return key


@dataclass(frozen=True, slots=True)
class Delivered:
    """What a slot's inbox held, opened: the newest DEK and the chain of NKs, each with its
    rotation proof (``(nk, proof)``, oldest first)."""

    dek: bytes | None = field(default=None, repr=False)
    nk_chain: tuple[tuple[bytes, str], ...] = field(default=(), repr=False)


def open_deliveries(
    inbox_private: bytes | None, register_id: str, slot_id: str, deliveries: dict[str, Any]
) -> Delivered:
    """Open a slot's deliveries; a damaged one is dropped (it can only be an attacker's)."""
    if inbox_private is None or not deliveries:
        return Delivered()
    dek = None
    if "dek" in deliveries:
        try:
            dek = open_box(inbox_private, register_id, slot_id, "dek", deliveries["dek"])
        except DeliveryDamaged:
            dek = None
    chain: list[tuple[bytes, str]] = []
    for box in deliveries.get("nk", []):
        try:
            nk = open_box(inbox_private, register_id, slot_id, "nk", box)
        except DeliveryDamaged:
            break  # a broken link ends the chain
        chain.append((nk, str(box.get("proof", ""))))
    return Delivered(dek, tuple(chain))


def follow_nk_chain(boxed_nk: bytes | None, delivered: Delivered, current_id: str) -> bytes | None:
    """The NK named ``current_id``: the slot's own box, or the end of a delivered chain whose every
    step is proved by the NK before it (starting from the slot's own box). None otherwise."""
    if boxed_nk is None:
        return None
    if key_id(boxed_nk) == current_id:
        return boxed_nk
    trusted = boxed_nk
    for nk, proof in delivered.nk_chain:
        if not hmac.compare_digest(rotation_proof(trusted, key_id(nk)), proof):
            return None
        trusted = nk
        if key_id(trusted) == current_id:
            return trusted
    return None


def deliver(
    register_id: str,
    slot_pub: bytes | None,
    slot_id: str,
    deliveries: dict[str, Any],
    name: str,
    key: bytes,
    proof: str | None = None,
) -> bool:
    """Add a delivery of ``key`` to a slot's ``deliveries`` (False: the slot has no inbox yet).
    A DEK replaces an earlier unopened one (only the newest opens the register); an NK is
    appended to the chain with its proof."""
    if slot_pub is None:
        return False
    box = seal(slot_pub, register_id, slot_id, name, key)
    if name == "dek":
        deliveries["dek"] = box
    else:
        box["proof"] = proof or ""
        deliveries.setdefault("nk", []).append(box)
    return True
