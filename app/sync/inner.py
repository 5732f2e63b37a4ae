"""The inner archive (the plaintext of payload.bin, PACKAGE-FORMAT.md §3): streaming writer and
safe reader.

Writer: members are raw-deflated (level ``LEVEL``) ahead of time (record files on a worker
thread while they are produced), so every local header carries the real CRC and sizes: no data
descriptors, general-purpose flags 0, method 8, ZIP64 extra fields only for a member or offset
of 4 GiB or more (and the ZIP64 end records only then); ``manifest.json`` first.

Reader limits (``E_UNSAFE_ARCHIVE``), all checked before a member is inflated: at most
``MAX_MEMBERS`` entries (counted from the end record before the central directory is read), a
central directory of at most ``MAX_CENTRAL_DIR`` bytes (walked before ``zipfile`` reads it), names without a leading ``/``, drive
letter, ``..`` or empty component or backslash, no duplicate names (also case-insensitively), no
symlinks, no encrypted entries, method stored or deflate only, entries that do not overlap, and
declared sizes ≤ 64 GiB in total and ≤ 200 × the compressed size per member; while inflating, the
running size is checked against the declared size and the ratio again.
"""

from __future__ import annotations

import hashlib
import os
import queue
import stat
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Final

from app.sync.errors import PackageError

LEVEL: Final = 1
MAX_MEMBERS: Final = 10_000
MAX_CENTRAL_DIR: Final = 4 * 1024 * 1024
MAX_INFLATED: Final = 64 * 1024**3
MAX_RATIO: Final = 200
BLOCK: Final = 1 << 20

_END = struct.Struct("<IHHHHIIH")
#: What zipfile and zlib raise on damaged archives (all become E_UNSAFE_ARCHIVE).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,  # includes UnicodeDecodeError of a name flagged UTF-8
    struct.error,
    NotImplementedError,
    RuntimeError,
    OverflowError,
    KeyError,
)
_Z64_LOCATOR = struct.Struct("<IIQI")
_Z64_END = struct.Struct("<IQHHIIQQQQ")


def unsafe(detail: str) -> PackageError:
    return PackageError("E_UNSAFE_ARCHIVE", detail, step="unpack")


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


def _end_record(fh: BinaryIO, size: int) -> tuple[int, int]:
    """(central directory size, where the end records start), found as ``zipfile`` finds them."""
    tail_len = min(size, _END.size + 0xFFFF)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    pos = len(tail) - _END.size
    if pos < 0 or tail[pos : pos + 4] != b"PK\x05\x06":
        pos = tail.rfind(b"PK\x05\x06", 0, max(len(tail) - _END.size + 1, 0))
    if pos < 0:
        raise unsafe("ZIP の終端レコードがありません")
    _sig, _d, _cd, _nd, total, cd_size, cd_off, _c = _END.unpack_from(tail, pos)
    end_start = size - tail_len + pos
    if total == 0xFFFF or cd_size == 0xFFFFFFFF or cd_off == 0xFFFFFFFF:
        loc_pos = end_start - _Z64_LOCATOR.size
        if loc_pos < _Z64_END.size:
            raise unsafe("ZIP64 の終端レコードが不正です")
        fh.seek(loc_pos)
        loc = _Z64_LOCATOR.unpack(fh.read(_Z64_LOCATOR.size))
        end_start = loc_pos - _Z64_END.size
        fh.seek(end_start)
        rec = _Z64_END.unpack(fh.read(_Z64_END.size))
        if loc[0] != 0x07064B50 or rec[0] != 0x06064B50:
            raise unsafe("ZIP64 の終端レコードが不正です")
        cd_size = rec[8]
    return cd_size, end_start


