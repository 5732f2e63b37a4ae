"""The inner archive's writer (PACKAGE-FORMAT.md §3).

Writer: members are raw-deflated (level ``LEVEL``) ahead of time (record files on a worker
thread while they are produced), so every local header carries the real CRC and sizes: no data
descriptors, general-purpose flags 0, method 8, ZIP64 extra fields only for a member or offset
of 4 GiB or more (and the ZIP64 end records only then); ``manifest.json`` first.
"""

from __future__ import annotations

import hashlib
import os
import queue
import stat
import struct
import threading
import zlib
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Final

from app.sync.errors import PackageError
from app.sync.inner import BLOCK, MAX_RATIO

LEVEL: Final = 1
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


class Deflater:
    """Deflates, hashes and CRCs blocks on a worker thread (zlib and hashlib release the GIL), so
    the caller's JSON work and the compression use both cores. Memory: at most ``QUEUE`` blocks."""

    QUEUE: Final = 8

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sha256 = hashlib.sha256()
        self.size = self.compressed = self.crc = 0
        self._queue: queue.Queue[bytes | None] = queue.Queue(self.QUEUE)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="vaxdesk-deflate", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        comp = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(fd, "wb") as out:
                while (block := self._queue.get()) is not None:
                    if self._error is None:
                        self.sha256.update(block)
                        self.crc = zlib.crc32(block, self.crc)
                        self.size += len(block)
                        data = comp.compress(block)
                        out.write(data)
                        self.compressed += len(data)
                data = comp.flush()
                out.write(data)
                self.compressed += len(data)
        except BaseException as exc:  # re-raised in the caller's thread by finish()
            self._error = exc
            while self._queue.get() is not None:  # drain so the producer never blocks
                pass

    def write(self, block: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(block)

    def finish(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def abort(self) -> None:
        if self._thread.is_alive():
            self._error = self._error or RuntimeError("aborted")
            self._queue.put(None)
            self._thread.join()


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
                0x02014B50, version, version, 0, 8, self._time, self._date, crc, sizes[0],
                sizes[1], len(raw_name), len(central_extra), 0, 0, 0,
                (stat.S_IFREG | 0o644) << 16, sizes[2],
            )
            + raw_name
            + central_extra
        )  # fmt: skip
        self._write(
            _LOCAL_HDR.pack(
                0x04034B50, version, 0, 8, self._time, self._date, crc, sizes[0], sizes[1],
                len(raw_name), len(local_extra),
            )
            + raw_name
            + local_extra
        )  # fmt: skip

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
            self._write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count,
                                    len(cd), cd_offset))  # fmt: skip
            self._write(struct.pack("<IIQI", 0x07064B50, 0, z64_offset, 1))
            self._write(_END.pack(0x06054B50, 0, 0, 0xFFFF, 0xFFFF, _ZIP64_LIMIT, _ZIP64_LIMIT, 0))
        else:
            self._write(_END.pack(0x06054B50, 0, 0, count, count, len(cd), cd_offset, 0))
