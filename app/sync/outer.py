"""The outer ZIP of a ``.vxpkg`` (PACKAGE-FORMAT.md §2), written and parsed byte by byte.

Written: three stored members ``header.json``, ``header.sig``, ``payload.bin``; local header
version 2.0, general-purpose flags 0 (no data descriptor, no encryption), DOS time of
``created_at``, no extra fields, no comments, no ZIP64 (the whole file is at most 4 GiB - 1).

Read (every rule refuses with ``E_HEADER`` unless noted): the file is ≤ 4 GiB (``E_TOO_LARGE``);
the first local header is at offset 0 and declares header.json ≤ 64 KiB (``E_TOO_LARGE``); the
three local headers follow one another with no gap, each names its member exactly, uses method 0,
has flags 0 (bit 11, UTF-8 names, is tolerated), equal compressed and uncompressed sizes, no ZIP64
values; extra fields are skipped; the central directory follows payload.bin immediately, has
exactly three entries that repeat the local headers (name, flags, method, CRC, sizes, offset) with
no comments, and the end record (no ZIP64, no comment, one disk) ends the file. The CRC-32 of
header.json and header.sig is checked here; that of payload.bin with its SHA-256 (``E_MANIFEST``).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Final

from app.sync.errors import PackageError

MAX_FILE: Final = 4 * 1024**3
MAX_HEADER: Final = 64 * 1024
NAMES: Final = (b"header.json", b"header.sig", b"payload.bin")

_LOCAL = struct.Struct("<IHHHHHIIIHH")  # 30 bytes
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")  # 46 bytes
_END = struct.Struct("<IHHHHIIH")  # 22 bytes
_LOCAL_SIG, _CENTRAL_SIG, _END_SIG = 0x04034B50, 0x02014B50, 0x06054B50
_FLAGS_OK = 0x0800


def _header_error(detail: str) -> PackageError:
    return PackageError("E_HEADER", detail, step="layout")


def dos_time(moment: datetime) -> tuple[int, int]:
    year = min(max(moment.year, 1980), 2107)
    date = ((year - 1980) << 9) | (moment.month << 5) | moment.day
    time = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    return time, date


def local_header(name: bytes, crc: int, size: int, when: tuple[int, int]) -> bytes:
    return _LOCAL.pack(_LOCAL_SIG, 20, 0, 0, when[0], when[1], crc, size, size, len(name), 0) + name


def central_directory(entries: list[tuple[bytes, int, int, int]], when: tuple[int, int]) -> bytes:
    """Central directory + end record for ``(name, crc, size, local offset)`` entries that start
    right after the last member."""
    cd = b"".join(
        _CENTRAL.pack(
            _CENTRAL_SIG, 20, 20, 0, 0, when[0], when[1], crc, size, size, len(name), 0, 0, 0, 0, 0,
            offset,
        )
        + name
        for name, crc, size, offset in entries
    )  # fmt: skip
    last_name, _, last_size, last_offset = entries[-1]
    cd_offset = last_offset + _LOCAL.size + len(last_name) + last_size
    end = _END.pack(_END_SIG, 0, 0, len(entries), len(entries), len(cd), cd_offset, 0)
    return cd + end


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the members are: header and signature bytes, payload offset, length and CRC."""

    header: bytes
    signature: bytes
    payload_offset: int
    payload_length: int
    payload_crc: int
    file_size: int


def _read_at(fh: BinaryIO, offset: int, size: int) -> bytes:
    fh.seek(offset)
    data = fh.read(size)
    if len(data) != size:
        raise _header_error("ファイルが途中で切れています")
    return data


def parse_layout(fh: BinaryIO, file_size: int) -> Layout:
    """Check every ZIP rule of §2 and return the members' places (see the module docstring)."""
    import zlib

    if file_size > MAX_FILE:
        raise PackageError("E_TOO_LARGE", "4 GiB を超えています", step="size")
    if file_size < _LOCAL.size:
        raise _header_error("ZIP ではありません")
    first = _LOCAL.unpack(_read_at(fh, 0, _LOCAL.size))
    if first[0] != _LOCAL_SIG:
        raise _header_error("先頭が ZIP のローカルヘッダーではありません")
    if first[7] > MAX_HEADER or first[8] > MAX_HEADER:
        raise PackageError("E_TOO_LARGE", "header.json が 64 KiB を超えています", step="size")
    if file_size < _END.size:
        raise _header_error("終端レコードがありません")
    end = _END.unpack(_read_at(fh, file_size - _END.size, _END.size))
    sig, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, comment = end
    if sig != _END_SIG or disk or cd_disk or comment or n_disk != 3 or n_total != 3:
        raise _header_error("終端レコードが不正です（メンバーは3つ、コメントなし）")
    if cd_offset + cd_size != file_size - _END.size or cd_size > 1024:
        raise _header_error("中央ディレクトリの位置が不正です")
    cd = _read_at(fh, cd_offset, cd_size)
    pos, offset, members = 0, 0, []
    for name in NAMES:
        if pos + _CENTRAL.size > len(cd):
            raise _header_error("中央ディレクトリが不正です")
        c = _CENTRAL.unpack_from(cd, pos)
        c_name = cd[pos + _CENTRAL.size : pos + _CENTRAL.size + c[10]]
        (csig, _made, _need, flags, method, _t, _d, crc, csize, usize) = c[:10]
        if csig != _CENTRAL_SIG or c_name != name or c[12] or c[13]:
            raise _header_error("メンバーの名前・順序が不正です")
        if flags & ~_FLAGS_OK or method != 0 or csize != usize or c[16] != offset:
            raise _header_error(f"{name.decode()} は無圧縮・暗号化なしで格納する必要があります")
        if 0xFFFFFFFF in (csize, usize, c[16]):
            raise _header_error("ZIP64 は使えません")
        pos += _CENTRAL.size + c[10] + c[11]
        loc = _LOCAL.unpack(_read_at(fh, offset, _LOCAL.size))
        l_name = _read_at(fh, offset + _LOCAL.size, loc[9])
        if loc[0] != _LOCAL_SIG or l_name != name or loc[2] != flags or loc[3] != method:
            raise _header_error("ローカルヘッダーが中央ディレクトリと一致しません")
        if (loc[6], loc[7], loc[8]) != (crc, csize, usize):
            raise _header_error("ローカルヘッダーが中央ディレクトリと一致しません")
        data_offset = offset + _LOCAL.size + loc[9] + loc[10]
        members.append((data_offset, csize, crc))
        offset = data_offset + csize
    if pos != len(cd) or offset != cd_offset:
        raise _header_error("メンバーの間または後に余分なデータがあります")
    (h_off, h_len, h_crc), (s_off, s_len, s_crc), (p_off, p_len, p_crc) = members
    if h_len > MAX_HEADER:
        raise PackageError("E_TOO_LARGE", "header.json が 64 KiB を超えています", step="size")
    if s_len > 1024:
        raise _header_error("header.sig が大きすぎます")
    header = _read_at(fh, h_off, h_len)
    signature = _read_at(fh, s_off, s_len)
    if zlib.crc32(header) != h_crc or zlib.crc32(signature) != s_crc:
        raise _header_error("CRC が一致しません")
    return Layout(header, signature, p_off, p_len, p_crc, file_size)
