"""The tamper matrix of issue 8, the package file: a bit flipped in any member or in the ZIP
structure, the file or its payload truncated, an outer ZIP laid out other than the one strict
layout, a header or a file over its size limit. One test per row, each refused with the spec's
exact code, nothing written to the output folder, no temporary file left (see the ``refused``
fixture). The signed header's fields, signatures, keys and sequence: test_sync_tamper_header.py."""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any

import pytest

from tests.sync.conftest import Refused
from tests.sync.pkgkit import members, outer_zip, repack


def _flip(data: bytes, index: int, bit: int = 0) -> bytes:
    return data[:index] + bytes([data[index] ^ (1 << bit)]) + data[index + 1 :]


def test_flipped_bit_in_header_json_with_fixed_crc(pkg: Path, refused: Refused) -> None:
    header, sig, payload = members(pkg)
    pos = header.index(b'"package_id":"') + len(b'"package_id":"') + 35  # last hex digit
    bit = 2 if header[pos : pos + 1] in b"af" else 0
    repack(pkg, _flip(header, pos, bit), sig, payload)
    refused(pkg, "E_SIGNATURE")


def test_flipped_bit_in_header_json_structure(pkg: Path, refused: Refused) -> None:
    header, sig, payload = members(pkg)
    repack(pkg, _flip(header, 0), sig, payload)  # "{" -> "z": not JSON
    refused(pkg, "E_HEADER")


@pytest.mark.parametrize("index", [0, 31, 63])
def test_flipped_bit_in_header_sig(pkg: Path, refused: Refused, index: int) -> None:
    header, sig, payload = members(pkg)
    repack(pkg, header, _flip(sig, index), payload)
    refused(pkg, "E_SIGNATURE")


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_flipped_bit_in_payload(pkg: Path, refused: Refused, where: str) -> None:
    header, sig, payload = members(pkg)
    index = {"first": 0, "middle": len(payload) // 2, "last": len(payload) - 1}[where]
    repack(pkg, header, sig, _flip(payload, index))
    refused(pkg, "E_MANIFEST")


@pytest.mark.parametrize("member", [0, 1, 2])
def test_flipped_bit_in_any_member_without_crc_fix(
    pkg: Path, refused: Refused, member: int
) -> None:
    data = pkg.read_bytes()
    offsets = [30 + len("header.json")]
    h, s, _p = members(pkg)
    offsets.append(offsets[0] + len(h) + 30 + len("header.sig"))
    offsets.append(offsets[1] + len(s) + 30 + len("payload.bin"))
    pkg.write_bytes(_flip(data, offsets[member] + 5))
    refused(pkg, "E_MANIFEST" if member == 2 else "E_HEADER")


@pytest.mark.parametrize("where", ["local header", "central directory", "end record"])
def test_flipped_bit_in_zip_structure(pkg: Path, refused: Refused, where: str) -> None:
    data = pkg.read_bytes()
    index = {
        "local header": 8,
        "central directory": len(data) - 22 - 46 + 10,
        "end record": len(data) - 12,
    }[where]
    pkg.write_bytes(_flip(data, index))
    refused(pkg, "E_HEADER")


@pytest.mark.parametrize("cut", [1, 29, 100, "half", "-23", "-1"])
def test_truncated_file(pkg: Path, refused: Refused, cut: Any) -> None:
    data = pkg.read_bytes()
    size = {"half": len(data) // 2, "-23": len(data) - 23, "-1": len(data) - 1}.get(cut, cut)
    pkg.write_bytes(data[:size])
    refused(pkg, "E_HEADER")


def test_truncated_payload_in_a_rebuilt_zip(pkg: Path, refused: Refused) -> None:
    header, sig, payload = members(pkg)
    repack(pkg, header, sig, payload[:-100])
    refused(pkg, "E_MANIFEST")


# --- outer ZIP layout ----------------------------------------------------------------------------


def _items(pkg: Path) -> list[tuple[bytes, bytes]]:
    return list(zip((b"header.json", b"header.sig", b"payload.bin"), members(pkg), strict=True))


def test_compressed_outer_member(pkg: Path, refused: Refused) -> None:
    pkg.write_bytes(outer_zip(_items(pkg), method=8))
    refused(pkg, "E_HEADER")


def test_encrypted_outer_member_flag(pkg: Path, refused: Refused) -> None:
    pkg.write_bytes(outer_zip(_items(pkg), flags=1))
    refused(pkg, "E_HEADER")


def test_data_descriptor_flag(pkg: Path, refused: Refused) -> None:
    pkg.write_bytes(outer_zip(_items(pkg), flags=8))
    refused(pkg, "E_HEADER")


@pytest.mark.parametrize("extra", [b"extra.txt", b"dir/", b"payload.bin", b"Header.json"])
def test_extra_outer_member(pkg: Path, refused: Refused, extra: bytes) -> None:
    pkg.write_bytes(outer_zip([*_items(pkg), (extra, b"x" if not extra.endswith(b"/") else b"")]))
    refused(pkg, "E_HEADER")


def test_members_out_of_order(pkg: Path, refused: Refused) -> None:
    items = _items(pkg)
    pkg.write_bytes(outer_zip([items[1], items[0], items[2]]))
    refused(pkg, "E_HEADER")


def test_differently_cased_member_name(pkg: Path, refused: Refused) -> None:
    items = _items(pkg)
    pkg.write_bytes(outer_zip([(b"HEADER.json", items[0][1]), items[1], items[2]]))
    refused(pkg, "E_HEADER")


def test_missing_outer_member(pkg: Path, refused: Refused) -> None:
    pkg.write_bytes(outer_zip(_items(pkg)[:2]))
    refused(pkg, "E_HEADER")


def test_data_before_the_first_local_header(pkg: Path, refused: Refused) -> None:
    pkg.write_bytes(b"MZ" + pkg.read_bytes())
    refused(pkg, "E_HEADER")


def test_data_after_the_end_record(pkg: Path, refused: Refused) -> None:
    pkg.write_bytes(pkg.read_bytes() + b"\x00")
    refused(pkg, "E_HEADER")


def test_zip_comment(pkg: Path, refused: Refused) -> None:
    data = bytearray(pkg.read_bytes())
    struct.pack_into("<H", data, len(data) - 2, 4)
    pkg.write_bytes(bytes(data) + b"note")
    refused(pkg, "E_HEADER")


# --- size limits ---------------------------------------------------------------------------------


def test_header_json_over_64_kib(pkg: Path, refused: Refused) -> None:
    header, sig, payload = members(pkg)
    repack(pkg, header + b" " * (64 * 1024), sig, payload)
    refused(pkg, "E_TOO_LARGE")


def test_file_over_4_gib(pkdir: Path, refused: Refused) -> None:
    path = pkdir / "huge.vxpkg"
    with open(path, "wb") as fh:  # sparse: no 4 GiB written
        fh.truncate(4 * 1024**3 + 1)
    try:
        refused(path, "E_TOO_LARGE")
    finally:
        os.unlink(path)
