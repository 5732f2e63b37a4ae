"""The F1 key help: the current page's keys, then every menu command that has a key (so Ctrl+L
lock, Ctrl+U 未接種者一覧, Ctrl+Q quit and the rest are found without guessing)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QMessageBox, QWidget

from app.ui.person.person_view import PersonView
from app.ui.shell.demo_marker import window_title


def page_keys(window: Any, page: QWidget | None) -> str:
    """The keys of the main window's current ``page`` (the status bar's line; F1 lists them
    first). Texts in the MainWindow translation context."""
    if isinstance(page, PersonView):
        keys = page.shortcut_help_text()
        return keys + "   " + QCoreApplication.translate("MainWindow", "F2: Search")
    if page is not None and page is window.batch_page:
        return QCoreApplication.translate(
            "MainWindow",
            "Scan or type, Enter: Read   Tab: Next field   Enter: Save   "
            "Esc: Clear the sheet   F2: Search",
        )
    if page is not None and page is window.unvaccinated_page:
        return QCoreApplication.translate(
            "MainWindow",
            "Enter: List   Ctrl+F: Filter   Ctrl+S: CSV   Ctrl+P: Print   "
            "Ctrl+N: Notices   Esc: Back to search",
        )
    if page is not None and page is window.reports_page:
        return QCoreApplication.translate(
            "MainWindow", "Enter: Print   Tab: Next field   Esc: Back to search"
        )
    if page is window.search_page:
        return QCoreApplication.translate(
            "MainWindow",
            "F2: Search   ↑↓: Select   Enter: Open   Esc: Back to search   Ctrl+Q: Quit",
        )
    # the administration pages and the home hint: no search keys to offer
    return QCoreApplication.translate(
        "MainWindow", "F1: Keyboard shortcuts   Ctrl+L: Lock the screen   Ctrl+Q: Quit"
    )


def _plain(text: str) -> str:
    """A menu text without its accelerator (「管理(&A)」→「管理」, 「&Work」→「Work」)."""
    for marker in ("(&", "（&"):
        at = text.find(marker)
        if at >= 0 and text.endswith((")", "）")):
            text = text[:at]
    return text.replace("&", "").rstrip(".").rstrip("…").strip()


def menu_shortcuts(bar: QMenuBar) -> list[tuple[str, str]]:
    """(keys, 'menu › command') for every enabled, visible menu command with a shortcut."""
    found: list[tuple[str, str]] = []
    for top in bar.actions():
        menu = top.menu()
        if not isinstance(menu, QMenu) or not top.isVisible():
            continue
        for action in menu.actions():
            if not isinstance(action, QAction) or not action.isVisible():
                continue
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys:
                found.append((keys, f"{_plain(top.text())} › {_plain(action.text())}"))
    return found


def help_text(page_keys: str, bar: QMenuBar) -> str:
    """The help box text: the page's keys (one per line) and the menu commands with keys."""
    lines = [part for part in page_keys.split("   ") if part.strip()]
    menu_lines = [f"{keys}: {text}" for keys, text in menu_shortcuts(bar)]
    heading = QCoreApplication.translate("KeyHelp", "Menu commands")
    return "\n".join([*lines, "", f"[{heading}]", *menu_lines])


def show_key_help(parent: QWidget, page_keys: str, bar: QMenuBar, demo: bool) -> QMessageBox:
    box = QMessageBox(
        QMessageBox.Icon.Information,
        window_title(QCoreApplication.translate("KeyHelp", "Keyboard shortcuts"), demo),
        help_text(page_keys, bar),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("keyHelp")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
