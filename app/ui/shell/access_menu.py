"""Hook for the main window: the 管理 and 個人番号 menus and the idle lock.

Usage (the main window or the controller, once per window)::

    from app.ui.shell.access_menu import install_access_actions
    install_access_actions(window)          # window: MainWindow (.session, .jobs, .pages, ...)
    window.access_actions.person_requested.connect(window.open_person)

* 管理 (``access.review`` / ``user.manage`` / ``key.manage`` / ``audit.read``): 利用者とアクセス権
  (:class:`AdminUsersPage`), 監査ログ (:class:`AuditViewer`) and 保存期間と消去
  (:class:`RetentionPage`, ``retention.manage``), shown as pages of
  ``window.pages``; then the settings pages of ``app.ui.admin.settings_menu`` (窓口の設定,
  地区名, ワクチンカタログ, 同期パスキー).
* 個人番号 (``mynumber.search``): 個人番号で検索 → ``person_requested(int)``.
* The idle lock (:class:`WindowLock`, minutes from ``VAXDESK_IDLE_MINUTES``, default 5) and
  Ctrl+L to lock at once. Sign out (from the lock) emits ``sign_out_requested`` and closes the
  window; ``GuiController`` then shows the login again.

A session without a permission gets no menu for it (the services check again anyway). Tests pass
``key_factory`` (the security key) and ``idle_timeout_ms``.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QStackedWidget, QWidget

from app.security import permissions as perm
from app.security.session import SessionView
from app.services.security_key import KeyFactory
from app.ui.admin.admin_users_page import AdminUsersPage
from app.ui.admin.audit_viewer import AuditViewer
from app.ui.admin.rekey_page import RekeyPage
from app.ui.admin.retention_page import RetentionPage
from app.ui.admin.settings_menu import PERMISSIONS as SETTINGS_PERMISSIONS
from app.ui.admin.settings_menu import SettingsPages
from app.ui.common.jobs import JobRunner
from app.ui.login.idle_lock import WindowLock
from app.ui.person_numbers.number_search_dialog import NumberSearchDialog

ADMIN_PERMISSIONS = (
    perm.ACCESS_REVIEW,
    perm.USER_MANAGE,
    perm.KEY_MANAGE,
    perm.AUDIT_READ,
    *sorted(SETTINGS_PERMISSIONS),
    perm.RETENTION_MANAGE,
)


class AccessWindow(Protocol):
    """What the hook needs from the main window."""

    session: SessionView
    jobs: JobRunner
    pages: QStackedWidget

    def menuBar(self) -> QMenuBar: ...
    def close(self) -> bool: ...


class AccessActions(QObject):
    person_requested = Signal(int)
    sign_out_requested = Signal()
    page_shown = Signal(object)  # the page widget
    dialog_opened = Signal(object)

    def __init__(
        self,
        window: Any,
        *,
        key_factory: KeyFactory | None = None,
        idle_timeout_ms: int | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.session: SessionView = window.session
        self.jobs: JobRunner = window.jobs
        self.key_factory = key_factory
        self.admin_menu: QMenu | None = None
        self.number_menu: QMenu | None = None
        self.users_page: AdminUsersPage | None = None
        self.audit_page: AuditViewer | None = None
        self.settings_pages: SettingsPages | None = None
        self.retention_page: RetentionPage | None = None
        self.rekey_page: RekeyPage | None = None
        self._build_menus()
        self.lock = WindowLock(
            window, self.session, self.jobs, timeout_ms=idle_timeout_ms, key_factory=key_factory
        )
        self.lock.sign_out_requested.connect(self.sign_out)
        self.lock_action = QAction(self.tr("Lock the screen"), window)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setObjectName("menu_lock")
        self.lock_action.triggered.connect(self.lock.lock)
        window.addAction(self.lock_action)
        self.sign_out_action = QAction(self.tr("Sign out"), window)
        self.sign_out_action.setObjectName("menu_sign_out")
        self.sign_out_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.sign_out_action.triggered.connect(self.sign_out)
        window.addAction(self.sign_out_action)
        self._add_to_work_menu()
        window.installEventFilter(self)
        self.lock.start()
        self._set_home()

    def _add_to_work_menu(self) -> None:
        """Lock (Ctrl+L) and Sign out in the 業務 menu, just above Quit, so they are found in
        the menu and in the F1 key help."""
        menus = getattr(self.window, "menus", {})
        work = menus.get("work")
        if work is None:
            return
        quit_action = getattr(self.window, "menu_actions", {}).get("quit")
        before = quit_action if quit_action in work.actions() else None
        work.insertActions(before, [self.lock_action, self.sign_out_action])
        work.insertSeparator(before)

    def _set_home(self) -> None:
        """A role without person search starts on a page it may use: 利用者とアクセス権, else
        the 監査ログ (Esc and F2 return there too)."""
        if self.session.can(perm.PERSON_SEARCH) or not hasattr(self.window, "home_action"):
            return
        if self.session.can(perm.ACCESS_REVIEW):
            self.window.home_action = self.show_users_page
        elif self.session.can(perm.AUDIT_READ):
            self.window.home_action = self.show_audit_page
        else:
            return
        self.window.show_home()

    def _build_menus(self) -> None:
        session, bar = self.session, self.window.menuBar()
        if any(session.can(p) for p in ADMIN_PERMISSIONS):
            self.admin_menu = bar.addMenu(self.tr("&Administration"))
            self.admin_menu.setObjectName("adminMenu")
            if session.can(perm.ACCESS_REVIEW):
                users = self.admin_menu.addAction(self.tr("&Users and access rights"))
                users.setObjectName("usersAction")
                users.triggered.connect(self.show_users_page)
            if session.can(perm.AUDIT_READ):
                audit = self.admin_menu.addAction(self.tr("&Audit log"))
                audit.setObjectName("auditAction")
                audit.triggered.connect(self.show_audit_page)
            if session.can(perm.RETENTION_MANAGE):
                kept = self.admin_menu.addAction(self.tr("&Retention and erasure"))
                kept.setObjectName("retentionAction")
                kept.triggered.connect(self.show_retention_page)
            if session.can(perm.REGISTER_REKEY):
                rekey = self.admin_menu.addAction(self.tr("Register &key update"))
                rekey.setObjectName("rekeyAction")
                rekey.triggered.connect(self.show_rekey_page)
            self.settings_pages = SettingsPages(self, self.admin_menu)
        if session.can(perm.MYNUMBER_SEARCH):
            self.number_menu = bar.addMenu(self.tr("Personal &number"))
            self.number_menu.setObjectName("numberMenu")
            search = self.number_menu.addAction(self.tr("&Search by personal number..."))
            search.setObjectName("numberSearchAction")
            search.triggered.connect(self.search_by_number)

    def _show_page(self, page: QWidget) -> None:
        pages = self.window.pages
        if pages.indexOf(page) < 0:
            pages.addWidget(page)
        pages.setCurrentWidget(page)
        self.page_shown.emit(page)

    @Slot()
    def show_users_page(self) -> None:
        if self.users_page is None:
            self.users_page = AdminUsersPage(
                self.session, self.jobs, key_factory=self.key_factory, parent=self.window.pages
            )
        self._show_page(self.users_page)
        self.users_page.refresh()

    @Slot()
    def show_audit_page(self) -> None:
        first = self.audit_page is None
        if self.audit_page is None:
            self.audit_page = AuditViewer(self.session, self.jobs, parent=self.window.pages)
        self._show_page(self.audit_page)
        if first:
            self.audit_page.refresh()

    @Slot()
    def show_retention_page(self) -> None:
        if self.retention_page is None:
            self.retention_page = RetentionPage(self.session, self.jobs, parent=self.window.pages)
        self._show_page(self.retention_page)
        self.retention_page.refresh()

    def show_rekey_page(self) -> None:
        if self.rekey_page is None:
            self.rekey_page = RekeyPage(self.session, self.jobs, parent=self.window.pages)
        self._show_page(self.rekey_page)

    @Slot()
    def search_by_number(self) -> None:
        dialog = NumberSearchDialog(self.session, self.jobs, self.window)
        dialog.person_found.connect(self.person_requested)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.dialog_opened.emit(dialog)

    @Slot()
    def sign_out(self) -> None:
        self.lock.stop()
        self.sign_out_requested.emit()
        self.window.close()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.lock.stop()  # a closed window is never locked later
        return False


def access_actions_of(window: Any) -> AccessActions:
    """The actions that ``install_access_actions`` gave ``window``."""
    actions = getattr(window, "access_actions", None)
    if not isinstance(actions, AccessActions):
        raise LookupError("install_access_actions(window) was not called")
    return actions


def install_access_actions(
    window: Any,
    *,
    key_factory: KeyFactory | None = None,
    idle_timeout_ms: int | None = None,
) -> None:
    """Add the access-control menus and the idle lock to ``window`` (once; a second call does
    nothing). The actions object is ``window.access_actions``."""
    if isinstance(getattr(window, "access_actions", None), AccessActions):
        return
    window.access_actions = AccessActions(
        window, key_factory=key_factory, idle_timeout_ms=idle_timeout_ms
    )
