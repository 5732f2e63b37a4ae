"""The batch paths of building and opening: a bad record deep inside a large package is named by
its exact line whichever batch or block it falls in, the batch validator agrees with the
per-record one, and the parallel deflater's pieces form one raw deflate stream."""

from __future__ import annotations

import gc
import hashlib
import os
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import orjson
import pytest

from app.sync import PackageError, build_package, open_package, schemas
from app.sync.inner import BLOCK, member_blocks
from app.sync.lines import FIRST_BATCH, MAX_LINE, LineChecker, LineEncoder
from app.sync.zipwrite import Deflater
from tests.sync.pkgkit import OPEN_AT, World, forge, inner_zip, line, uid, vaccination

#: Enough records for several batches on the build side and several 1 MiB blocks on the open side.
MANY = 5000


def _build(tmp_path: Path, world: World, source: list[Any], **kw: Any) -> Path:
    path = tmp_path / "p.vxpkg"
    build_package(
        path,
        sender=world.term,
        recipient=world.hub.public,
        sequence=1,
        records={"vaccination": source},
        tmp_dir=tmp_path,
        **kw,
    )
    return path


@pytest.mark.parametrize("as_lines", [False, True])
@pytest.mark.parametrize("bad_at", [1, FIRST_BATCH, FIRST_BATCH + 1, MANY - 1])
def test_build_names_the_exact_line_of_a_bad_record_in_any_batch(
    tmp_path: Path, world: World, bad_at: int, as_lines: bool
) -> None:
    records = [vaccination(i) for i in range(MANY)]
    records[bad_at - 1]["data"]["dose_no"] = 0
    source: list[Any] = [line(r) for r in records] if as_lines else records
    with pytest.raises(PackageError) as info:
        _build(tmp_path, world, source)
    assert info.value.code == "E_RECORD_SCHEMA"
    assert f"の {bad_at} 行目: data.data.dose_no: minimum）" in info.value.message_ja
    assert list(tmp_path.iterdir()) == []


def test_build_refuses_a_line_that_is_not_json_or_holds_a_newline(
    tmp_path: Path, world: World
) -> None:
    lines = [line(vaccination(i)) for i in range(MANY)]
    lines[999] = b"{not json}\n"
    with pytest.raises(PackageError, match="1000 行目が JSON ではありません"):
        _build(tmp_path, world, lines)
    lines[999] = line(vaccination(0))[:-1] + b"\n" + line(vaccination(1))
    with pytest.raises(PackageError, match="1000 行目が長すぎるか改行を含みます"):
        _build(tmp_path, world, lines, validate_records=False)
    assert list(tmp_path.iterdir()) == []


def test_build_refuses_a_record_orjson_cannot_write(tmp_path: Path, world: World) -> None:
    records: list[Any] = [vaccination(i) for i in range(MANY)]
    records[2999]["data"]["doctor"] = "\ud800"  # a lone surrogate is no JSON string
    with pytest.raises(PackageError) as info:
        _build(tmp_path, world, records)
    assert info.value.code == "E_RECORD_SCHEMA"
    assert "の 3000 行目" in info.value.message_ja


def test_mixed_dicts_and_lines_round_trip_in_order(tmp_path: Path, world: World) -> None:
    records = [vaccination(i) for i in range(MANY)]
    source: list[Any] = [line(r) if i % 3 else r for i, r in enumerate(records)]
    path = _build(tmp_path, world, source)
    with open_package(path, trust=world.trust, identity=world.hub, now=OPEN_AT) as package:
        assert list(package.records("vaccination")) == records
        assert package.files["records/vaccination.jsonl"]["records"] == MANY


@pytest.mark.parametrize("bad_at", [1, 2600, 6000])
def test_open_names_the_exact_line_of_a_bad_record_in_any_block(
    tmp_path: Path, world: World, bad_at: int
) -> None:
    records = [vaccination(i) for i in range(6000)]
    records[bad_at - 1]["uid"] = "not-a-uuid"
    data = b"".join(line(r) for r in records)
    assert len(data) > 2 * (1 << 20)  # the bad line may sit in the second or third block
    pid = uid()
    path = tmp_path / "f.vxpkg"
    forge(
        path,
        inner_zip([("records/vaccination.jsonl", data)], package_id=pid),
        sender=world.term,
        recipient=world.hub,
        package_id=pid,
    )
    with pytest.raises(PackageError) as info:
        open_package(path, trust=world.trust, identity=world.hub, now=OPEN_AT, tmp_dir=tmp_path)
    assert info.value.code == "E_RECORD_SCHEMA"
    assert f"の {bad_at} 行目: data.uid: pattern）" in info.value.message_ja


def test_open_names_an_overlong_line_after_valid_blocks(tmp_path: Path, world: World) -> None:
    good = b"".join(line(vaccination(i)) for i in range(3000))
    data = good + b'{"x":"' + b"a" * (MAX_LINE + 10) + b'"}\n'
    pid = uid()
    path = tmp_path / "f.vxpkg"
    forge(
        path,
        inner_zip([("records/vaccination.jsonl", data)], package_id=pid),
        sender=world.term,
        recipient=world.hub,
        package_id=pid,
    )
    with pytest.raises(PackageError, match="3001 行目が長すぎる"):
        open_package(path, trust=world.trust, identity=world.hub, now=OPEN_AT, tmp_dir=tmp_path)


