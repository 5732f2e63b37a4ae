"""Fixtures shared by integration test modules; a module's own fixture of the same name is used
instead (several modules here define their own ``env`` and ``number``).

``env``/``number``: a sync register with one vaccination recorded and queued, and its user
"number" signed in (test_sync_stored_lines_current.py and test_sync_stored_lines_checked.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.security.session import Session
from tests.support.sync_env import SyncEnv, make_sync_register, signed_in


@pytest.fixture
def env(tmp_path: Path) -> SyncEnv:
    return make_sync_register(tmp_path / "reg")  # one vaccination recorded and queued


@pytest.fixture
def number(env: SyncEnv) -> Iterator[Session]:
    yield from signed_in(env)
