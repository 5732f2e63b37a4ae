"""The inner archive (the plaintext of payload.bin, PACKAGE-FORMAT.md §3): the safe reader.
The writer is ``app.sync.zipwrite``.

Reader limits (``E_UNSAFE_ARCHIVE``), all checked before a member is inflated: at most
``MAX_MEMBERS`` entries and a central directory of at most ``MAX_CENTRAL_DIR`` bytes (walked
before ``zipfile`` reads it), names without a leading ``/``, drive letter, ``..`` or empty
component or backslash, no duplicate names (also case-insensitively), no symlinks, no encrypted
entries, method stored or deflate only, entries that do not overlap, and declared sizes ≤ 64 GiB
in total and ≤ 200 × the compressed size per member; while inflating, the running size is
checked against the declared size and the ratio again.
"""

from __future__ import annotations

import hashlib
import queue
import stat
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import BinaryIO, Final

from app.sync.errors import PackageError
from app.sync.handoff import put_unless_stopped

#: ISA-L's zlib-compatible module (python-isal): raw deflate and inflate about 3x zlib's speed.
#: Plain zlib where it is not installed; the format is the same. (A static import, so that
#: PyInstaller bundles it.)
try:
    from isal import isal_zlib as _isal_zlib

    _fast: ModuleType | None = _isal_zlib
except ImportError:  # pragma: no cover - isal is a dependency
    _fast = None
fast_zlib: Final[ModuleType] = _fast if _fast is not None else zlib
_FAST_ZLIB_ERROR: Final[type[Exception]] = fast_zlib.error

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
    _FAST_ZLIB_ERROR,
)
_Z64_LOCATOR = struct.Struct("<IIQI")
_Z64_END = struct.Struct("<IQHHIIQQQQ")


def unsafe(detail: str) -> PackageError:
    return PackageError("E_UNSAFE_ARCHIVE", detail, step="unpack")


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
        if info.compress_type == zipfile.ZIP_DEFLATED and isinstance(zf.filename, str):
            blocks = _inflate(zf, info, zf.filename)
        else:
            blocks = _zipfile_blocks(zf, info)
        for block in blocks:
            total += len(block)
            if total > limit:
                raise unsafe(f"{info.filename} が宣言より大きく展開されます")
            yield block
    except ZIP_ERRORS as exc:
        raise unsafe(f"{info.filename} を展開できません") from exc
    if total != info.file_size:
        raise unsafe(f"{info.filename} のサイズが宣言と一致しません")


def _zipfile_blocks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with zf.open(info) as fh:
        while block := fh.read(BLOCK):
            yield block


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: str) -> Iterator[bytes]:
    """A deflated member inflated with ``fast_zlib`` from its own file handle (``zipfile`` inflates
    with zlib at a third of the speed). ``zipfile`` still checks the local header first; the
    stream must end exactly at the member's end and match the CRC-32, as ``zipfile`` requires."""
    with zf.open(info):
        pass
    inflater = fast_zlib.decompressobj(-15)
    crc = 0
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        local = fh.read(30)
        if len(local) != 30 or local[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("local header")
        name_len, extra_len = struct.unpack_from("<HH", local, 26)
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        left = info.compress_size
        pending = b""
        while not inflater.eof:
            if not pending:
                if left <= 0:
                    raise EOFError("deflate stream ends early")
                pending = fh.read(min(BLOCK, left))
                if not pending:
                    raise EOFError("member truncated")
                left -= len(pending)
            block = inflater.decompress(pending, BLOCK)
            pending = inflater.unconsumed_tail
            if block:
                crc = zlib.crc32(block, crc)
                yield block
        if left or pending or inflater.unused_data:
            raise zipfile.BadZipFile("data after the deflate stream")
    if crc != info.CRC:
        raise zipfile.BadZipFile("CRC-32")


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
        return put_unless_stopped(self._queue, item, self._stop)

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
