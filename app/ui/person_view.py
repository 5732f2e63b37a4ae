"""One person's record: basic items, guardian, household members with 続柄 and the vaccination
history. Shows only what the service returned (already masked for the session); the personal
number is never part of it."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.persons import PersonDetail
from app.ui import display_text
from app.ui.person_detail_models import HouseholdTableModel, VaccinationHistoryModel


def _table(name: str, parent: QWidget) -> QTableView:
    table = QTableView(parent)
    table.setObjectName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setTabKeyNavigation(False)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class PersonView(QWidget):
    def __init__(self, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("personView")
        self._today = today
        self.detail: PersonDetail | None = None
        self.household_model = HouseholdTableModel(self)
        self.history_model = VaccinationHistoryModel(self)
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        heading_row = QHBoxLayout()
        self.heading = QLabel(self)
        self.heading.setObjectName("personHeading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.status_badge = QLabel(self)
        self.status_badge.setObjectName("personStatusBadge")
        self.back_hint = QLabel(self.tr("Esc: back to search"), self)
        self.back_hint.setObjectName("shortcutHelp")
        heading_row.addWidget(self.heading)
        heading_row.addWidget(self.status_badge)
        heading_row.addStretch(1)
        heading_row.addWidget(self.back_hint)
        layout.addLayout(heading_row)

        top = QHBoxLayout()
        basic_box = QGroupBox(self.tr("Basic information"), self)
        self.basic_form = QFormLayout(basic_box)
        self.basic_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.fields: dict[str, QLabel] = {}
        for key, label in (
            ("atena_no", self.tr("Address no.")),
            ("name", self.tr("Name")),
            ("name_kana", self.tr("Name (kana)")),
            ("sex", self.tr("Sex")),
            ("birth_date", self.tr("Date of birth")),
            ("age", self.tr("Age")),
            ("postal_code", self.tr("Postal code")),
            ("address", self.tr("Address")),
            ("phone", self.tr("Phone")),
            ("household_no", self.tr("Household no.")),
            ("relationship", self.tr("Relationship")),
            ("guardian", self.tr("Guardian")),
            ("status", self.tr("Status")),
        ):
            value = QLabel(self)
            value.setObjectName(f"field_{key}")
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.fields[key] = value
            self.basic_form.addRow(label, value)
        top.addWidget(basic_box, 1)

        household_box = QGroupBox(self.tr("Household members"), self)
        household_layout = QVBoxLayout(household_box)
        self.household_table = _table("householdTable", household_box)
        self.household_table.setModel(self.household_model)
        self.household_empty = QLabel(self.tr("No other household members."), household_box)
        household_layout.addWidget(self.household_table)
        household_layout.addWidget(self.household_empty)
        top.addWidget(household_box, 1)

        top_widget = QWidget(self)
        top_widget.setLayout(top)
        history_box = QGroupBox(self.tr("Vaccination history"), self)
        history_layout = QVBoxLayout(history_box)
        self.history_table = _table("historyTable", history_box)
        self.history_table.setModel(self.history_model)
        self.history_empty = QLabel(self.tr("No vaccinations recorded."), history_box)
        history_layout.addWidget(self.history_table)
        history_layout.addWidget(self.history_empty)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top_widget)
        splitter.addWidget(history_box)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)

    @property
    def today(self) -> date:
        return self._today or date.today()

    def show_person(self, detail: PersonDetail) -> None:
        self.detail = detail
        person = detail.summary
        self.heading.setText(f"{person.name}（{person.name_kana}）")
        status = display_text.residence_text(person.moved_out, person.deceased)
        self.status_badge.setText(status)
        self.status_badge.setVisible(bool(status))
        guardian = detail.guardian
        values = {
            "atena_no": person.atena_no,
            "name": person.name,
            "name_kana": person.name_kana,
            "sex": display_text.sex_text(person.sex),
            "birth_date": display_text.long_date_text(person.birth_date),
            "age": display_text.age_text(person.birth_date, self.today),
            "postal_code": display_text.optional_text(detail.postal_code),
            "address": person.address,
            "phone": display_text.optional_text(detail.phone),
            "household_no": display_text.optional_text(detail.household_no),
            "relationship": display_text.optional_text(detail.relationship),
            "guardian": (
                f"{guardian.name}（{display_text.optional_text(guardian.relationship)}）"
                if guardian
                else "—"
            ),
            "status": self._status_text(detail),
        }
        for key, text in values.items():
            self.fields[key].setText(text)
        self.household_model.set_records(detail.household)
        self.household_empty.setVisible(not detail.household)
        self.history_model.set_records(detail.history)
        self.history_empty.setVisible(not detail.history)
        self.history_table.scrollToBottom()  # oldest first, as recorded; the latest in view
        self.history_table.setFocus()

    def _status_text(self, detail: PersonDetail) -> str:
        person = detail.summary
        parts: list[str] = []
        if person.moved_out:
            when = (
                display_text.long_date_text(detail.moved_out_date) if detail.moved_out_date else ""
            )
            parts.append(self.tr("Moved out %1").replace("%1", when).strip())
        if person.deceased:
            when = display_text.long_date_text(detail.deceased_date) if detail.deceased_date else ""
            parts.append(self.tr("Deceased %1").replace("%1", when).strip())
        return "、".join(parts) if parts else self.tr("Resident")
