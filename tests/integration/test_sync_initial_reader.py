"""The read-ahead of an ``initial`` load (app/services/_initial_reader.py): the lines arrive in
package order and chunk size, prepared on the worker for the types that have a ``prepare``; a
line longer than MAX_LINE flags its chunk; a read error reaches the caller after the chunks
before it; closing early stops the worker; a cancelled import leaves no reader behind and the
register unchanged."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from app.services import _initial_reader, _sync_initial
from app.services._initial_reader import ChunkReader
from app.services._sync_apply import ImportCancelled
from app.services.sync_import import import_package
from app.sync.lines import MAX_LINE
from app.sync.opened import OpenedPackage
from tests.support.registers import login_as
from tests.support.sync_env import dump_tables, make_sync_register, person_env


class _Lines:
    """Stands in for an opened package: ``record_lines`` of a few record types."""

    def __init__(self, lines: dict[str, list[bytes]], fail_after: int | None = None) -> None:
        self.lines, self.fail_after, self.given = lines, fail_after, 0

    def record_lines(self, record_type: str) -> Iterator[bytes]:
        for line in self.lines.get(record_type, []):
            if self.fail_after is not None and self.given >= self.fail_after:
                raise OSError("read failed")
            self.given += 1
            yield line


def _reader(source: object, size: int, **prepare: Any) -> ChunkReader:
    return ChunkReader(cast(OpenedPackage, source), ("person", "vaccination"), size, prepare)


def _readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "vaxdesk-initial-read"]


def test_chunks_in_package_order_prepared_on_the_worker() -> None:
    people = [b'{"p": %d}' % i for i in range(7)]
    shots = [b'{"v": %d}' % i for i in range(5)]
    threads: set[str] = set()

    def prepare(lines: list[bytes]) -> int:
        threads.add(threading.current_thread().name)
        return len(lines)

    reader = _reader(_Lines({"person": people, "vaccination": shots}), 3, vaccination=prepare)
    try:
        got = [(c.package_type, c.lines, c.prepared, c.oversize) for c in reader]
    finally:
        reader.close()
    assert got == [
        ("person", people[0:3], None, False),
        ("person", people[3:6], None, False),
        ("person", people[6:7], None, False),
        ("vaccination", shots[0:3], 3, False),
        ("vaccination", shots[3:5], 2, False),
    ]
    assert threads == {"vaxdesk-initial-read"}
    assert _readers() == []


def test_a_line_over_the_limit_flags_its_chunk_unprepared() -> None:
    shots = [b"{}", b"x" * (MAX_LINE + 1), b"{}", b"{}"]
    reader = _reader(_Lines({"vaccination": shots}), 2, vaccination=len)
    try:
        got = [
            (c.lines == shots[i * 2 : i * 2 + 2], c.prepared, c.oversize)
            for i, c in enumerate(reader)
        ]
    finally:
        reader.close()
    assert got == [(True, None, True), (True, 2, False)]


def test_a_read_error_reaches_the_caller_after_the_chunks_before_it() -> None:
    people = [b"{}"] * 10
    reader = _reader(_Lines({"person": people}, fail_after=5), 2)
    seen: list[int] = []
    try:
        with pytest.raises(OSError, match="read failed"):
            for chunk in reader:
                seen.append(len(chunk.lines))
    finally:
        reader.close()
    assert seen == [2, 2]  # the fifth line was read, its chunk never completed
    assert _readers() == []


def test_closing_early_stops_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_initial_reader, "DEPTH", 1)

    class _Endless:
        def record_lines(self, record_type: str) -> Iterator[bytes]:
            while True:
                yield b"{}"

    reader = _reader(_Endless(), 10)
    first = next(iter(reader))
    assert len(first.lines) == 10
    reader.close()
    assert _readers() == []


def test_a_cancelled_initial_import_changes_nothing_and_stops_the_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sync_initial, "LOAD_CHUNK", 500)
    empty = make_sync_register(
        tmp_path / "new", with_change=False, with_people=False, with_masters=False
    )
    people = [person_env(f"{600000 + i:010d}", "ヤマダ ハナコ") for i in range(6000)]
    pkg = tmp_path / "initial.vxpkg"
    empty.build_update(pkg, {"person": people}, kind="initial")
    number = login_as(empty.directory, "number")
    try:
        before = dump_tables(number.register.conn)
        with pytest.raises(ImportCancelled):
            import_package(number, pkg, cancel=lambda: True)
        assert dump_tables(number.register.conn) == before
        assert _readers() == []
        result = import_package(number, pkg)  # and the same package then loads
        assert result.applied == len(people)
    finally:
        number.register.close()


def test_a_first_chunk_per_type_and_a_byte_cap() -> None:
    """``first``: the first chunk of each type is that short; ``max_bytes``: a chunk also ends
    once its lines reach that many bytes (the fast path of an ``updates`` package uses both)."""
    people = [b'{"p": %d}' % i for i in range(8)]  # 8 bytes each
    shots = [b'{"v": %d}' % i for i in range(4)]
    source = cast(OpenedPackage, _Lines({"person": people, "vaccination": shots}))
    reader = ChunkReader(source, ("person", "vaccination"), 3, {}, name="t-read", first=2)
    try:
        got = [(c.package_type, c.lines) for c in reader]
    finally:
        reader.close()
    assert got == [
        ("person", people[0:2]),
        ("person", people[2:5]),
        ("person", people[5:8]),
        ("vaccination", shots[0:2]),
        ("vaccination", shots[2:4]),
    ]
    reader = ChunkReader(source, ("vaccination",), 3, {}, max_bytes=16, name="t-read")
    try:
        assert [c.lines for c in reader] == [shots[0:2], shots[2:4]]
    finally:
        reader.close()
    assert not [t for t in threading.enumerate() if t.name == "t-read"]
