"""GUI test setup: the real application setup (bundled font, Japanese translation, style) on the
pytest-qt QApplication, and a fresh sample demo register per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.security.session import Session
from app.services.register import login
from app.ui.shell.application import create_application
from tests.gui.sample_register import CLERK, make_sample_register


@pytest.fixture(scope="session")
def vaxdesk_app(qapp: QApplication) -> QApplication:
    return create_application()


@pytest.fixture
def register_dir(tmp_path: Path) -> Path:
    return make_sample_register(tmp_path / "register")


@pytest.fixture
def clerk_session(register_dir: Path) -> Iterator[Session]:
    session = login(register_dir, CLERK.login, CLERK.password)
    yield session
    session.register.close()  # closing twice is harmless
