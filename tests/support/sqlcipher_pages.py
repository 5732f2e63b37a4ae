"""Read an encrypted register's pages the way an attacker holding the key would: every page of
the file (and every frame of its ``-wal``) decrypted with the raw DEK, live or free, so a test can
prove purged values are gone from the bytes and not only unlinked.

SQLCipher 4 defaults as the register uses them (raw 256-bit key, no KDF): 4096-byte pages, 80
reserved bytes at each page's end (16-byte IV, 64-byte HMAC-SHA512), AES-256-CBC over the rest;
page 1 starts with the 16-byte salt, which is not encrypted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE = 4096
RESERVE = 80
IV = 16
WAL_HEADER = 32
FRAME_HEADER = 24


def _decrypt(key: bytes, page: bytes, first: bool) -> bytes:
    start = 16 if first else 0
    body = page[start : PAGE - RESERVE]
    iv = page[PAGE - RESERVE : PAGE - RESERVE + IV]
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return dec.update(body) + dec.finalize()


def decrypted_pages(db_path: Path, key: bytes) -> Iterator[bytes]:
    """Every page of the main file and every frame of the WAL, decrypted."""
    data = Path(db_path).read_bytes()
    for n in range(len(data) // PAGE):
        yield _decrypt(key, data[n * PAGE : (n + 1) * PAGE], n == 0)
    wal = Path(str(db_path) + "-wal")
    if wal.exists():
        raw = wal.read_bytes()
        pos = WAL_HEADER
        while pos + FRAME_HEADER + PAGE <= len(raw):
            page_no = int.from_bytes(raw[pos : pos + 4], "big")
            frame = raw[pos + FRAME_HEADER : pos + FRAME_HEADER + PAGE]
            yield _decrypt(key, frame, page_no == 1)
            pos += FRAME_HEADER + PAGE


def find_in_pages(db_path: Path, key: bytes, needles: list[bytes]) -> set[bytes]:
    """Those of ``needles`` that occur in some decrypted page."""
    found: set[bytes] = set()
    for page in decrypted_pages(db_path, key):
        for needle in needles:
            if needle in page:
                found.add(needle)
    return found
