"""The administrator's settings pages in the 管理 menu (窓口の設定, 地区名, ワクチンカタログ,
同期パスキー), each shown as a page of the main window and created on first use. Added by the
access menus (``AccessActions``) with one call, so other pages can join the menu beside them.

A session without the page's permission gets no entry (the services refuse anyway)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QMenu, QWidget

from app.security import permissions as perm
from app.security.session import SessionView
from app.ui.admin.area_names_page import AreaNamesPage
from app.ui.admin.catalog_page import CatalogPage
from app.ui.admin.office_settings_page import OfficeSettingsPage
from app.ui.admin.passkey_policy_page import PasskeyPolicyPage
from app.ui.common.display_text import QT_TRANSLATE_NOOP
from app.ui.common.jobs import JobRunner

PageFactory = Callable[[SessionView, JobRunner, QWidget], Any]

# (object name, menu text, permission, page class)
SETTINGS_PAGES: tuple[tuple[str, str, str, PageFactory], ...] = (
    (
        "officeAction",
        QT_TRANSLATE_NOOP("SettingsMenu", "&Office on notices"),
        perm.SETTINGS_MANAGE,
        OfficeSettingsPage,
    ),
    (
        "areaAction",
        QT_TRANSLATE_NOOP("SettingsMenu", "Area &names"),
        perm.SETTINGS_MANAGE,
        AreaNamesPage,
    ),
    (
        "catalogAction",
        QT_TRANSLATE_NOOP("SettingsMenu", "Vaccine &catalog"),
        perm.CATALOG_MANAGE,
        CatalogPage,
    ),
    (
        "passkeyAction",
        QT_TRANSLATE_NOOP("SettingsMenu", "Synced &passkeys"),
        perm.USER_MANAGE,
        PasskeyPolicyPage,
    ),
)
PERMISSIONS = frozenset(p for _, _, p, _ in SETTINGS_PAGES)


class SettingsPages(QObject):
    """The settings entries of one window's 管理 menu; ``pages[name]`` once shown."""

    def __init__(self, actions: Any, menu: QMenu) -> None:
        super().__init__(actions)
        self.actions = actions
        self.pages: dict[str, Any] = {}
        session: SessionView = actions.session
        entries = [e for e in SETTINGS_PAGES if session.can(e[2])]
        if entries:
            menu.addSeparator()
        for name, text, _permission, factory in entries:
            action = menu.addAction(QCoreApplication.translate("SettingsMenu", text))
            action.setObjectName(name)
            action.triggered.connect(lambda _=False, n=name, f=factory: self.show(n, f))

    def show(self, name: str, factory: PageFactory) -> Any:
        page = self.pages.get(name)
        if page is None:
            window = self.actions.window
            page = factory(self.actions.session, self.actions.jobs, window.pages)
            self.pages[name] = page
        self.actions._show_page(page)
        page.activate()
        return page

    def show_named(self, name: str) -> Any:
        """Show the page of menu entry ``name`` (e.g. ``"officeAction"``), for tests and tools."""
        for entry_name, _text, _permission, factory in SETTINGS_PAGES:
            if entry_name == name:
                return self.show(name, factory)
        raise KeyError(name)
