"""The main window's own menus: 業務 (the work pages this role may use, then 終了) and ヘルプ
(F1 キー操作一覧). The access menus (管理, 個人番号, lock and sign-out) are added by
``access_menu``. Split from ``main_window`` to keep each module small; the texts keep the
window's translation context ("MainWindow")."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from app.security import permissions as perm
from app.ui.common.display_text import QT_TRANSLATE_NOOP


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def build_menus(window: Any) -> tuple[dict[str, QMenu], dict[str, QAction]]:
    """Add 業務 and ヘルプ to ``window`` (a MainWindow); returns its menus and actions by name."""
    bar = window.menuBar()
    work = bar.addMenu(QCoreApplication.translate("MainWindow", "&Work"))
    work.setObjectName("workMenu")
    actions: dict[str, QAction] = {}
    entries = (
        (
            "search",
            _tr(QT_TRANSLATE_NOOP("MainWindow", "Person search")),
            "F2",
            window.show_search,
            window.session.can(perm.PERSON_SEARCH),
        ),
        (
            "batch_entry",
            _tr(QT_TRANSLATE_NOOP("MainWindow", "Result entry (batch)")),
            "Ctrl+B",
            window.show_batch_entry,
            window.batch_page is not None,
        ),
        (
            "unvaccinated",
            _tr(QT_TRANSLATE_NOOP("MainWindow", "Unvaccinated persons")),
            "Ctrl+U",
            window.show_unvaccinated,
            window.unvaccinated_page is not None,
        ),
        (
            "reports",
            _tr(QT_TRANSLATE_NOOP("MainWindow", "Reports")),
            "Ctrl+R",
            window.show_reports,
            window.reports_page is not None,
        ),
        (
            "sync",
            _tr(QT_TRANSLATE_NOOP("MainWindow", "Synchronisation")),
            "Ctrl+Shift+S",
            window.show_sync,
            window.sync_page is not None,
        ),
    )
    for name, text, keys, slot, allowed in entries:
        if not allowed:
            continue  # hidden for this role (the services refuse anyway)
        action = work.addAction(text)
        action.setObjectName(f"menu_{name}")
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        actions[name] = action
    work.addSeparator()
    quit_action = work.addAction(QCoreApplication.translate("MainWindow", "Quit"))
    quit_action.setShortcut(QKeySequence("Ctrl+Q"))
    quit_action.triggered.connect(window.close)
    actions["quit"] = quit_action
    help_menu = bar.addMenu(QCoreApplication.translate("MainWindow", "&Help"))
    help_menu.setObjectName("helpMenu")
    keys_action = help_menu.addAction(
        QCoreApplication.translate("MainWindow", "Keyboard shortcuts")
    )
    keys_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
    keys_action.triggered.connect(window.show_keyboard_help)
    actions["keys"] = keys_action
    return {"work": work, "help": help_menu}, actions
