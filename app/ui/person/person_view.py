"""One person's record: basic items, guardian, household members with 続柄 and the vaccination
history. Shows only what the service returned (already masked for the session); the personal
number is never part of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.schedule import SeriesStatus
from app.security import permissions as perm
from app.services.person_card import IssuanceLine
from app.services.persons import HistoryItem, PersonDetail
from app.ui.common import display_text
from app.ui.common.display_text import QT_TRANSLATE_NOOP
from app.ui.common.table_view import read_only_table
from app.ui.person.due_list_panel import DueListPanel
from app.ui.person.issuance_history_panel import IssuanceHistoryPanel
from app.ui.person.person_detail_models import HouseholdTableModel, VaccinationHistoryModel


@dataclass(frozen=True, slots=True)
class CounterAction:
    name: str
    text: str  # English source, marked for lupdate, translated in the PersonView context
    keys: str
    permission: str


# The counter's actions on a person, with their keys (shown on the buttons and in the status bar).
COUNTER_ACTIONS = (
    CounterAction(
        "print_yoshinhyo",
        QT_TRANSLATE_NOOP("PersonView", "Print screening form"),
        "F5",
        perm.PRINT_YOSHINHYO,
    ),
    CounterAction(
        "print_voucher", QT_TRANSLATE_NOOP("PersonView", "Print voucher"), "F6", perm.PRINT_VOUCHER
    ),
    CounterAction(
        "print_certificate",
        QT_TRANSLATE_NOOP("PersonView", "Print certificate"),
        "F7",
        perm.PRINT_CERTIFICATE,
    ),
    CounterAction(
        "record_result",
        QT_TRANSLATE_NOOP("PersonView", "Record result"),
        "F8",
        perm.VACCINATION_CREATE,
    ),
    CounterAction(
        "record_postponement",
        QT_TRANSLATE_NOOP("PersonView", "Record postponement"),
        "F9",
        perm.VACCINATION_CREATE,
    ),
    CounterAction(
        "correct_result",
        QT_TRANSLATE_NOOP("PersonView", "Correct result"),
        "Ctrl+E",
        perm.VACCINATION_CORRECT,
    ),
    CounterAction(
        "void_result",
        QT_TRANSLATE_NOOP("PersonView", "Void result"),
        "Ctrl+Del",
        perm.VACCINATION_VOID,
    ),
)


class PersonView(QWidget):
    def __init__(self, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("personView")
        self._today = today
        self.detail: PersonDetail | None = None
        self.household_model = HouseholdTableModel(self)
        self.history_model = VaccinationHistoryModel(self)
        self.counter_actions: dict[str, QAction] = {}
        self.action_buttons: dict[str, QPushButton] = {}
        self._build()
        self._build_actions()

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
        basic_columns = QHBoxLayout(basic_box)
        # Two columns, so the due list and the history keep room on a counter screen.
        self.basic_form = QFormLayout()
        self.basic_form_more = QFormLayout()
        for form in (self.basic_form, self.basic_form_more):
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            basic_columns.addLayout(form, 1)
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
            column = self.basic_form if len(self.fields) <= 6 else self.basic_form_more
            column.addRow(label, value)
        top.addWidget(basic_box, 1)

        household_box = QGroupBox(self.tr("Household members"), self)
        household_layout = QVBoxLayout(household_box)
        self.household_table = read_only_table(
            household_box, "householdTable", self.household_model
        )
        self.household_empty = QLabel(self.tr("No other household members."), household_box)
        household_layout.addWidget(self.household_table)
        household_layout.addWidget(self.household_empty)
        top.addWidget(household_box, 1)
        self.top_row = top

        top_widget = QWidget(self)
        top_widget.setLayout(top)
        history_box = QGroupBox(self.tr("Vaccination history"), self)
        history_layout = QVBoxLayout(history_box)
        self.history_table = read_only_table(history_box, "historyTable", self.history_model)
        self.history_empty = QLabel(self.tr("No vaccinations recorded."), history_box)
        history_layout.addWidget(self.history_table)
        history_layout.addWidget(self.history_empty)

        self.action_bar = QHBoxLayout()
        layout.addLayout(self.action_bar)

        self.due_panel = DueListPanel(self)
        self.issuance_panel = IssuanceHistoryPanel(self)
        counter = QSplitter(Qt.Orientation.Horizontal, self)
        counter.addWidget(self.due_panel)
        counter.addWidget(self.issuance_panel)
        counter.setStretchFactor(0, 3)
        counter.setStretchFactor(1, 2)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top_widget)
        splitter.addWidget(counter)
        splitter.addWidget(history_box)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 1)
        splitter.setSizes([190, 330, 230])
        layout.addWidget(splitter, 1)

    def _build_actions(self) -> None:
        for spec in COUNTER_ACTIONS:
            text = QCoreApplication.translate("PersonView", spec.text)
            action = QAction(text, self)
            action.setObjectName(f"action_{spec.name}")
            action.setShortcut(QKeySequence(spec.keys))
            self.addAction(action)
            self.counter_actions[spec.name] = action
            button = QPushButton(f"{text} [{spec.keys}]", self)
            button.setObjectName(f"button_{spec.name}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAutoDefault(False)
            button.clicked.connect(action.trigger)
            self.action_bar.addWidget(button)
            self.action_buttons[spec.name] = button
        self.action_bar.addStretch(1)

    def add_side_panel(self, panel: QWidget) -> None:
        """Put a panel (e.g. the 個人番号 panel for number-use staff) beside the basic items."""
        panel.setParent(self)
        self.top_row.addWidget(panel, 1)

    def set_permissions(self, can: Callable[[str], bool]) -> None:
        """Hide what the role may not do (the services check anyway)."""
        for spec in COUNTER_ACTIONS:
            allowed = can(spec.permission)
            self.counter_actions[spec.name].setEnabled(allowed)
            self.counter_actions[spec.name].setVisible(allowed)
            self.action_buttons[spec.name].setVisible(allowed)

    def visible_actions(self) -> list[CounterAction]:
        return [s for s in COUNTER_ACTIONS if self.counter_actions[s.name].isEnabled()]

    def shortcut_help_text(self) -> str:
        parts = [
            f"{spec.keys}: {self.counter_actions[spec.name].text()}"
            for spec in self.visible_actions()
        ]
        parts.append(self.tr("Esc: Back to search"))
        return "   ".join(parts)

    # --- counter data ------------------------------------------------------------------------

    def show_counter_data(
        self, series: Sequence[SeriesStatus] | None, on: date, issued: Sequence[IssuanceLine]
    ) -> None:
        """The due list (None: the role may not read the schedule) and the 発行履歴."""
        if series is None:
            self.due_panel.show_unavailable()
        else:
            self.due_panel.show_series(series, on)
            self.due_panel.table.setFocus()
        self.issuance_panel.show_lines(issued)

    def selected_series(self) -> SeriesStatus | None:
        """The due-list row the cursor is on, else the first open series."""
        return self.due_panel.current_series() or self.due_panel.first_open()

    def selected_history_item(self) -> HistoryItem | None:
        row = self.history_table.currentIndex().row()
        if not 0 <= row < self.history_model.rowCount():
            return None
        item = self.history_model.row_at(row)
        return item if isinstance(item, HistoryItem) else None

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
        self.household_model.set_rows(detail.household)
        self.household_empty.setVisible(not detail.household)
        self.history_model.set_rows(detail.history)
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
