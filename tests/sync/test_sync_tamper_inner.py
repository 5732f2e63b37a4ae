"""Tamper matrix, inner rows: the payload stream and the inner archive, reached through packages
that are correctly signed and encrypted around a damaged plaintext (``pkgkit.forge``)."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.sync.stream import CHUNK_SIZE
from tests.sync.conftest import Refused
from tests.sync.pkgkit import SECRET_NAME, World, forge, inner_zip, line, person, uid, vaccination

PID = "01a23221-4646-71ac-b2a2-330a2c901ca2"


def _records(n: int = 3) -> bytes:
    return b"".join(line(vaccination(i)) for i in range(n))


@pytest.fixture
def make(tmp_path: Path, world: World) -> Callable[..., Path]:
    d = tmp_path / "packages"
    d.mkdir()

    def build(plaintext: bytes, **kw: Any) -> Path:
        path = d / "f.vxpkg"
        kw.setdefault("package_id", PID)
        forge(path, plaintext, sender=world.term, recipient=world.hub, **kw)
        return path

    return build


def test_forged_but_valid_package_opens(
    make: Callable[..., Path], world: World, tmp_path: Path
) -> None:
    """The forging kit itself makes acceptable packages: every refusal below is the tamper's."""
    from app.sync import open_package
    from tests.sync.pkgkit import OPEN_AT

    path = make(inner_zip([("records/vaccination.jsonl", _records())], package_id=PID))
    with open_package(path, trust=world.trust, identity=world.hub, now=OPEN_AT) as package:
        assert len(list(package.records("vaccination"))) == 3


# --- payload stream ------------------------------------------------------------------------------


def test_last_chunk_missing_its_flag(make: Callable[..., Path], refused: Refused) -> None:
    plain = inner_zip([("records/vaccination.jsonl", _records())], package_id=PID)
    exc = refused(make(plain, flags=lambda i, n: False), "E_DECRYPT")
    assert "最後のチャンクの印" in exc.message_ja


def test_last_chunk_of_several_missing_its_flag(
    make: Callable[..., Path], refused: Refused
) -> None:
    refused(make(os.urandom(CHUNK_SIZE + 100), flags=lambda i, n: False), "E_DECRYPT")


def test_last_chunk_followed_by_data(make: Callable[..., Path], refused: Refused) -> None:
    exc = refused(make(os.urandom(CHUNK_SIZE + 100), flags=lambda i, n: i == 0), "E_DECRYPT")
    assert "後にデータ" in exc.message_ja


def test_last_chunk_followed_by_garbage(make: Callable[..., Path], refused: Refused) -> None:
    plain = inner_zip([], package_id=PID)
    refused(make(plain, extra=b"\x00" * 40), "E_DECRYPT")


def test_empty_last_chunk_after_a_full_one(make: Callable[..., Path], refused: Refused) -> None:
    # a sealed empty chunk flagged last after a full chunk: the last chunk must hold 1…chunk_size
    exc = refused(
        make(os.urandom(CHUNK_SIZE), flags=lambda i, n: False, empty_tail=True), "E_DECRYPT"
    )
    assert "空" in exc.message_ja


def test_payload_sealed_for_another_recipient(make: Callable[..., Path], world: World,
                                              refused: Refused, tmp_path: Path) -> None:  # fmt: skip
    path = tmp_path / "packages" / "o.vxpkg"
    plain = inner_zip([], package_id=PID)
    forge(path, plain, sender=world.term, recipient=world.other, package_id=PID,
          edit=lambda h: h.update(recipient={"id": world.hub.party_id, "key_id": world.hub.key_id}))  # fmt: skip
    refused(path, "E_DECRYPT")


def test_plaintext_that_is_not_a_zip(make: Callable[..., Path], refused: Refused) -> None:
    refused(make(b"not a zip at all"), "E_UNSAFE_ARCHIVE")


def test_empty_plaintext(make: Callable[..., Path], refused: Refused) -> None:
    refused(make(b""), "E_UNSAFE_ARCHIVE")


# --- unsafe inner archives -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["/records/vaccination.jsonl", "../records/vaccination.jsonl", "records/../../x.jsonl",
     "records\\vaccination.jsonl", "C:/x.jsonl", "records//vaccination.jsonl"],
)  # fmt: skip
def test_unsafe_member_name(make: Callable[..., Path], refused: Refused, name: str) -> None:
    refused(make(inner_zip([(name, _records())], package_id=PID)), "E_UNSAFE_ARCHIVE")


def test_symlink_member(make: Callable[..., Path], refused: Refused) -> None:
    def as_link(info: zipfile.ZipInfo) -> None:
        if info.filename.endswith(".jsonl"):
            info.external_attr = (stat.S_IFLNK | 0o777) << 16

    plain = inner_zip(
        [("records/vaccination.jsonl", b"/etc/passwd")], package_id=PID, zinfo=as_link
    )
    refused(make(plain), "E_UNSAFE_ARCHIVE")


