"""The security-key actions of the users page (管理者): add a backup key for a present user and
remove a key. A mixin of :class:`AdminUsersPage` (kept apart so each module stays small); the
strings keep the page's translation context (QCoreApplication.translate with "AdminUsersPage")."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from app.services import users_admin
from app.ui.common.display_text import local_time_both
from app.ui.common.jobs import JobContext
from app.ui.login.key_prompt_dialog import KeyPromptDialog
from app.ui.login.qt_key_prompt import QtKeyPrompt

if TYPE_CHECKING:
    from app.security.session import SessionView
    from app.services.users_admin import AccessRow


class KeyActionsMixin:
    if TYPE_CHECKING:
        session: SessionView

        def selected_row(self) -> AccessRow | None: ...
        def show_message(self, text: str, *, error: bool = False, code: str = "") -> None: ...
        def _key_access(self, prompt: QtKeyPrompt) -> Any: ...
        def _finished(self, text: str) -> None: ...
        def _open(self, dialog: Any) -> None: ...
        def _run(
            self,
            work: Callable[[JobContext], Any],
            done: Callable[[Any], None],
            *,
            key_dialog: KeyPromptDialog | None = None,
        ) -> None: ...

    def choose_key(self, choices: list[str]) -> int | None:
        """Which key to remove (a seam: tests replace it); the index into ``choices``."""
        item, ok = QInputDialog.getItem(
            self._widget(),
            QCoreApplication.translate("AdminUsersPage", "Remove a key"),
            QCoreApplication.translate("AdminUsersPage", "Key to remove:"),
            choices,
            0,
            False,
        )
        return choices.index(item) if ok and item in choices else None

    def ask_password(self, login: str) -> str | None:
        """The user's current password, typed by the user (a seam: tests replace it)."""
        text, ok = QInputDialog.getText(
            self._widget(),
            QCoreApplication.translate("AdminUsersPage", "Add a backup key"),
            QCoreApplication.translate(
                "AdminUsersPage", "Password of %1 (typed by the user):"
            ).replace("%1", login),
            QLineEdit.EchoMode.Password,
        )
        return text if ok and text else None

    @Slot()
    def add_key_for_selected(self) -> None:
        """A second key for a present user: their password and a touch of their enrolled key,
        then a touch of the new key."""
        row = self.selected_row()
        if row is None:
            return
        if not row.active:
            self.show_message(
                QCoreApplication.translate(
                    "AdminUsersPage", "A deactivated user cannot get a key."
                ),
                error=True,
            )
            return
        password = self.ask_password(row.login)
        if password is None:
            return
        prompt = QtKeyPrompt()
        key_dialog = KeyPromptDialog(
            prompt,
            QCoreApplication.translate(
                "AdminUsersPage", "Touch the enrolled key, then the new key"
            ),
            self._widget(),
        )
        prompt.setParent(key_dialog)
        existing, new = self._key_access(prompt), self._key_access(prompt)
        session, login = self.session, row.login

        def add(ctx: JobContext) -> None:
            users_admin.add_key(session, login, password, existing, new)

        self._run(
            add,
            lambda _r: self._finished(
                QCoreApplication.translate(
                    "AdminUsersPage", "A backup key was added for %1."
                ).replace("%1", login)
            ),
            key_dialog=key_dialog,
        )
        self._open(key_dialog)

    @Slot()
    def remove_key_of_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        session = self.session

        def list_keys(ctx: JobContext) -> list[tuple[str, str]]:
            return [(k.slot_id, k.enrolled_at) for k in users_admin.list_keys(session, row.login)]

        self._run(list_keys, lambda keys: self._remove_key_chosen(row.login, keys))

    def _remove_key_chosen(self, login: str, keys: list[tuple[str, str]]) -> None:
        if len(keys) < 2:
            self.show_message(
                QCoreApplication.translate(
                    "AdminUsersPage", "%1 has only one key. To stop the user, use Deactivate."
                ).replace("%1", login),
                error=True,
            )
            return
        choices = [
            QCoreApplication.translate("AdminUsersPage", "Key %1 (enrolled %2)")
            .replace("%1", str(i + 1))
            .replace("%2", local_time_both(created))  # 和暦 + 西暦, local time
            for i, (_slot, created) in enumerate(keys)
        ]
        chosen = self.choose_key(choices)
        if chosen is None:
            return
        slot_id = keys[chosen][0]
        session = self.session

        def remove(ctx: JobContext) -> None:
            users_admin.remove_key(session, login, slot_id)

        self._run(
            remove,
            lambda _r: self._finished(
                QCoreApplication.translate("AdminUsersPage", "A key of %1 was removed.").replace(
                    "%1", login
                )
            ),
        )

    def _widget(self) -> QWidget:
        assert isinstance(self, QWidget)
        return self
