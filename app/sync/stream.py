"""payload.bin: X25519 + HKDF-SHA256 + chunked ChaCha20-Poly1305 (PACKAGE-FORMAT.md §2).

Chunk *i* is sealed under nonce = *i* (11 bytes, big-endian) ‖ last-flag (1 byte); every chunk but
the last holds exactly ``CHUNK_SIZE`` plaintext bytes, the last 1 … ``CHUNK_SIZE`` (0 only when the
whole plaintext is empty). This is age's STREAM construction.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import BinaryIO, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.sync.errors import PackageError

CHUNK_SIZE: Final = 1 << 20
TAG: Final = 16
CIPHER: Final = "X25519-HKDF-SHA256-ChaCha20Poly1305-STREAM"
_INFO: Final = b"vaxdesk-package-v1 payload"


def derive_key(
    shared: bytes, ephemeral_public: bytes, recipient_public: bytes, package_id_raw: bytes
) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral_public + recipient_public,
        info=_INFO + package_id_raw,
    ).derive(shared)


def sender_key(recipient_x25519: bytes, package_id_raw: bytes) -> tuple[bytes, bytes]:
    """A fresh ephemeral key pair: (ephemeral public key, payload key)."""
    eph = X25519PrivateKey.generate()
    eph_pub = eph.public_key().public_bytes_raw()
    shared = eph.exchange(X25519PublicKey.from_public_bytes(recipient_x25519))
    return eph_pub, derive_key(shared, eph_pub, recipient_x25519, package_id_raw)


def recipient_key(
    own: X25519PrivateKey, ephemeral_public: bytes, package_id_raw: bytes
) -> bytes | None:
    """The payload key, or None when the exchange gives an all-zero secret (low-order point)."""
    own_pub = own.public_key().public_bytes_raw()
    try:
        shared = own.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    except ValueError:  # cryptography refuses an all-zero shared secret itself
        return None
    if shared == bytes(32):
        return None
    return derive_key(shared, ephemeral_public, own_pub, package_id_raw)


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """A write-only stream: seals the plaintext written to it into ``out`` chunk by chunk and
    keeps the ciphertext's length, SHA-256 and CRC-32 (for the outer ZIP). No ``tell``/``seek``,
    so ``zipfile`` treats it as unseekable and streams."""

    def __init__(self, key: bytes, out: BinaryIO) -> None:
        self._aead = ChaCha20Poly1305(key)
        self._out = out
        self._buf = bytearray()
        self._index = 0
        self.length = 0
        self.crc = 0
        self.sha256 = hashlib.sha256()
        self.closed = False

    def _emit(self, chunk: bytes, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._index, last), chunk, None)
        self._index += 1
        self._out.write(sealed)
        self.sha256.update(sealed)
        self.crc = zlib.crc32(sealed, self.crc)
        self.length += len(sealed)

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self._buf += data
        if len(self._buf) > CHUNK_SIZE:
            view = memoryview(self._buf)
            start = 0
            # keep at least one byte back: only close() knows which chunk is the last
            while len(self._buf) - start > CHUNK_SIZE:
                self._emit(bytes(view[start : start + CHUNK_SIZE]), False)
                start += CHUNK_SIZE
            view.release()
            del self._buf[:start]
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buf), True)
            self._buf = bytearray()
            self.closed = True


def decrypt_chunk(aead: ChaCha20Poly1305, index: int, sealed: bytes, at_end: bool) -> bytes:
    """Open chunk ``index``; ``at_end`` says whether the ciphertext ends after it. Raises
    ``PackageError(E_DECRYPT)`` naming the failure (tag, missing last flag, data after the last)."""
    if len(sealed) < TAG:
        raise PackageError("E_DECRYPT", "暗号文が途中で切れています", step="decrypt")
    try:
        return aead.decrypt(_nonce(index, at_end), sealed, None)
    except InvalidTag:
        pass
    try:
        aead.decrypt(_nonce(index, not at_end), sealed, None)
    except InvalidTag:
        raise PackageError(
            "E_DECRYPT", f"チャンク {index} の認証タグが一致しません", step="decrypt"
        ) from None
    if at_end:
        raise PackageError("E_DECRYPT", "最後のチャンクの印がありません", step="decrypt")
    raise PackageError("E_DECRYPT", "最後のチャンクの後にデータがあります", step="decrypt")
