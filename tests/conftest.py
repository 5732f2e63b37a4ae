"""Shared pytest setup.

Qt runs offscreen; the OS keyring is replaced by an in-memory backend; Argon2 runs with a low
cost so that each test can create a fresh encrypted register quickly (production registers use
the default cost, and every register records the parameters it was created with).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import keyring
import pytest

from app.security import kdf
from tests.support.keyrings import MemoryKeyring

FAST_ARGON2 = kdf.Argon2Params(time_cost=1, memory_kib=8 * 1024, parallelism=1)


@pytest.fixture(autouse=True)
def _isolated_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _fast_kdf() -> Iterator[None]:
    previous = kdf.default_params()
    kdf.set_default_params(FAST_ARGON2)
    yield
    kdf.set_default_params(previous)


@pytest.fixture
def memory_keyring(_isolated_keyring: MemoryKeyring) -> MemoryKeyring:
    return _isolated_keyring


@pytest.fixture(autouse=True)
def _no_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point per-user folders (platformdirs) at a temporary home."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(Path(home) / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(Path(home) / ".config"))
