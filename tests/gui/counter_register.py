"""The GUI sample register made ready for the counter workflows (a nurse user, the municipality
that printing needs, area codes on the households) and helpers for the counter tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.security.session import Session
from app.services import office, users_admin
from app.services.register import NewUser, login
from app.services.security_key import key_access_for
from app.store import db, register_meta
from app.store.layout import RegisterLayout
from app.ui.shell.main_window import MainWindow
from tests.gui.sample_register import ADMIN, CLERK, make_sample_register
from tests.support.builder import RegisterBuilder

NURSE = NewUser("nurse", "保健 看子", "90003", "demo-nurse", ("nurse",))
MUNICIPALITY = {"municipality_name": "テスト市", "municipality_code": "990019"}
AREAS = {"H0001": "01", "H0002": "02"}


def make_counter_register(directory: Path) -> Path:
    make_sample_register(directory)
    admin = login(directory, ADMIN.login, ADMIN.password)
    try:
        users_admin.create_user(admin, NURSE, key_access_for(RegisterLayout(directory), True, None))
        conn = admin.register.conn
        with db.transaction(conn):
            for key, value in MUNICIPALITY.items():
                register_meta.set_meta(conn, key, value)
            build = RegisterBuilder(conn, staff_no=ADMIN.staff_no)
            for household, area in AREAS.items():
                build.set_area(area, household)
        office.set_office(admin, "テスト市 保健センター", "テスト市本町1-1", "03-1234-5678")
    finally:
        admin.register.close()
    return directory


WAIT_MS = 10_000


def open_window(qtbot: QtBot, session: Session) -> MainWindow:
    """A shown, active main window for ``session`` whose catalog has loaded."""
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.catalog is not None, timeout=WAIT_MS)
    return window


def settle(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until no job is queued or running."""
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=WAIT_MS)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def pdf_printer(path: Path) -> QPrinter:
    """The test seam for the final print step: a PDF 'printer'."""
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


@pytest.fixture
def counter_dir(tmp_path: Path) -> Path:
    return make_counter_register(tmp_path / "register")


@pytest.fixture
def nurse_session(counter_dir: Path) -> Iterator[Session]:
    session = login(counter_dir, NURSE.login, NURSE.password)
    yield session
    session.register.close()


@pytest.fixture
def counter_clerk_session(counter_dir: Path) -> Iterator[Session]:
    session = login(counter_dir, CLERK.login, CLERK.password)
    yield session
    session.register.close()
