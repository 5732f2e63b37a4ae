"""Start the GUI: the QApplication with bundled fonts, Japanese translation and style; the login
dialog; then the main window.

Translations: source strings are English (``self.tr`` / ``QCoreApplication.translate``); the
Japanese text lives in ``resources/i18n/vaxdesk_ja.ts`` and ships compiled as ``vaxdesk_ja.qm``.
After changing UI strings, regenerate both with ``make translations`` (lupdate does not scan
folders for .py files, so the Makefile names every module under app/ui and its subfolders)::

    .venv/bin/pyside6-lupdate $(find app/ui -name '*.py' | sort) \
        -ts resources/i18n/vaxdesk_ja.ts -no-obsolete -locations none
    # translate the new (type="unfinished") entries with pyside6-linguist or an editor, then
    .venv/bin/pyside6-lrelease resources/i18n/vaxdesk_ja.ts -qm resources/i18n/vaxdesk_ja.qm

tests/gui/common/test_translations.py fails while any string is untranslated or the .qm is stale.
"""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from app.paths import resource_path
from app.security.session import SessionView
from app.services import login_flow
from app.services.security_key import KeyFactory
from app.ui.login.login_dialog import LoginDialog
from app.ui.shell.access_menu import access_actions_of, install_access_actions
from app.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "ja"
GC_INTERVAL_MS = 10_000
APP_FONT_FILE = ("fonts", "ipaexg.ttf")
APP_FONT_POINT_SIZE = 11

STYLE_SHEET = """
QLabel#demoBanner {
    background: #ffd54f; color: #3e2723; font-weight: bold; padding: 3px;
    border: 2px solid #e65100;
}
QLabel#loginMessage[error="true"] { color: #b71c1c; }
QLabel#statusMessage { padding: 4px 6px; }
QLabel#statusMessage[error="true"] {
    color: #b71c1c; background: #ffebee; border: 1px solid #e57373;
}
QStatusBar QLabel { padding: 0px 8px; }
QLabel#loginHeading { font-size: 18pt; font-weight: bold; }
QLabel#dialogHeading, QLabel#pageHeading { font-size: 13pt; font-weight: bold; }
QLabel#keyNotice, QLabel#hintText { color: #37474f; }
QLabel#pageMessage[error="true"], QLabel#dialogMessage { color: #b71c1c; }
QWidget#lockScreen { background: #263238; }
QWidget#lockScreen QLabel { color: white; font-size: 13pt; }
QWidget#lockScreen QLabel#lockTitle { font-size: 22pt; font-weight: bold; }
QLabel#loginMessage[waiting="true"] { font-size: 14pt; font-weight: bold; color: #0d47a1; }
QLabel#numberValue { font-size: 14pt; font-family: monospace; }
QLabel#personHeading { font-size: 15pt; font-weight: bold; }
QLabel#panelTitle { font-weight: bold; }
QLabel#personStatusBadge { color: white; background: #b71c1c; padding: 2px 8px; }
QLabel#shortcutHelp { color: #37474f; }
QTableView { alternate-background-color: #f3f6fa; }
"""


def load_fonts() -> str | None:
    """Register the bundled IPAex Gothic and return its family name (None if it failed)."""
    font_id = QFontDatabase.addApplicationFont(str(resource_path(*APP_FONT_FILE)))
    if font_id < 0:
        log.warning("bundled font could not be loaded")
        return None
    families = QFontDatabase.applicationFontFamilies(font_id)
    return families[0] if families else None


def install_translators(app: QApplication, language: str = DEFAULT_LANGUAGE) -> list[QTranslator]:
    """Install VaxDesk's and Qt's own translations for ``language``; English needs none."""
    installed: list[QTranslator] = []
    if language == "en":
        return installed
    QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
    ours = QTranslator(app)
    if ours.load(str(resource_path("i18n", f"vaxdesk_{language}.qm"))):
        app.installTranslator(ours)
        installed.append(ours)
    else:
        log.warning("translation %s could not be loaded", language)
    qt_base = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_base.load(f"qtbase_{language}", qt_dir):
        app.installTranslator(qt_base)
        installed.append(qt_base)
    return installed


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with fonts, translations and style (reuses an existing instance)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv)
    app.setApplicationName("VaxDesk")
    app.setOrganizationName("VaxDesk")
    app.setStyle("Fusion")
    family = load_fonts()
    if family:
        app.setFont(QFont(family, APP_FONT_POINT_SIZE))
    install_translators(app)
    app.setStyleSheet(STYLE_SHEET)
    return app


class GuiThreadGarbageCollector(QObject):
    """Run Python's cycle collector only on the GUI thread (as Anki does).

    Automatic collection runs on whichever thread happens to allocate; when that is a background
    job, a widget caught in a reference cycle is deleted off the GUI thread and Qt crashes later.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(GC_INTERVAL_MS)
        self._timer.timeout.connect(self.collect)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()

    def collect(self) -> int:
        return gc.collect()


class GuiController(QObject):
    """Shows the login dialog, then the main window for the signed-in session (with the
    access-control menus and the idle lock); after Sign out, the login dialog again.

    ``key_factory`` and ``idle_timeout_ms`` are test seams (the security key; the idle time)."""

    def __init__(
        self,
        register_dir: Path,
        parent: QObject | None = None,
        *,
        key_factory: KeyFactory | None = None,
        idle_timeout_ms: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.register_dir = Path(register_dir)
        self.register = login_flow.describe_register(self.register_dir)
        self.key_factory = key_factory
        self.idle_timeout_ms = idle_timeout_ms
        self.main_window: MainWindow | None = None
        self.login_dialog = self._new_login_dialog()

    def _new_login_dialog(self) -> LoginDialog:
        dialog = LoginDialog.for_register(self.register_dir, key_factory=self.key_factory)
        dialog.signed_in.connect(self._open_main_window)
        return dialog

    def start(self) -> None:
        self.login_dialog.show()

    def _open_main_window(self, session: SessionView) -> None:
        window = MainWindow(session)
        install_access_actions(
            window, key_factory=self.key_factory, idle_timeout_ms=self.idle_timeout_ms
        )
        actions = access_actions_of(window)
        actions.sign_out_requested.connect(self._signed_out)
        actions.person_requested.connect(window.open_person)  # 個人番号で検索 → person view
        self.main_window = window
        window.show()
        self.login_dialog.close()

    def _signed_out(self) -> None:
        """Sign out: the login dialog comes back before the window closes (the app stays)."""
        old = self.login_dialog
        self.login_dialog = self._new_login_dialog()
        self.login_dialog.show()
        old.deleteLater()


def _report_unexpected(kind: type[BaseException], error: BaseException, tb: object) -> None:
    """Last resort for an exception escaping a Qt slot: log its type only (a message or a
    traceback could carry personal data) and tell the person in Japanese, without a stack trace."""
    log.error("unexpected error in the user interface: %s", kind.__name__)
    app = QApplication.instance()
    if app is not None:
        QMessageBox.critical(
            None,
            "VaxDesk",
            "内部エラーが発生しました。操作をやり直しても解決しない場合は管理者に連絡してください。",
        )


def run_gui(register_dir: Path) -> int:
    """Run the desktop app on the register in ``register_dir``; returns the exit code."""
    sys.excepthook = _report_unexpected
    app = create_application()
    collector = GuiThreadGarbageCollector(app)
    collector.start()
    controller = GuiController(register_dir)
    controller.start()
    try:
        return int(app.exec())
    finally:
        collector.stop()
