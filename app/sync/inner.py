"""The inner archive (the plaintext of payload.bin, PACKAGE-FORMAT.md §3): streaming writer and
safe reader.

Writer: Python's ``zipfile`` writing into the encrypting stream, which cannot seek, so every member
is deflated (level ``LEVEL``) with bit 3 set and a data descriptor after its data; ZIP64 fields
only for a member of 4 GiB or more; ``manifest.json`` first.

Reader limits (``E_UNSAFE_ARCHIVE``), all checked before a member is inflated: at most
``MAX_MEMBERS`` entries (counted from the end record before the central directory is read), a
central directory of at most ``MAX_CENTRAL_DIR`` bytes, names without a leading ``/``, drive
letter, ``..`` or empty component or backslash, no duplicate names (also case-insensitively), no
symlinks, no encrypted entries, method stored or deflate only, entries that do not overlap, and
declared sizes ≤ 64 GiB in total and ≤ 200 × the compressed size per member; while inflating, the
running size is checked against the declared size and the ratio again.
"""

from __future__ import annotations

import stat
import struct
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Final

from app.sync.errors import PackageError

LEVEL: Final = 1
MAX_MEMBERS: Final = 10_000
MAX_CENTRAL_DIR: Final = 16 * 1024 * 1024
MAX_INFLATED: Final = 64 * 1024**3
MAX_RATIO: Final = 200
BLOCK: Final = 1 << 20

_END = struct.Struct("<IHHHHIIH")
_Z64_LOCATOR = struct.Struct("<IIQI")
_Z64_END = struct.Struct("<IQHHIIQQQQ")


def unsafe(detail: str) -> PackageError:
    return PackageError("E_UNSAFE_ARCHIVE", detail, step="unpack")


class InnerWriter:
    """Streams members into ``sink`` (an ``EncryptingWriter``)."""

    def __init__(self, sink: BinaryIO, created_at: datetime) -> None:
        self._zip = zipfile.ZipFile(
            sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=LEVEL
        )
        self._when = (max(created_at.year, 1980), *created_at.timetuple()[1:6])

    def _info(self, name: str, size: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, self._when)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size = size
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        return info

    def add_bytes(self, name: str, data: bytes) -> None:
        info = self._info(name, len(data))
        with self._zip.open(info, "w") as out:
            out.write(data)
        self._check_ratio(info)

    def add_file(self, name: str, path: Path, size: int) -> None:
        info = self._info(name, size)
        with (
            self._zip.open(info, "w", force_zip64=size >= 0xFFFFFFFF) as out,
            open(path, "rb") as src,
        ):
            while block := src.read(BLOCK):
                out.write(block)
        self._check_ratio(info)

    @staticmethod
    def _check_ratio(info: zipfile.ZipInfo) -> None:
        if info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PackageError(
                "E_UNSAFE_ARCHIVE", f"{info.filename} の圧縮率が上限を超えます", step="build"
            )

    def close(self) -> None:
        self._zip.close()


def _entry_count(fh: BinaryIO, size: int) -> tuple[int, int]:
    """(entries, central directory size) from the end record (ZIP64 end record if used)."""
    tail_len = min(size, _END.size + 0xFFFF)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or pos + _END.size > len(tail):
        raise unsafe("ZIP の終端レコードがありません")
    _sig, _d, _cd, _nd, total, cd_size, cd_off, _c = _END.unpack_from(tail, pos)
    if total == 0xFFFF or cd_size == 0xFFFFFFFF or cd_off == 0xFFFFFFFF:
        loc_pos = size - tail_len + pos - _Z64_LOCATOR.size
        if loc_pos < 0:
            raise unsafe("ZIP64 の終端レコードが不正です")
        fh.seek(loc_pos)
        loc = _Z64_LOCATOR.unpack(fh.read(_Z64_LOCATOR.size))
        if loc[0] != 0x07064B50 or loc[2] + _Z64_END.size > size:
            raise unsafe("ZIP64 の終端レコードが不正です")
        fh.seek(loc[2])
        rec = _Z64_END.unpack(fh.read(_Z64_END.size))
        if rec[0] != 0x06064B50:
            raise unsafe("ZIP64 の終端レコードが不正です")
        total, cd_size = rec[7], rec[8]
    return total, cd_size


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
        total, cd_size = _entry_count(fh, size)
    if total > MAX_MEMBERS:
        raise unsafe(f"メンバー数が上限 {MAX_MEMBERS} を超えています")
    if cd_size > MAX_CENTRAL_DIR:
        raise unsafe("中央ディレクトリが大きすぎます")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as exc:
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
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error) as exc:
        raise unsafe(f"{info.filename} を展開できません") from exc
    if total != info.file_size:
        raise unsafe(f"{info.filename} のサイズが宣言と一致しません")
