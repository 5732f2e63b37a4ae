"""管理 → 窓口の設定: the office (name, address, phone) printed on individual notices
(``office.current`` / ``office.set_office``, permission ``settings.manage``, audited). Notices
refuse to print until all three are set; the page says so while they are not."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QWidget

from app.security import permissions as perm
from app.security.session import SessionView
from app.services import office
from app.services.office import OfficeSettings
from app.ui.admin.settings_page_base import SettingsPage
from app.ui.common.display_text import short_date_text
from app.ui.common.jobs import JobContext, JobRunner


def _date_text(iso: str) -> str:
    """The stamp's local date in the app's 和暦 + 西暦 style (the text itself if not a date)."""
    try:
        return short_date_text(date.fromisoformat(iso))
    except ValueError:
        return iso


class OfficeSettingsPage(SettingsPage):
    def __init__(
        self, session: SessionView, jobs: JobRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            session,
            jobs,
            self.tr("Office on notices"),
            self.tr(
                "The office named on individual notices as sender and for inquiries. Notices "
                "cannot be printed until the name, address and phone number are set."
            ),
            parent,
        )
        session.require(perm.SETTINGS_MANAGE)
        self.setObjectName("officeSettingsPage")
        form = QFormLayout()
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("officeName")
        self.name_edit.setMaxLength(office.NAME_MAX)
        self.name_edit.setPlaceholderText(
            self.tr("e.g. Minami Health Center, Health Promotion Section")
        )
        self.address_edit = QLineEdit(self)
        self.address_edit.setObjectName("officeAddress")
        self.address_edit.setMaxLength(office.ADDRESS_MAX)
        self.phone_edit = QLineEdit(self)
        self.phone_edit.setObjectName("officePhone")
        self.phone_edit.setPlaceholderText("03-1234-5678")
        form.addRow(self.tr("&Name"), self.name_edit)
        form.addRow(self.tr("&Address"), self.address_edit)
        form.addRow(self.tr("&Phone"), self.phone_edit)
        self.page_layout.addLayout(form)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("&Save"), self)
        self.save_button.setObjectName("officeSave")
        self.save_button.setAutoDefault(True)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        self.page_layout.addLayout(buttons)
        self.page_layout.addStretch(1)
        self.save_button.clicked.connect(self.save)
        for edit in (self.name_edit, self.address_edit, self.phone_edit):
            edit.returnPressed.connect(self.save)
        self.fields = {
            "E_OFFICE_NAME": self.name_edit,
            "E_OFFICE_ADDRESS": self.address_edit,
            "E_OFFICE_PHONE": self.phone_edit,
        }

    @Slot()
    def refresh(self) -> None:
        session = self.session
        self.run(lambda ctx: office.current(session), self._show_current)

    def activate(self) -> None:
        self.name_edit.setFocus()
        self.refresh()

    @Slot(object)
    def _show_current(self, current: OfficeSettings | None) -> None:
        if current is None:
            self.show_message(
                self.tr("Not set yet: notices cannot be printed until it is saved."), error=True
            )
        else:
            self.name_edit.setText(current.name)
            self.address_edit.setText(current.address)
            self.phone_edit.setText(current.phone)
            when = f"{_date_text(current.updated_date)} {current.updated_time[:5]}"
            self.show_message(
                self.tr("Last changed %1 (staff no. %2).")
                .replace("%1", when)
                .replace("%2", current.updated_by)
            )
        self.loaded.emit()

    @Slot()
    def save(self) -> None:
        session = self.session
        name, address, phone = (
            self.name_edit.text(),
            self.address_edit.text(),
            self.phone_edit.text(),
        )

        def work(ctx: JobContext) -> OfficeSettings:
            return office.set_office(session, name, address, phone)

        self.save_button.setEnabled(False)
        self.run(work, self._saved, self._failed)

    @Slot(object)
    def _saved(self, saved: OfficeSettings) -> None:
        self.save_button.setEnabled(True)
        self.name_edit.setText(saved.name)
        self.address_edit.setText(saved.address)
        self.phone_edit.setText(saved.phone)
        text = self.tr("Saved. Notices now print this office.")
        self.show_message(text)
        self.action_finished.emit(text, False)

    def _failed(self, code: str, message_ja: str) -> None:
        self.save_button.setEnabled(True)
        field = self.fields.get(code)
        if field is not None:
            field.setFocus()
            field.selectAll()
