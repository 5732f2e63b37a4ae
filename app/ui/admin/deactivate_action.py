"""無効化 on the users page. Deactivating a user with number-use rights calls for a new number
key NK (they may have kept the old one): the administrator, who holds no NK, may have a
number-use staff member sign in on the spot (the same sign-in as for a grant) so that NK is
renewed at once; without one the renewal waits for the next number-use sign-in, and the page
says so. A mixin of :class:`AdminUsersPage` (kept apart so each module stays small); the strings
keep the page's translation context ("AdminUsersPage")."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from app.security import roles as role_defs
from app.security.session import SessionView, end
from app.services import users_admin
from app.services.users_admin import NK_DUE, NK_ROTATED, Deactivation
from app.ui.common.jobs import JobContext

if TYPE_CHECKING:
    from app.services.users_admin import AccessRow
    from app.ui.login.key_prompt_dialog import KeyPromptDialog

# the choice for a number-use user (``ask_number_holder``)
WITH_HOLDER = "holder"
WITHOUT_HOLDER = "without"


class DeactivateMixin:
    if TYPE_CHECKING:
        session: SessionView

        def selected_row(self) -> AccessRow | None: ...
        def confirm(self, text: str) -> bool: ...
        def show_message(self, text: str, *, error: bool = False, code: str = "") -> None: ...
        def _finished(self, text: str) -> None: ...
        def _with_number_holder(
            self,
            then: Callable[[SessionView], None],
            *,
            heading: str | None = None,
            cancelled: str | None = None,
        ) -> None: ...
        def _run(
            self,
            work: Callable[[JobContext], Any],
            done: Callable[[Any], None],
            *,
            key_dialog: KeyPromptDialog | None = None,
        ) -> None: ...

    def ask_number_holder(self, text: str) -> str | None:
        """For a number-use user: deactivate with a number-use staff member signing in
        (``WITH_HOLDER``), without (``WITHOUT_HOLDER``), or not at all (None). A seam: tests
        replace it."""
        parent = self._deactivate_widget()
        box = QMessageBox(
            QMessageBox.Icon.Question,
            QCoreApplication.translate("AdminUsersPage", "Please confirm"),
            text,
            parent=parent,
        )
        box.setObjectName("deactivateNumberUserBox")
        with_holder = box.addButton(
            QCoreApplication.translate("AdminUsersPage", "A number-use staff member signs in"),
            QMessageBox.ButtonRole.YesRole,
        )
        without = box.addButton(
            QCoreApplication.translate("AdminUsersPage", "Deactivate without"),
            QMessageBox.ButtonRole.NoRole,
        )
        box.addButton(
            QCoreApplication.translate("AdminUsersPage", "Cancel"),
            QMessageBox.ButtonRole.RejectRole,
        )
        box.setDefaultButton(with_holder)
        box.exec()
        clicked = box.clickedButton()
        if clicked is with_holder:
            return WITH_HOLDER
        return WITHOUT_HOLDER if clicked is without else None

    @Slot()
    def deactivate_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        question = (
            QCoreApplication.translate(
                "AdminUsersPage",
                "Deactivate %1 (%2)? The user can no longer sign in on any terminal.",
            )
            .replace("%1", row.login)
            .replace("%2", row.display_name)
        )
        login = row.login
        admin_holds_nk = role_defs.needs_number_key(tuple(self.session.roles))
        if not row.holds_number_rights or not row.active or admin_holds_nk:
            if self.confirm(question):
                self._deactivate(login, None)
            return
        choice = self.ask_number_holder(
            question
            + "\n\n"
            + QCoreApplication.translate(
                "AdminUsersPage",
                "%1 has number-use rights: the key that protects personal numbers should be "
                "renewed. If a number-use staff member signs in now, it is renewed at once; "
                "without one it is renewed when a number-use staff member signs in next.",
            ).replace("%1", login)
        )
        if choice == WITH_HOLDER:
            self._with_number_holder(
                lambda holder: self._deactivate(login, holder),
                heading=QCoreApplication.translate(
                    "AdminUsersPage",
                    "Deactivating %1: a number-use staff member signs in here so that the key "
                    "that protects personal numbers is renewed at once. Their sign-in is closed "
                    "right after.",
                ).replace("%1", login),
                cancelled=QCoreApplication.translate(
                    "AdminUsersPage", "Cancelled: %1 was not deactivated."
                ).replace("%1", login),
            )
        elif choice == WITHOUT_HOLDER:
            self._deactivate(login, None)

    def _deactivate(self, login: str, holder: SessionView | None) -> None:
        session = self.session

        def deactivate(ctx: JobContext) -> Deactivation:
            try:
                return users_admin.deactivate_user(session, login, number_holder=holder)
            finally:
                if holder is not None:
                    end(holder)  # the holder's sign-in ends here

        self._run(deactivate, lambda result: self._finished(_deactivated_text(login, result)))

    def _deactivate_widget(self) -> QWidget:
        assert isinstance(self, QWidget)
        return self


def _deactivated_text(login: str, result: Deactivation) -> str:
    text = QCoreApplication.translate("AdminUsersPage", "User %1 was deactivated.").replace(
        "%1", login
    )
    if result.number_key == NK_ROTATED:
        text += QCoreApplication.translate(
            "AdminUsersPage", " The key that protects personal numbers was renewed."
        )
    elif result.number_key == NK_DUE:
        text += QCoreApplication.translate(
            "AdminUsersPage",
            " No number-use staff member was present: the key that protects personal numbers "
            "is renewed when a number-use staff member signs in next.",
        )
    return text