def _count_entries(fh: BinaryIO, size: int) -> None:
    """Walk the central directory (≤ ``MAX_CENTRAL_DIR`` bytes) and refuse more than
    ``MAX_MEMBERS`` entries before ``zipfile`` builds an object for each of them."""
    try:
        cd_size, end_start = _end_record(fh, size)
        if cd_size > MAX_CENTRAL_DIR or cd_size > end_start:
            raise unsafe("中央ディレクトリが大きすぎるか位置が不正です")
        fh.seek(end_start - cd_size)
        cd = fh.read(cd_size)
        pos = count = 0
        while pos + 46 <= len(cd):
            if cd[pos : pos + 4] != b"PK\x01\x02":
                break
            count += 1
            if count > MAX_MEMBERS:
                raise unsafe(f"メンバー数が上限 {MAX_MEMBERS} を超えています")
            n, e, c = struct.unpack_from("<HHH", cd, pos + 28)
            pos += 46 + n + e + c
    except struct.error as exc:
        raise unsafe("ZIP の終端レコードが不正です") from exc


def _check_name(name: str) -> None:
    parts = name.split("/")
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or (len(name) > 1 and name[1] == ":")
        or any(p in ("", ".", "..") for p in parts[:-1])
        or parts[-1] in (".", "..")
    ):
        raise unsafe("安全でない名前のメンバーがあります")


def open_safe(path: Path) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """Open the decrypted inner archive after checking every static rule above."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        _count_entries(fh, size)
    try:
        zf = zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        raise unsafe("ZIP として読めません") from exc
    try:
        infos = zf.infolist()
        _check_infos(infos, size)
    except BaseException:
        zf.close()
        raise
    return zf, infos


def _check_infos(infos: list[zipfile.ZipInfo], archive_size: int) -> None:
    if len(infos) > MAX_MEMBERS:
        raise unsafe(f"メンバー数が上限 {MAX_MEMBERS} を超えています")
    seen: set[str] = set()
    declared = 0
    for info in infos:
        _check_name(info.filename)
        folded = info.filename.casefold()
        if folded in seen:
            raise unsafe("同じ名前のメンバーが複数あります")
        seen.add(folded)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise unsafe("シンボリックリンクは使えません")
        if info.flag_bits & 0x1:
            raise unsafe("暗号化されたメンバーは使えません")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise unsafe("対応していない圧縮方式です")
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise unsafe("無圧縮メンバーのサイズが一致しません")
        if info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise unsafe(f"{info.filename} の圧縮率が上限 {MAX_RATIO} 倍を超えています")
        declared += info.file_size
        if declared > MAX_INFLATED:
            raise unsafe("展開後のサイズが 64 GiB を超えています")
    spans = sorted(
        (i.header_offset, i.header_offset + 30 + len(i.orig_filename.encode()) + i.compress_size)
        for i in infos
    )
    end = 0
    for start, stop in spans:
        if start < end or stop > archive_size:
            raise unsafe("メンバーが重なっています")
        end = stop


def member_blocks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Inflate one member in blocks, enforcing its declared size and the ratio as it goes."""
    limit = min(info.file_size, MAX_RATIO * max(info.compress_size, 1), MAX_INFLATED)
    total = 0
    try:
        with zf.open(info) as fh:
            while block := fh.read(BLOCK):
                total += len(block)
                if total > limit:
                    raise unsafe(f"{info.filename} が宣言より大きく展開されます")
                yield block
    except ZIP_ERRORS as exc:
        raise unsafe(f"{info.filename} を展開できません") from exc
    if total != info.file_size:
        raise unsafe(f"{info.filename} のサイズが宣言と一致しません")


class Prefetcher:
    """Inflates and hashes one member on a worker thread (zlib and hashlib release the GIL) while
    the caller validates lines. Iterate it for the blocks; ``sha256`` is complete at the end.
    Use as a context manager so an early exit stops the worker."""

    QUEUE: Final = 4

    def __init__(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        self.sha256 = hashlib.sha256()
        self._queue: queue.Queue[bytes | BaseException | None] = queue.Queue(self.QUEUE)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(zf, info), name="vaxdesk-inflate", daemon=True
        )
        self._thread.start()

    def _put(self, item: bytes | BaseException | None) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        try:
            for block in member_blocks(zf, info):
                self.sha256.update(block)
                if not self._put(block):
                    return
            self._put(None)
        except BaseException as exc:  # handed to the consumer, raised there
            self._put(exc)

    def __iter__(self) -> Iterator[bytes]:
        while (item := self._queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    def __enter__(self) -> Prefetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
