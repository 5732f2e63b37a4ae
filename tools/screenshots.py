"""Render the counter screens at 1280×800 to docs/screenshots/*.png (issue 12), so the pictures
in the documentation stay current: the person view for each role, result entry, 未接種者一覧, the
audit-log viewer, the lock screen, the administrator's settings pages and the 同期 page after one
exchange with the demo server, on a freshly generated demo register (synthetic people).

    .venv/bin/python -m tools.screenshots            # offscreen, no display needed
    .venv/bin/python -m tools.screenshots --out DIR --persons 400

It uses Qt's offscreen platform unless ``QT_QPA_PLATFORM`` is already set (e.g. ``xcb`` under
Xvfb); Japanese renders with the bundled IPAex font from resources/fonts that the application
loads. Windows are grabbed without a frame; a dialog is drawn over its window, centred, under a plain\ntitle bar with its window title.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from app.paths import resource_path
from app.security.session import Session
from app.services import person_card, persons, sync_export, sync_import
from app.services._sync_identity import demo_server_id, identity_keys
from app.services.demo import MUNICIPALITY_CODE, create_demo_register, demo_password
from app.services.register import login
from app.sync import build_package, load_keypair
from app.ui.shell.access_menu import access_actions_of, install_access_actions
from app.ui.shell.application import create_application
from app.ui.shell.main_window import MainWindow

SIZE = (1280, 800)
ROLES = ("clerk", "nurse", "number", "auditor", "admin")
WAIT_S = 60.0
NEVER_IDLE_MS = 3_600_000
TITLE_BAR_PX = 28


def wait_until(condition: Callable[[], bool], timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not settle")
        QApplication.processEvents()
        time.sleep(0.01)


def settle(window: MainWindow, extra_ms: int = 150) -> None:
    wait_until(lambda: not window.jobs.busy)
    end = time.monotonic() + extra_ms / 1000
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def grab(window: QWidget, *dialogs: QWidget) -> QPixmap:
    """The window as shown; each of ``dialogs`` drawn over it, centred, with a plain title bar
    showing its window title (the offscreen platform draws no window frames), the window dimmed
    behind it as a modal dialog would leave it."""
    picture = window.grab()
    painter = QPainter(picture)
    for dialog in dialogs:
        painter.fillRect(picture.rect(), QColor(0, 0, 0, 90))
        shot = dialog.grab()
        bar = TITLE_BAR_PX
        x = (picture.width() - shot.width()) // 2
        y = max((picture.height() - shot.height() - bar) // 2, 0)
        frame = QRect(x - 1, y - 1, shot.width() + 2, shot.height() + bar + 2)
        painter.fillRect(frame, QColor("#455a64"))
        painter.setPen(QColor("white"))
        painter.setFont(dialog.font())
        painter.drawText(
            QRect(x + 8, y, shot.width() - 16, bar),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            dialog.windowTitle(),
        )
        painter.drawPixmap(QPoint(x, y + bar), shot)
    painter.end()
    return picture


def save(picture: QPixmap, out: Path, name: str) -> Path:
    path = out / f"{name}.png"
    if not picture.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    print(path)
    return path


def open_window(register: Path, user: str) -> MainWindow:
    session = login(register, user, demo_password(user))
    window = MainWindow(session)
    install_access_actions(window, idle_timeout_ms=NEVER_IDLE_MS)
    window.resize(*SIZE)
    window.show()
    wait_until(lambda: window.catalog is not None)
    settle(window)
    return window


def close(window: MainWindow) -> None:
    window.close()
    window.deleteLater()
    QApplication.processEvents()


def busiest_child(register: Path) -> str:
    """The 宛名番号 of a child with a long history and something due (the nurse's view)."""
    session: Session = login(register, "nurse", demo_password("nurse"))
    try:
        best, best_rows = "", -1
        for kana in ("ア", "イ", "カ", "サ", "タ", "ナ", "ハ", "マ", "ヤ"):
            for person in persons.search(session, kana).people[:40]:
                if person.birth_date.year < 2019:
                    continue
                card = person_card.open_card(session, person.person_id)
                rows = len(card.detail.history) + len(card.detail.summary.address) // 4
                if rows > best_rows:
                    best, best_rows = person.atena_no, rows
        if not best:
            raise LookupError("no child in the demo register")
        return best
    finally:
        session.register.close()


def person_shown(window: MainWindow) -> Callable[[], bool]:
    return lambda: window.pages.currentWidget() is window.person_page


def person_views(register: Path, out: Path, atena: str) -> None:
    for role in ROLES:
        window = open_window(register, role)
        if window.session.can("person.search"):
            window.search(atena)
            wait_until(person_shown(window))
            settle(window)
            save(grab(window), out, f"person_view_{role}")
        else:  # the administrator has no person view: its landing page
            save(grab(window), out, f"landing_{role}")
        close(window)


def result_entry(register: Path, out: Path, atena: str) -> None:
    window = open_window(register, "nurse")
    window.search(atena)
    wait_until(person_shown(window))
    settle(window)
    opened: list[QWidget] = []
    window.counter.dialog_opened.connect(opened.append)
    window.person_page.counter_actions["record_result"].trigger()
    wait_until(lambda: bool(opened))
    dialog = opened[0]
    wait_until(dialog.isVisible)
    settle(window)
    save(grab(window, dialog), out, "result_entry")
    dialog.close()
    close(window)


def unvaccinated_list(register: Path, out: Path) -> None:
    window = open_window(register, "nurse")
    window.show_unvaccinated()
    page = window.unvaccinated_page
    assert page is not None
    index = page.series_combo.findData("mr1")
    page.series_combo.setCurrentIndex(max(index, 0))
    page.fill()
    wait_until(lambda: page.listing is not None)
    settle(window)
    save(grab(window), out, "unvaccinated_list")
    close(window)


def audit_viewer(register: Path, out: Path) -> None:
    window = open_window(register, "auditor")
    actions = access_actions_of(window)
    actions.show_audit_page()
    settle(window, 400)
    save(grab(window), out, "audit_viewer")
    close(window)


def lock_screen(register: Path, out: Path) -> None:
    window = open_window(register, "clerk")
    actions = access_actions_of(window)
    actions.lock_action.trigger()
    wait_until(lambda: actions.lock.unlock_dialog is not None)
    dialog = actions.lock.unlock_dialog
    assert dialog is not None
    settle(window)
    save(grab(window, dialog), out, "lock_screen")
    dialog.reject()
    actions.lock.stop()
    close(window)


SETTINGS_SHOTS = (
    ("officeAction", "admin_office"),
    ("areaAction", "admin_areas"),
    ("catalogAction", "admin_catalog"),
    ("passkeyAction", "admin_passkeys"),
)


def catalog_correction(folder: Path) -> Path:
    """A correction file for the catalog page's difference view: the bundled catalog with a new
    改訂日 and one series renamed."""
    data = json.loads(resource_path("catalog", "catalog.json").read_text("utf-8"))
    data["revision"] = "2027-04-01"
    data["series"][0]["name_ja"] += "（名称訂正）"
    path = folder / "catalog-correction.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def show_catalog_preview(window: MainWindow, page: Any, correction: Path) -> None:
    page.ask_file = lambda: correction
    page.choose_file()
    wait_until(lambda: page.preview is not None)
    settle(window)


def admin_settings(register: Path, out: Path, folder: Path) -> None:
    """The administrator's settings pages (窓口, 地区名, カタログ with a previewed file, パスキー)."""
    window = open_window(register, "admin")
    pages = access_actions_of(window).settings_pages
    assert pages is not None
    for action, name in SETTINGS_SHOTS:
        page = pages.show_named(action)
        settle(window)
        if action == "catalogAction":
            show_catalog_preview(window, page, catalog_correction(folder))
        save(grab(window), out, name)
    close(window)


APPROVER = "90001"  # the approving staff member's number in the media ledger (fictional)


def demo_exchange(register: Path, folder: Path) -> None:
    """One exchange with the demo server (its keys in ``register/demo-server``), as the
    番号利用事務担当 would do it: the waiting changes exported to a medium, then the server's
    ``updates`` package acknowledging them imported; both entered in the media ledger."""
    server_key = register / "demo-server" / f"{demo_server_id(MUNICIPALITY_CODE)}.key.json"
    session = login(register, "number", demo_password("number"))
    try:
        sent = sync_export.export_changes(session, folder / "medium", approved_by=APPROVER)
        answer = folder / "medium" / "from-server.vxpkg"
        build_package(
            answer,
            sender=load_keypair(server_key),
            recipient=identity_keys(session.register.conn).public,
            kind="updates",
            sequence=1,
            ack=sent.sequence,
            records={},
        )
        sync_import.import_package(session, answer, approved_by=APPROVER)
    finally:
        session.register.close()


def sync_page(register: Path, out: Path, folder: Path) -> None:
    """The 同期 page after ``demo_exchange``: last export and import, 未送信; then its media
    ledger tab."""
    demo_exchange(register, folder)
    window = open_window(register, "number")
    window.show_sync()
    settle(window, 400)
    save(grab(window), out, "sync_page")
    page = window.sync_page
    assert page is not None
    page.lists.setCurrentWidget(page.media)
    settle(window)
    save(grab(window), out, "sync_media_ledger")
    close(window)


EXPECTED = (
    *(f"person_view_{role}" for role in ROLES if role != "admin"),
    "landing_admin",
    "result_entry",
    "unvaccinated_list",
    "audit_viewer",
    "lock_screen",
    *(name for _, name in SETTINGS_SHOTS),
    "sync_page",
    "sync_media_ledger",
)


def render_all(out: Path, *, persons: int = 600, seed: int = 1) -> list[Path]:
    """Every screenshot into ``out`` (a QApplication must exist); returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vaxdesk-shots-") as tmp:
        register = Path(tmp) / "demo"
        create_demo_register(register, persons=persons, seed=seed)
        atena = busiest_child(register)
        person_views(register, out, atena)
        result_entry(register, out, atena)
        unvaccinated_list(register, out)
        audit_viewer(register, out)
        lock_screen(register, out)
        admin_settings(register, out, Path(tmp))
        sync_page(register, out, Path(tmp))
    return [out / f"{name}.png" for name in EXPECTED]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--persons", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    app = create_application([sys.argv[0]])
    render_all(args.out, persons=args.persons, seed=args.seed)
    QTimer.singleShot(0, app.quit)
    app.exec()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
