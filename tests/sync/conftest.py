"""Fixtures for the sync package tests: a world of parties, a checker for refusals, and the tamper
matrix's signed package in a folder of its own (``pkdir``, ``pkg``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.sync import ChannelState, KeyPair, PackageError, Trust, build_package, open_package
from tests.sync.pkgkit import (
    CREATED,
    OPEN_AT,
    SECRET_NAME,
    World,
    make_world,
    person,
    vaccination,
)

Refused = Callable[..., PackageError]


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def pkdir(tmp_path: Path) -> Path:
    d = tmp_path / "packages"
    d.mkdir()
    return d


@pytest.fixture
def pkg(pkdir: Path, world: World) -> Path:
    path = pkdir / "p.vxpkg"
    build_package(
        path,
        sender=world.term,
        recipient=world.hub.public,
        sequence=1,
        created_at=CREATED,
        records={
            "person": [person(i) for i in range(3)],
            "vaccination": [vaccination(i) for i in range(20)],
        },
    )
    return path


@pytest.fixture
def refused(tmp_path: Path, world: World) -> Refused:
    """``refused(path, code, **open_kwargs)``: opening ``path`` and extracting it fails with exactly
    ``code``; the output folder does not exist; the private work folder and the package's folder
    hold no temporary file; the message holds no record content."""

    def check(
        path: Path,
        code: str,
        *,
        trust: Trust | None = None,
        identity: KeyPair | None = None,
        channel: ChannelState | None = None,
        now: Any = OPEN_AT,
    ) -> PackageError:
        work = tmp_path / "work"
        work.mkdir(exist_ok=True)
        out = tmp_path / "opened"
        before = sorted(path.parent.iterdir())
        with (
            pytest.raises(PackageError) as info,
            open_package(
                path,
                trust=trust or world.trust,
                identity=identity or world.hub,
                channel=channel,
                now=now,
                tmp_dir=work,
            ) as package,
        ):
            package.extract_to(out)
        exc = info.value
        assert exc.code == code, f"{exc.code} ({exc.step}: {exc.message_ja}) != {code}"
        assert not out.exists()
        assert list(work.iterdir()) == []
        assert sorted(path.parent.iterdir()) == before
        assert SECRET_NAME not in str(exc)
        assert str(exc).startswith(f"{code}: ")
        return exc

    return check
