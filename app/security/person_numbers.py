"""Encryption of 個人番号 under the number key NK, and the keyed blind index for exact lookup.

Stored value: 12-byte nonce ‖ ChaCha20-Poly1305(number, associated data = person uid), so a
ciphertext cannot be moved to another person. Blind index: HMAC-SHA256(K_index, number), where
both subkeys are derived from NK with HKDF; without NK neither can be computed or reversed.
"""

from __future__ import annotations

import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from app.errors import RegisterError
from app.security.kdf import hkdf


class NumberDecryptFailed(RegisterError):
    code = "E_MYNUMBER_DECRYPT"


class NumberCipher:
    """Holds the two subkeys derived from NK; create one per session (cheap)."""

    def __init__(self, nk: bytes) -> None:
        if len(nk) != 32:
            raise ValueError("NK must be 32 bytes")
        self._aead = ChaCha20Poly1305(hkdf(nk, salt=b"", info=b"vaxdesk-number-enc-v1"))
        self._index_key = hkdf(nk, salt=b"", info=b"vaxdesk-number-index-v1")

    def encrypt(self, person_uid: bytes, number: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, number.encode("ascii"), person_uid)

    def decrypt(self, person_uid: bytes, blob: bytes) -> str:
        try:
            return self._aead.decrypt(blob[:12], blob[12:], person_uid).decode("ascii")
        except (InvalidTag, ValueError) as exc:
            raise NumberDecryptFailed() from exc

    def blind_index(self, number: str) -> bytes:
        return hmac.digest(self._index_key, number.encode("ascii"), "sha256")
