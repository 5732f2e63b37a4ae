"""One person's record: basic items, guardian, household members with 続柄 and the vaccination
history. Shows only what the service returned (already masked for the session); the personal
number is never part of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.schedule import SeriesStatus
from app.services.person_card import IssuanceLine
from app.services.persons import HistoryItem, PersonDetail
from app.ui.common import display_text
from app.ui.common.table_view import cap_column_widths, read_only_table, shrink_to_fit
from app.ui.person.due_list_panel import DueListPanel
from app.ui.person.issuance_history_panel import IssuanceHistoryPanel
from app.ui.person.person_detail_models import HouseholdTableModel, VaccinationHistoryModel
from app.ui.person.person_layout import (
    COUNTER_ACTIONS,
    DUE_CAPS,
    HISTORY_CAPS,
    HOUSEHOLD_CAPS,
    MAX_HOUSEHOLD_ROWS,
    MIN_HISTORY_ROWS,
    SIDE_MIN_WIDTH,
    SIDE_WIDTH,
    CounterAction,
    compact_rows,
    fit_height_to_rows,
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
        self._balance_timer = QTimer(self)  # dies with the view (never fires on a deleted one)
        self._balance_timer.setSingleShot(True)
        self._balance_timer.setInterval(0)
        self._balance_timer.timeout.connect(self._balance_lists)
        self._build()
        self._build_actions()

    def _build(self) -> None:
        """Heading and action buttons on top; below, a side column with the basic items, the
        household (and the 個人番号 panel) beside the counter's lists, which get the full width
        they need: the due list above, the history and the 発行履歴 in tabs below. At 1280×800
        this shows the whole due list without horizontal scrolling and ≥ 8 history rows."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
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
        self.action_bar = QHBoxLayout()
        layout.addLayout(self.action_bar)

        self.side = QWidget(self)
        self.side.setObjectName("personSide")
        self.side_layout = QVBoxLayout(self.side)
        self.side_layout.setContentsMargins(0, 0, 0, 0)
        self.side_layout.addWidget(self._basic_box())
        self.side_layout.addWidget(self._household_box())
        self.side_layout.addStretch(1)
        self.side_scroll = QScrollArea(self)
        self.side_scroll.setObjectName("personSideScroll")
        self.side_scroll.setWidget(self.side)
        self.side_scroll.setWidgetResizable(True)
        self.side_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.due_panel = DueListPanel(self)
        self.issuance_panel = IssuanceHistoryPanel(self)
        self.issuance_panel.setTitle("")
        self.issuance_panel.setFlat(True)
        history_page = QWidget(self)
        history_layout = QVBoxLayout(history_page)
        history_layout.setContentsMargins(0, 0, 0, 0)
        self.history_table = read_only_table(history_page, "historyTable", self.history_model)
        self.history_empty = QLabel(self.tr("No vaccinations recorded."), history_page)
        history_layout.addWidget(self.history_table)
        history_layout.addWidget(self.history_empty)
        self.records = QTabWidget(self)
        self.records.setObjectName("personRecords")
        self.records.addTab(history_page, self.tr("Vaccination history"))
        self.records.addTab(self.issuance_panel, self.tr("Issuance history"))
        for table in (self.due_panel.table, self.history_table, self.issuance_panel.table):
            compact_rows(table)

        self.lists = lists = QSplitter(Qt.Orientation.Vertical, self)
        lists.setObjectName("personLists")
        lists.addWidget(self.due_panel)
        lists.addWidget(self.records)
        lists.setStretchFactor(0, 1)
        lists.setStretchFactor(1, 1)
        lists.setSizes([340, 260])
        body = QSplitter(Qt.Orientation.Horizontal, self)
        body.setObjectName("personBody")
        body.addWidget(self.side_scroll)
        body.addWidget(lists)
        body.setStretchFactor(0, 0)
        body.setStretchFactor(1, 1)
        body.setSizes([SIDE_WIDTH, 1280 - SIDE_WIDTH])
        body.setChildrenCollapsible(False)
        layout.addWidget(body, 1)
        self._fit_side()

    def _basic_box(self) -> QGroupBox:
        basic_box = QGroupBox(self.tr("Basic information"), self)
        self.basic_form = QFormLayout(basic_box)
        self.basic_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.basic_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.basic_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.basic_form.setVerticalSpacing(2)
        self.fields: dict[str, QLabel] = {}
        self.field_labels: dict[str, QLabel] = {}
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
            # Every value wraps within the column (an address is never cut); the full text is
            # also the tooltip.
            value.setWordWrap(True)
            value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            caption = QLabel(label, self)
            self.fields[key] = value
            self.field_labels[key] = caption
            self.basic_form.addRow(caption, value)
        self.basic_form_more = self.basic_form  # one column now (kept for callers)
        return basic_box

    def _household_box(self) -> QGroupBox:
        household_box = QGroupBox(self.tr("Household members"), self)
        household_layout = QVBoxLayout(household_box)
        self.household_table = read_only_table(
            household_box, "householdTable", self.household_model
        )
        compact_rows(self.household_table)
        # The side column shows 続柄, 氏名 and 生年月日; カナ and 性別 are in each row's tooltip.
        for column in HouseholdTableModel.SIDE_HIDDEN:
            self.household_table.setColumnHidden(column, True)
        self.household_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.household_empty = QLabel(self.tr("No other household members."), household_box)
        household_layout.addWidget(self.household_table)
        household_layout.addWidget(self.household_empty)
        return household_box

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
        """Put a panel (e.g. the 個人番号 panel for number-use staff) under the basic items."""
        panel.setParent(self.side)
        self.side_layout.insertWidget(self.side_layout.count() - 1, panel)
        self._fit_side()

    def _fit_side(self) -> None:
        """The side column is never narrower than what it holds (nothing clipped at its edge)."""
        needed = self.side.minimumSizeHint().width()
        needed += self.side_scroll.verticalScrollBar().sizeHint().width() + 4
        self.side_scroll.setMinimumWidth(max(needed, SIDE_MIN_WIDTH))

    def _balance_lists(self) -> None:
        """Give the due list the height its rows need, keeping ≥ ``MIN_HISTORY_ROWS`` history rows
        in view; the rest goes to the history."""
        total = sum(self.lists.sizes())
        if total <= 0:
            return
        due = self.due_panel.table
        row_h = due.verticalHeader().defaultSectionSize()
        chrome = self.due_panel.height() - due.viewport().height()
        wanted_due = chrome + row_h * max(self.due_panel.proxy.rowCount(), 1) + 4
        history_chrome = self.records.height() - self.history_table.viewport().height()
        least_history = history_chrome + row_h * MIN_HISTORY_ROWS + 4
        due_h = max(min(wanted_due, total - least_history), total // 3)
        self.lists.setSizes([due_h, total - due_h])
        self._fit_columns()
        self.history_table.scrollToBottom()  # the latest in view

    def _fit_columns(self) -> None:
        """Columns to their contents within their caps, then narrowed to the table's width (once
        the view is on screen and the widths are real)."""
        for table, caps in (
            (self.history_table, HISTORY_CAPS),
            (self.due_panel.table, DUE_CAPS),
        ):
            cap_column_widths(table, caps)
            if self.isVisible():
                shrink_to_fit(table, tuple(caps))
        cap_column_widths(self.household_table, HOUSEHOLD_CAPS)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._balance_lists()

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
        self.records.setTabText(1, self.tr("Issuance history (%1)").replace("%1", str(len(issued))))
        self._balance_lists()
        self._balance_timer.start()  # again once the page is laid out

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
            self.fields[key].setToolTip(text)
        self.household_model.set_rows(detail.household)
        self.household_empty.setVisible(not detail.household)
        self.household_table.setVisible(bool(detail.household))
        fit_height_to_rows(self.household_table, MAX_HOUSEHOLD_ROWS)
        self.history_model.set_rows(detail.history)
        self.history_empty.setVisible(not detail.history)
        self.records.setTabText(
            0, self.tr("Vaccination history (%1)").replace("%1", str(len(detail.history)))
        )
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
