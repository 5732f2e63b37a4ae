"""``CheckedLines`` (the export's stored lines, checked when their change was queued): written
byte for byte between records that are still checked, in order, and counted in the manifest;
the recipient checks every line regardless."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.sync import PackageError, build_package, open_package
from app.sync.writer import CheckedLines
from tests.sync.pkgkit import OPEN_AT, World, line, vaccination


def _build(tmp_path: Path, world: World, source: list[Any]) -> Path:
    path = tmp_path / "p.vxpkg"
    build_package(
        path,
        sender=world.term,
        recipient=world.hub.public,
        sequence=1,
        records={"vaccination": source},
        tmp_dir=tmp_path,
    )
    return path


def _checked(records: list[dict[str, Any]]) -> CheckedLines:
    return CheckedLines(b"".join(map(line, records)), len(records))


def test_checked_lines_go_in_as_they_are_between_checked_records(
    tmp_path: Path, world: World
) -> None:
    records = [vaccination(i) for i in range(3000)]
    source: list[Any] = [
        *records[:5],  # dicts, checked
        _checked(records[5:2000]),
        line(records[2000]),  # a line, checked
        _checked(records[2001:2002]),
        *records[2002:],
    ]
    path = _build(tmp_path, world, source)
    with open_package(path, trust=world.trust, identity=world.hub, now=OPEN_AT) as package:
        assert list(package.records("vaccination")) == records
        assert package.files["records/vaccination.jsonl"]["records"] == len(records)


def test_records_beside_checked_lines_are_still_checked(tmp_path: Path, world: World) -> None:
    records = [vaccination(i) for i in range(10)]
    records[7]["data"]["dose_no"] = 0
    with pytest.raises(PackageError) as caught:
        _build(tmp_path, world, [_checked(records[:5]), *records[5:]])
    assert caught.value.code == "E_RECORD_SCHEMA"
    assert "の 8 行目" in caught.value.message_ja
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("blob, count", [(b'{"a":1}', 1), (b"", 0), (b"\n", 0)])
def test_checked_lines_must_be_whole_lines(
    tmp_path: Path, world: World, blob: bytes, count: int
) -> None:
    with pytest.raises(PackageError) as caught:
        _build(tmp_path, world, [CheckedLines(blob, count)])
    assert caught.value.code == "E_RECORD_SCHEMA"
    assert list(tmp_path.iterdir()) == []


def test_the_recipient_refuses_a_bad_line_sent_as_checked(tmp_path: Path, world: World) -> None:
    """The sender's word is not the recipient's check: a malformed line passed as checked (a
    bug) is refused when the package is opened."""
    records = [vaccination(i) for i in range(3)]
    records[1]["data"]["dose_no"] = 0
    path = _build(tmp_path, world, [_checked(records)])
    with (
        pytest.raises(PackageError) as caught,
        open_package(path, trust=world.trust, identity=world.hub, now=OPEN_AT) as package,
    ):
        list(package.records("vaccination"))
    assert caught.value.code == "E_RECORD_SCHEMA"


def test_the_recipient_refuses_checked_lines_of_a_wrong_count(tmp_path: Path, world: World) -> None:
    records = [vaccination(i) for i in range(3)]
    path = _build(tmp_path, world, [CheckedLines(b"".join(map(line, records)), 2)])
    with (
        pytest.raises(PackageError) as caught,
        open_package(path, trust=world.trust, identity=world.hub, now=OPEN_AT) as package,
    ):
        list(package.records("vaccination"))
    assert caught.value.code == "E_MANIFEST"
