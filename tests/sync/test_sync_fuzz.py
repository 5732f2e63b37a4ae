"""Fuzz the package reader: whatever the bytes, it raises only ``PackageError`` (or opens).

A few thousand cases run in the normal suite; ``make fuzz`` runs the same tests with
``VAXDESK_FUZZ_EXAMPLES`` (default there 50,000 per test). Random outer bytes mostly stop at the
layout or signature; to reach the decryption, unpacking and record checks, the inner archive and
the record lines are mutated and then sealed into correctly signed packages.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sync import PackageError, build_package, open_package, read_header
from tests.sync.pkgkit import (
    CREATED,
    OPEN_AT,
    forge,
    inner_zip,
    line,
    make_world,
    person,
    vaccination,
)

WORLD = make_world()
PID = "01a23221-4646-71ac-b2a2-330a2c901ca2"
_N = int(os.environ.get("VAXDESK_FUZZ_EXAMPLES", "0"))


def _examples(default: int) -> settings:
    return settings(max_examples=_N or default, deadline=None, derandomize=not _N,
                    suppress_health_check=list(HealthCheck))  # fmt: skip


def _base_package() -> bytes:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.vxpkg"
        build_package(path, sender=WORLD.term, recipient=WORLD.hub.public, sequence=1,
                      created_at=CREATED, records={"person": [person(1)],
                                                   "vaccination": [vaccination(i) for i in range(3)]})  # fmt: skip
        return path.read_bytes()


BASE = _base_package()
INNER = inner_zip([("records/person.jsonl", line(person(1))),
                   ("records/vaccination.jsonl", b"".join(line(vaccination(i)) for i in range(3)))],
                  package_id=PID)  # fmt: skip


def _open_or_refuse(path: Path, work: Path) -> str:
    """Open and read everything; return "ok" or the refusal code. Any other exception fails."""
    try:
        with open_package(
            path, trust=WORLD.trust, identity=WORLD.hub, now=OPEN_AT, tmp_dir=work
        ) as p:
            for rtype in p.record_types:
                for _ in p.records(rtype):
                    pass
        outcome = "ok"
    except PackageError as exc:
        assert exc.code.startswith("E_")
        outcome = exc.code
    assert list(work.iterdir()) == []
    return outcome


def _mutate(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    """Apply (kind, position, value) edits: 0 = replace a byte, 1 = insert, 2 = delete, 3 = cut."""
    buf = bytearray(data)
    for kind, pos, value in edits:
        if not buf:
            break
        i = pos % len(buf)
        if kind == 0:
            buf[i] = value
        elif kind == 1:
            buf.insert(i, value)
        elif kind == 2:
            del buf[i]
        else:
            del buf[i:]
    return bytes(buf)


_edits = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2**31), st.integers(0, 255)),
                  min_size=1, max_size=6)  # fmt: skip


@_examples(600)
@given(data=st.binary(max_size=2048))
def test_random_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    d = tmp_path_factory.mktemp("fz")
    path = d / "r.vxpkg"
    path.write_bytes(data)
    with contextlib.suppress(PackageError):
        read_header(path)
    work = d / "work"
    work.mkdir()
    assert _open_or_refuse(path, work) != "ok"


@_examples(800)
@given(edits=_edits)
def test_mutated_package(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[int, int, int]]
) -> None:
    d = tmp_path_factory.mktemp("fz")
    path = d / "m.vxpkg"
    path.write_bytes(_mutate(BASE, edits))
    work = d / "work"
    work.mkdir()
    _open_or_refuse(path, work)


@_examples(800)
@given(edits=_edits)
def test_mutated_inner_archive_sealed_validly(
    tmp_path_factory, edits: list[tuple[int, int, int]]
) -> None:
    d = tmp_path_factory.mktemp("fz")
    path = d / "i.vxpkg"
    forge(path, _mutate(INNER, edits), sender=WORLD.term, recipient=WORLD.hub, package_id=PID)
    work = d / "work"
    work.mkdir()
    _open_or_refuse(path, work)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4)
    ),
    max_leaves=12,
)


@_examples(500)
@given(lines=st.lists(st.binary(max_size=64) | _json_values.map(lambda v: repr(v).encode()),
                      max_size=5))  # fmt: skip
def test_random_record_lines(tmp_path_factory: pytest.TempPathFactory, lines: list[bytes]) -> None:
    d = tmp_path_factory.mktemp("fz")
    path = d / "l.vxpkg"
    body = b"".join(x.replace(b"\n", b" ") + b"\n" for x in lines)
    forge(path, inner_zip([("records/vaccination.jsonl", body)], package_id=PID),
          sender=WORLD.term, recipient=WORLD.hub, package_id=PID)  # fmt: skip
    work = d / "work"
    work.mkdir()
    assert _open_or_refuse(path, work) in ("ok", "E_RECORD_SCHEMA")


_LONG = b"".join(b'{"n":"' + os.urandom(500).hex().encode() + b'"}\n' for _ in range(8000))
LARGE = inner_zip([("records/vaccination.jsonl", _LONG)], package_id=PID)  # 8 MiB inflated


@_examples(30)
@given(edits=_edits)
def test_memory_stays_bounded_on_large_hostile_members(
    tmp_path_factory, edits: list[tuple[int, int, int]]
) -> None:
    d = tmp_path_factory.mktemp("fz")
    path = d / "b.vxpkg"
    forge(path, _mutate(LARGE, edits), sender=WORLD.term, recipient=WORLD.hub, package_id=PID)
    work = d / "work"
    work.mkdir()
    tracemalloc.start()
    try:
        _open_or_refuse(path, work)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 24 * 1024 * 1024  # 1 MiB blocks, lines ≤ 1 MiB: never the whole 8 MiB member
