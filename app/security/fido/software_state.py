"""State and crypto helpers of the software authenticator.

SOFTWARE AUTHENTICATOR: TESTS AND DEMO REGISTERS ONLY. Its device secret sits in memory or in a
plain JSON file, so it offers no protection of its own; production registers never select it
(see ``select_backend``).

All credential keys and CredRandom values are derived from one 32-byte device secret, so the state
is just: device secret, aaguid, global sign counter, optional PIN hash and retry counter.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

STATE_FORMAT = "vaxdesk-software-authenticator"
STATE_WARNING = "software authenticator: tests and demo registers only"
SOFTWARE_AAGUID = uuid.uuid5(uuid.NAMESPACE_URL, "urn:vaxdesk:software-authenticator").bytes
PIN_RETRIES_MAX = 8
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def _hkdf(secret: bytes, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(secret)


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


# --- PIN/UV auth protocols 1 and 2 (CTAP 2.1 §6.5.6, §6.5.7), authenticator side ---------------


def pin_kdf(protocol: int, z: bytes) -> bytes:
    if protocol == 1:
        return hashlib.sha256(z).digest()
    salt = b"\x00" * 32
    hmac_key = HKDF(hashes.SHA256(), 32, salt, b"CTAP2 HMAC key").derive(z)
    aes_key = HKDF(hashes.SHA256(), 32, salt, b"CTAP2 AES key").derive(z)
    return hmac_key + aes_key


def pin_encrypt(protocol: int, key: bytes, plaintext: bytes) -> bytes:
    if protocol == 1:
        enc = Cipher(algorithms.AES(key), modes.CBC(b"\x00" * 16)).encryptor()
        return enc.update(plaintext) + enc.finalize()
    iv = os.urandom(16)
    enc = Cipher(algorithms.AES(key[32:]), modes.CBC(iv)).encryptor()
    return iv + enc.update(plaintext) + enc.finalize()


def pin_decrypt(protocol: int, key: bytes, ciphertext: bytes) -> bytes:
    if protocol == 1:
        iv, body, aes_key = b"\x00" * 16, ciphertext, key
    else:
        iv, body, aes_key = ciphertext[:16], ciphertext[16:], key[32:]
    if not body or len(body) % 16:
        raise ValueError("bad ciphertext length")
    dec = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).decryptor()
    return dec.update(body) + dec.finalize()


def pin_authenticate(protocol: int, key: bytes, message: bytes) -> bytes:
    if protocol == 1:
        return hmac_sha256(key, message)[:16]
    return hmac_sha256(key[:32], message)


def pin_verify(protocol: int, key: bytes, message: bytes, signature: bytes) -> bool:
    return hmac.compare_digest(pin_authenticate(protocol, key, message), bytes(signature))


def key_agreement_cose(private: ec.EllipticCurvePrivateKey) -> dict[int, Any]:
    """The authenticator's ECDH public key as COSE (alg -25, as CTAP requires)."""
    numbers = private.public_key().public_numbers()
    x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
    return {1: 2, 3: -25, -1: 1, -2: x, -3: y}


def shared_secret(
    private: ec.EllipticCurvePrivateKey, protocol: int, peer: Mapping[Any, Any]
) -> bytes:
    """ECDH with the platform's COSE key, then the protocol's KDF. ValueError if malformed."""
    if protocol not in (1, 2) or peer.get(1) != 2 or peer.get(-1) != 1:
        raise ValueError("unsupported key agreement")
    x, y = int.from_bytes(peer[-2], "big"), int.from_bytes(peer[-3], "big")
    public = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    return pin_kdf(protocol, private.exchange(ec.ECDH(), public))


# --- credential derivation --------------------------------------------------------------------

CRED_ID_VERSION = 1
FLAG_HMAC_SECRET = 0x01


def derive_private_key(secret: bytes, cred_id: bytes, rp_hash: bytes) -> ec.EllipticCurvePrivateKey:
    material = _hkdf(secret, b"vaxdesk-sw/cred-key/" + cred_id + rp_hash, 48)
    scalar = int.from_bytes(material, "big") % (_P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def derive_cred_random(secret: bytes, cred_id: bytes, rp_hash: bytes, uv: bool) -> bytes:
    label = b"vaxdesk-sw/cred-random-uv/" if uv else b"vaxdesk-sw/cred-random-nouv/"
    return _hkdf(secret, label + cred_id + rp_hash)


def make_credential_id(secret: bytes, rp_hash: bytes, flags: int) -> bytes:
    body = bytes([CRED_ID_VERSION, flags]) + os.urandom(16)
    tag = hmac_sha256(_hkdf(secret, b"vaxdesk-sw/cred-id-mac"), body + rp_hash)[:16]
    return body + tag


def open_credential_id(secret: bytes, rp_hash: bytes, cred_id: bytes) -> int | None:
    """Return the credential flags if cred_id was made by this device for this rp, else None."""
    if len(cred_id) != 34 or cred_id[0] != CRED_ID_VERSION:
        return None
    body, tag = cred_id[:18], cred_id[18:]
    expected = hmac_sha256(_hkdf(secret, b"vaxdesk-sw/cred-id-mac"), body + rp_hash)[:16]
    if not hmac.compare_digest(tag, expected):
        return None
    return body[1]


# --- persistent state -------------------------------------------------------------------------


@dataclass
class SoftwareState:
    device_secret: bytes
    aaguid: bytes
    sign_count: int = 0
    pin_hash: bytes | None = None  # LEFT(SHA-256(pin), 16)
    pin_retries: int = PIN_RETRIES_MAX

    def to_json(self) -> dict[str, Any]:
        enc = base64.b64encode
        return {
            "format": STATE_FORMAT,
            "version": 1,
            "warning": STATE_WARNING,
            "device_secret": enc(self.device_secret).decode("ascii"),
            "aaguid": self.aaguid.hex(),
            "sign_count": self.sign_count,
            "pin_hash": enc(self.pin_hash).decode("ascii") if self.pin_hash else None,
            "pin_retries": self.pin_retries,
        }

    @classmethod
    def from_json(cls, data: Any) -> SoftwareState:
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise ValueError("not a software authenticator state file")
        if data.get("version") != 1:
            raise ValueError("unsupported state version")
        secret = base64.b64decode(data["device_secret"], validate=True)
        pin_hash = data.get("pin_hash")
        count, retries = data["sign_count"], data["pin_retries"]
        if len(secret) != 32 or type(count) is not int or type(retries) is not int:
            raise ValueError("bad state values")
        return cls(
            device_secret=secret,
            aaguid=bytes.fromhex(data["aaguid"]),
            sign_count=count,
            pin_hash=base64.b64decode(pin_hash, validate=True) if pin_hash else None,
            pin_retries=retries,
        )


def load_state(path: Path) -> SoftwareState:
    return SoftwareState.from_json(json.loads(path.read_text(encoding="utf-8")))


def save_state_atomic(path: Path, state: SoftwareState) -> None:
    """Temp file in the same folder, 0600, fsync, replace, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(state.to_json(), indent=2).encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=".swauth-", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