def test_batch_checker_agrees_with_fastjsonschema_record_by_record() -> None:
    check = schemas.record_checker("vaccination")
    compiled = schemas.record_validator("vaccination")
    records: list[dict[str, Any]] = [vaccination(i) for i in range(20)]
    records[3]["data"]["dose_no"] = 1.5
    records[7]["data"]["vaccinated_on"] = "2026-05-10\n"
    records[9]["version"] = 7
    records[12]["data"]["extra"] = True
    records[15]["voided"] = {"at": "2026-12-01T05:00:00Z", "reason": ""}
    bad = {3, 7, 9, 12, 15}
    for i, record in enumerate(records):
        assert (check.problem(record) is None) == (i not in bad)
        rejected = False
        try:
            compiled(record)
        except Exception:
            rejected = True
        assert rejected == (i in bad)
    assert check.first_invalid(records) == (3, "data.data.dose_no: type")
    assert check.first_invalid([r for i, r in enumerate(records) if i not in bad]) is None


def test_batch_encoder_output_is_the_per_record_output() -> None:
    records = [vaccination(i) for i in range(300)]
    encoder = LineEncoder("records/vaccination.jsonl", schemas.record_checker("vaccination"))
    expected = b"".join(orjson.dumps(r) + b"\n" for r in records)
    assert encoder.encode(list(records), 1) == expected
    assert encoder.encode([orjson.dumps(r) for r in records], 1) == expected
    mixed: list[Any] = [r if i % 2 else orjson.dumps(r) + b"\n" for i, r in enumerate(records)]
    assert encoder.encode(mixed, 1) == expected


@pytest.mark.parametrize("sizes", [[], [0], [10], [1 << 20] * 7, [5, 1 << 20, 70_000, 1, 3 << 20]])
def test_parallel_deflater_writes_one_raw_deflate_stream(tmp_path: Path, sizes: list[int]) -> None:
    blocks = [os.urandom(n // 4) * 4 + b"x" * (n % 4) for n in sizes]
    deflater = Deflater(tmp_path / "member")
    for block in blocks:
        deflater.write(block)
    deflater.finish()
    plain = b"".join(blocks)
    packed = (tmp_path / "member").read_bytes()
    assert zlib.decompress(packed, -15) == plain
    assert deflater.compressed == len(packed)
    assert (deflater.size, deflater.crc) == (len(plain), zlib.crc32(plain))
    assert deflater.sha256.digest() == hashlib.sha256(plain).digest()
    assert (tmp_path / "member").stat().st_mode & 0o777 == 0o600


def test_parallel_deflater_abort_stops_its_threads(tmp_path: Path) -> None:
    deflater = Deflater(tmp_path / "member")
    deflater.write(os.urandom(1 << 20))
    deflater.abort()
    with pytest.raises(RuntimeError):
        deflater.write(b"more")


def _deflated_zip(path: Path, plain: bytes, stream: bytes) -> None:
    """A one-member ZIP whose member is method 8 with ``stream`` as its data, declaring the size
    and CRC-32 of ``plain`` (zipfile writes it stored; the headers are then patched)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("records/vaccination.jsonl", stream)
    data = bytearray(path.read_bytes())
    fields = struct.pack("<III", zlib.crc32(plain), len(stream), len(plain))
    data[8:10] = struct.pack("<H", 8)
    data[14:26] = fields
    central = data.rindex(b"PK\x01\x02")
    data[central + 10 : central + 12] = struct.pack("<H", 8)
    data[central + 16 : central + 28] = fields
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s + b"junk",  # data after the end of the deflate stream
        lambda s: s[: len(s) // 2],  # the stream ends before its last block
        lambda s: s[:-2],  # no final block
    ],
)
def test_inflater_refuses_a_stream_that_does_not_end_at_the_member_end(
    tmp_path: Path, tamper: Any
) -> None:
    plain = b"".join(line(vaccination(i)) for i in range(3000))
    comp = zlib.compressobj(1, zlib.DEFLATED, -15)
    _deflated_zip(tmp_path / "a.zip", plain, tamper(comp.compress(plain) + comp.flush()))
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        info = zf.infolist()[0]
        with pytest.raises(PackageError) as exc:
            b"".join(member_blocks(zf, info))
    assert exc.value.code == "E_UNSAFE_ARCHIVE"


def test_inflater_reads_what_zipfile_reads(tmp_path: Path) -> None:
    plain = b"".join(line(vaccination(i)) for i in range(3000))
    comp = zlib.compressobj(1, zlib.DEFLATED, -15)
    _deflated_zip(tmp_path / "a.zip", plain, comp.compress(plain) + comp.flush())
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        info = zf.infolist()[0]
        blocks = list(member_blocks(zf, info))
        assert b"".join(blocks) == plain == zf.read(info)
    assert all(0 < len(b) <= BLOCK for b in blocks)


def test_checking_a_batch_leaves_the_garbage_collector_as_it_was() -> None:
    checker = LineChecker(schemas.record_checker("vaccination"))
    good = [line(vaccination(i))[:-1] for i in range(50)]
    assert gc.isenabled()
    assert checker.first_bad(good) is None
    assert checker.first_bad([*good, b"{oops"])[0] == 50  # type: ignore[index]
    assert gc.isenabled()
    gc.disable()
    try:
        assert checker.first_bad(good) is None
        assert not gc.isenabled()
    finally:
        gc.enable()
