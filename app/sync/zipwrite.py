"""The inner archive's writer (PACKAGE-FORMAT.md §3).

Writer: members are raw-deflated (level ``LEVEL``) ahead of time (record files on worker
threads while they are produced), so every local header carries the real CRC and sizes: no data
descriptors, general-purpose flags 0, method 8, ZIP64 extra fields only for a member or offset
of 4 GiB or more (and the ZIP64 end records only then); ``manifest.json`` first.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Final

from app.sync.errors import PackageError
from app.sync.inner import BLOCK, MAX_RATIO, fast_zlib

LEVEL: Final = 1
#: Record files are deflated with ISA-L (python-isal, level 1: about 3x zlib's level 1 speed and
#: a smaller output on JSON Lines); plain zlib where isal is not installed. Same raw deflate.
_PIECE_LEVEL: Final = 1
WINDOW: Final = 32 * 1024
#: A final, empty block with fixed Huffman codes: ends a raw deflate stream.
_FINAL_EMPTY_BLOCK: Final = b"\x03\x00"
_END = struct.Struct("<IHHHHIIH")


class DeflatedMember:
    """One member deflated ahead of time: raw deflate stream in ``path`` with its sizes and CRC."""

    def __init__(self, name: str, path: Path, size: int, compressed: int, crc: int) -> None:
        self.name, self.path, self.size, self.compressed, self.crc = (
            name,
            path,
            size,
            compressed,
            crc,
        )


def _piece(block: bytes, window: bytes) -> bytes:
    """``block`` as a piece of a raw deflate stream: primed with the previous ``window`` bytes
    (back-references may reach into them) and ended by a sync flush, so pieces concatenate."""
    if window:
        comp = fast_zlib.compressobj(_PIECE_LEVEL, zlib.DEFLATED, -15, zdict=window)
    else:
        comp = fast_zlib.compressobj(_PIECE_LEVEL, zlib.DEFLATED, -15)
    return bytes(comp.compress(block) + comp.flush(zlib.Z_SYNC_FLUSH))


class Deflater:
    """Deflates blocks on ``WORKERS`` threads at once and hashes/CRCs them in order on another
    (zlib and hashlib release the GIL), so the caller's JSON work and the compression use both
    cores. pigz's scheme: every block is compressed on its own, primed with the last 32 KiB of
    the block before it and ended by a sync flush; the pieces are written in order and the stream
    is closed by an empty final block. Memory: at most ``PENDING`` blocks in flight."""

    WORKERS: Final = 2
    PENDING: Final = 4

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sha256 = hashlib.sha256()
        self.size = self.compressed = self.crc = 0
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._out = open(fd, "wb")  # noqa: SIM115 (closed by finish/abort)
        self._pool = ThreadPoolExecutor(self.WORKERS, thread_name_prefix="vaxdesk-deflate")
        self._hasher = ThreadPoolExecutor(1, thread_name_prefix="vaxdesk-hash")
        self._done: deque[Future[None]] = deque()
        self._window = b""

    def _store(self, block: bytes, piece: Future[bytes]) -> None:
        """On the one ordered thread: hash and CRC ``block``, write its deflated piece."""
        self.sha256.update(block)
        self.crc = fast_zlib.crc32(block, self.crc)  # ISA-L: about 5x zlib's CRC-32, same value
        data = piece.result()
        self._out.write(data)
        self.compressed += len(data)

    def write(self, block: bytes) -> None:
        if not block:
            return
        piece = self._pool.submit(_piece, block, self._window)
        self._done.append(self._hasher.submit(self._store, block, piece))
        self.size += len(block)
        self._window = (self._window + block)[-WINDOW:] if len(block) < WINDOW else block[-WINDOW:]
        while len(self._done) > self.PENDING or (self._done and self._done[0].done()):
            self._done.popleft().result()

    def finish(self) -> None:
        try:
            while self._done:
                self._done.popleft().result()
            self._out.write(_FINAL_EMPTY_BLOCK)
            self.compressed += len(_FINAL_EMPTY_BLOCK)
            self._out.close()
        finally:
            self.abort()

    def abort(self) -> None:
        for future in self._done:
            future.cancel()
        self._done.clear()
        self._hasher.shutdown(wait=True, cancel_futures=True)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._out.close()


_LOCAL_HDR = struct.Struct("<IHHHHHIIIHH")
_CENTRAL_HDR = struct.Struct("<IHHHHHHIIIHHHHHII")
_ZIP64_LIMIT = 0xFFFFFFFF


class InnerWriter:
    """Writes the inner archive into ``sink`` (an ``EncryptingWriter``) from members whose
    compressed data is ready: local headers carry the real sizes and CRC (no data descriptors);
    ZIP64 extra fields and end records only when a size, offset or count needs them."""

    def __init__(self, sink: BinaryIO, created_at: datetime) -> None:
        self._sink = sink
        year = min(max(created_at.year, 1980), 2107)
        self._date = ((year - 1980) << 9) | (created_at.month << 5) | created_at.day
        self._time = (created_at.hour << 11) | (created_at.minute << 5) | (created_at.second // 2)
        self._offset = 0
        self._central: list[bytes] = []

    def _write(self, data: bytes) -> None:
        self._sink.write(data)
        self._offset += len(data)

    def _member(self, name: str, size: int, compressed: int, crc: int) -> None:
        raw_name = name.encode("ascii")
        big = max(size, compressed, self._offset) >= _ZIP64_LIMIT
        version = 45 if big else 20
        if big:
            local_extra = struct.pack("<HHQQ", 1, 16, size, compressed)
            central_extra = struct.pack("<HHQQQ", 1, 24, size, compressed, self._offset)
            sizes = (_ZIP64_LIMIT, _ZIP64_LIMIT, _ZIP64_LIMIT)
        else:
            local_extra = central_extra = b""
            sizes = (compressed, size, self._offset)
        self._central.append(
            _CENTRAL_HDR.pack(
                0x02014B50,
                version,
                version,
                0,
                8,
                self._time,
                self._date,
                crc,
                sizes[0],
                sizes[1],
                len(raw_name),
                len(central_extra),
                0,
                0,
                0,
                (stat.S_IFREG | 0o644) << 16,
                sizes[2],
            )
            + raw_name
            + central_extra
        )
        self._write(
            _LOCAL_HDR.pack(
                0x04034B50,
                version,
                0,
                8,
                self._time,
                self._date,
                crc,
                sizes[0],
                sizes[1],
                len(raw_name),
                len(local_extra),
            )
            + raw_name
            + local_extra
        )

    def add_bytes(self, name: str, data: bytes) -> None:
        comp = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        packed = comp.compress(data) + comp.flush()
        self._check_ratio(name, len(data), len(packed))
        self._member(name, len(data), len(packed), zlib.crc32(data))
        self._write(packed)

    def add_deflated(self, member: DeflatedMember) -> None:
        self._check_ratio(member.name, member.size, member.compressed)
        self._member(member.name, member.size, member.compressed, member.crc)
        with open(member.path, "rb") as src:
            while block := src.read(BLOCK):
                self._write(block)

    @staticmethod
    def _check_ratio(name: str, size: int, compressed: int) -> None:
        if size > MAX_RATIO * max(compressed, 1):
            raise PackageError("E_UNSAFE_ARCHIVE", f"{name} の圧縮率が上限を超えます", step="build")

    def close(self) -> None:
        cd = b"".join(self._central)
        cd_offset, count = self._offset, len(self._central)
        self._write(cd)
        if count >= 0xFFFF or cd_offset >= _ZIP64_LIMIT or len(cd) >= _ZIP64_LIMIT:
            z64_offset = self._offset
            self._write(
                struct.pack(
                    "<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, len(cd), cd_offset
                )
            )
            self._write(struct.pack("<IIQI", 0x07064B50, 0, z64_offset, 1))
            self._write(_END.pack(0x06054B50, 0, 0, 0xFFFF, 0xFFFF, _ZIP64_LIMIT, _ZIP64_LIMIT, 0))
        else:
            self._write(_END.pack(0x06054B50, 0, 0, count, count, len(cd), cd_offset, 0))