@pytest.mark.parametrize("second", ["records/vaccination.jsonl", "RECORDS/Vaccination.jsonl"])
def test_duplicate_member_names(make: Callable[..., Path], refused: Refused, second: str) -> None:
    files = [("records/vaccination.jsonl", _records()), (second, _records())]
    refused(make(inner_zip(files, package_id=PID)), "E_UNSAFE_ARCHIVE")


def test_10001_entries(make: Callable[..., Path], refused: Refused) -> None:
    files = [(f"records/x{i}.jsonl", b"") for i in range(10_000)]
    exc = refused(make(inner_zip(files, package_id=PID)), "E_UNSAFE_ARCHIVE")
    assert "10000" in exc.message_ja


def test_10001_entries_behind_an_end_record_that_claims_five(make: Callable[..., Path],
                                                             refused: Refused) -> None:  # fmt: skip
    plain = bytearray(
        inner_zip([(f"records/x{i}.jsonl", b"") for i in range(10_000)], package_id=PID)
    )
    end = plain.rfind(b"PK\x05\x06")
    plain[end + 8 : end + 12] = (5).to_bytes(2, "little") * 2
    refused(make(bytes(plain)), "E_UNSAFE_ARCHIVE")


def test_deflate_bomb_past_the_ratio(make: Callable[..., Path], refused: Refused) -> None:
    bomb = b"\n" * (16 * 1024 * 1024)  # 16 MiB of newlines deflate to ~16 KiB (ratio ~1000)
    exc = refused(make(inner_zip([("records/vaccination.jsonl", bomb)], package_id=PID)),
                  "E_UNSAFE_ARCHIVE")  # fmt: skip
    assert "200" in exc.message_ja


def _lying_sizes(archive: bytes, name: bytes, file_size: int) -> bytes:
    """Rewrite ``name``'s declared uncompressed size in the central directory."""
    data = bytearray(archive)
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:
        nlen = int.from_bytes(data[pos + 28 : pos + 30], "little")
        if bytes(data[pos + 46 : pos + 46 + nlen]) == name:
            data[pos + 24 : pos + 28] = file_size.to_bytes(4, "little")
        pos += 4
    return bytes(data)


def test_bomb_that_declares_a_small_size(make: Callable[..., Path], refused: Refused) -> None:
    bomb = b"\n" * (4 * 1024 * 1024)
    plain = inner_zip([("records/vaccination.jsonl", bomb)], package_id=PID,
                      edit=lambda m: m["files"][0].update(length=1000, records=1000))  # fmt: skip
    refused(make(_lying_sizes(plain, b"records/vaccination.jsonl", 1000)), "E_UNSAFE_ARCHIVE")


def test_encrypted_inner_member(make: Callable[..., Path], refused: Refused) -> None:
    plain = bytearray(inner_zip([("records/vaccination.jsonl", _records())], package_id=PID))
    pos = plain.rfind(b"PK\x01\x02")
    plain[pos + 8] |= 1
    refused(make(bytes(plain)), "E_UNSAFE_ARCHIVE")


def test_unsupported_compression_method(make: Callable[..., Path], refused: Refused) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("manifest.json", b"{}")
    refused(make(buf.getvalue()), "E_UNSAFE_ARCHIVE")


def test_unsafe_is_reported_before_a_manifest_error(
    make: Callable[..., Path], refused: Refused
) -> None:
    plain = inner_zip(
        [("../x.jsonl", b"")], package_id=PID, edit=lambda m: m.update(package_id=uid())
    )
    refused(make(plain), "E_UNSAFE_ARCHIVE")


# --- manifest --------------------------------------------------------------------------------------


def _entry(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda m: m["files"][0].update({key: value})


@pytest.mark.parametrize(
    "edit",
    [_entry("length", 1), _entry("sha256", "0" * 64), _entry("records", 4),
     _entry("schema", "vaccination.v2"), _entry("name", "records/person.jsonl")],
    ids=["length", "sha256", "records", "schema", "name"],
)  # fmt: skip
def test_manifest_entry_mismatch(make: Callable[..., Path], refused: Refused, edit: Any) -> None:
    plain = inner_zip([("records/vaccination.jsonl", _records())], package_id=PID, edit=edit)
    refused(make(plain), "E_MANIFEST")


def test_manifest_package_id_of_another_package(
    make: Callable[..., Path], refused: Refused
) -> None:
    plain = inner_zip([("records/vaccination.jsonl", _records())], package_id=uid())
    exc = refused(make(plain), "E_MANIFEST")
    assert "package_id" in exc.message_ja


def test_member_missing_from_the_archive(make: Callable[..., Path], refused: Refused) -> None:
    def add(m: dict[str, Any]) -> None:
        m["files"].append({**m["files"][0], "name": "records/person.jsonl", "schema": "person.v1"})

    plain = inner_zip([("records/vaccination.jsonl", _records())], package_id=PID, edit=add)
    refused(make(plain), "E_MANIFEST")


def test_member_missing_from_the_manifest(make: Callable[..., Path], refused: Refused) -> None:
    files = [("records/vaccination.jsonl", _records()), ("records/person.jsonl", line(person()))]
    plain = inner_zip(files, package_id=PID, edit=lambda m: m["files"].pop())
    refused(make(plain), "E_MANIFEST")


def test_manifest_lists_a_member_twice(make: Callable[..., Path], refused: Refused) -> None:
    plain = inner_zip([("records/vaccination.jsonl", _records())], package_id=PID,
                      edit=lambda m: m["files"].append(m["files"][0]))  # fmt: skip
    refused(make(plain), "E_MANIFEST")


def test_manifest_not_first(make: Callable[..., Path], refused: Refused) -> None:
    plain = inner_zip(
        [("records/vaccination.jsonl", _records())], package_id=PID, manifest_first=False
    )
    refused(make(plain), "E_MANIFEST")


def test_manifest_missing(make: Callable[..., Path], refused: Refused) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("records/vaccination.jsonl", _records())
    refused(make(buf.getvalue()), "E_MANIFEST")


def test_manifest_not_json(make: Callable[..., Path], refused: Refused) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("manifest.json", b"{not json")
    refused(make(buf.getvalue()), "E_MANIFEST")


def test_unknown_record_type(make: Callable[..., Path], refused: Refused) -> None:
    plain = inner_zip([("records/secrets.jsonl", _records())], package_id=PID)
    refused(make(plain), "E_MANIFEST")


def test_audit_in_a_server_package(make: Callable[..., Path], world: World, refused: Refused,
                                   tmp_path: Path) -> None:  # fmt: skip
    path = tmp_path / "packages" / "u.vxpkg"
    forge(path, inner_zip([("audit/audit.jsonl", b"")], package_id=PID), sender=world.hub,
          recipient=world.term, kind="updates", package_id=PID)  # fmt: skip
    refused(path, "E_MANIFEST", identity=world.term)


def test_manifest_error_comes_before_a_schema_error(
    make: Callable[..., Path], refused: Refused
) -> None:
    plain = inner_zip([("records/vaccination.jsonl", b"{}\n")], package_id=PID,
                      edit=_entry("records", 2))  # fmt: skip
    refused(make(plain), "E_MANIFEST")


# --- record lines ------------------------------------------------------------------------------------


def _bad_lines(lines: bytes) -> bytes:
    return _records(2) + lines + _records(1)


@pytest.mark.parametrize(
    ("payload", "line_no"),
    [
        (_bad_lines(line({**vaccination(), "data": {"series_id": "bcg"}})), 3),  # schema-invalid
        (_bad_lines(line({**vaccination(), "type": "person"})), 3),  # envelope type ≠ file
        (_bad_lines(line({**vaccination(), "uid": "not-a-uuid"})), 3),
        (_bad_lines(line({**vaccination(), "extra": 1})), 3),
        (_bad_lines(b"\xff\xfe" + SECRET_NAME.encode("utf-16-le") + b"\n"), 3),  # not UTF-8
        (_bad_lines(b"\n"), 3),  # empty line
        (_bad_lines(b"[1, 2]\n"), 3),
        (_bad_lines(b'{"a": NaN}\n'), 3),
        (_bad_lines(b'{"a":"' + os.urandom(600 * 1024).hex().encode() + b'"}\n'), 3),  # overlong (over 1 MiB)
        (_records(2) + line(vaccination())[:-1], 3),  # no final newline
        (_records(1) + os.urandom(1024 * 1024).hex().encode(), 2),  # overlong without any newline
    ],
    ids=["schema", "type", "uid", "extra-field", "non-utf8", "empty", "array", "nan", "overlong",
         "no-final-newline", "overlong-unterminated"],
)  # fmt: skip
def test_invalid_record_line(make: Callable[..., Path], refused: Refused, payload: bytes,
                             line_no: int) -> None:  # fmt: skip
    plain = inner_zip([("records/vaccination.jsonl", payload)], package_id=PID)
    exc = refused(make(plain), "E_RECORD_SCHEMA")
    assert f"records/vaccination.jsonl の {line_no} 行目" in exc.message_ja


def test_invalid_audit_line(make: Callable[..., Path], refused: Refused) -> None:
    plain = inner_zip([("audit/audit.jsonl", b'{"seq": 1}\n')], package_id=PID)
    refused(make(plain), "E_RECORD_SCHEMA")


def test_raw_deflate_crc_mismatch(make: Callable[..., Path], refused: Refused) -> None:
    plain = bytearray(inner_zip([("records/vaccination.jsonl", _records())], package_id=PID))
    pos = plain.rfind(b"PK\x01\x02")
    crc = int.from_bytes(plain[pos + 16 : pos + 20], "little") ^ 1
    plain[pos + 16 : pos + 20] = crc.to_bytes(4, "little")
    local = plain.find(b"PK\x03\x04", 1)
    plain[local + 14 : local + 18] = crc.to_bytes(4, "little")
    refused(make(bytes(plain)), "E_UNSAFE_ARCHIVE")
