"""The search page: one search box (kana, 宛名番号 or a birth date — the service decides) and the
results table.

Keyboard: Enter in the box searches; Down/Up move into and within the results; Enter on a result
opens it; Esc in the results returns to the box; typing in the results starts a new search text.
A barcode scanner types digits and Enter, which is the same as a person typing a 宛名番号.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.persons import SearchResult
from app.ui.common.table_view import read_only_table
from app.ui.person.person_table_model import PersonColumn, PersonSortProxy, PersonTableModel

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class PersonSearchWidget(QWidget):
    search_requested = Signal(str)  # the text as typed
    open_requested = Signal(int)  # person id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("personSearch")
        self.model = PersonTableModel(self)
        self.proxy = PersonSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        label = QLabel(self.tr("&Search:"), self)
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("searchBox")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText(
            self.tr("Kana name, address no. or date of birth (e.g. ヤマダ, 1000123, R7.4.10)")
        )
        label.setBuddy(self.search_edit)
        self.search_button = QPushButton(self.tr("Search"), self)
        self.search_button.setAutoDefault(False)
        row.addWidget(label)
        row.addWidget(self.search_edit, 1)
        row.addWidget(self.search_button)
        layout.addLayout(row)

        options = QHBoxLayout()
        self.active_only_check = QCheckBox(self.tr("Hide moved-out and deceased persons"), self)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("resultCount")
        options.addWidget(self.active_only_check)
        options.addStretch(1)
        options.addWidget(self.count_label)
        layout.addLayout(options)

        self.table = read_only_table(
            self,
            "resultsTable",
            self.proxy,
            sort_column=-1,  # keep the service's order
            single_selection=True,
            stretch_column=PersonColumn.ADDRESS,
        )
        layout.addWidget(self.table, 1)

        self.search_edit.returnPressed.connect(self.request_search)
        self.search_button.clicked.connect(self.request_search)
        self.table.activated.connect(self._open_index)
        self.table.doubleClicked.connect(self._open_index)
        self.active_only_check.toggled.connect(self._set_active_only)
        self.search_edit.installEventFilter(self)
        self.table.installEventFilter(self)
        self._update_count(None)

    # --- results -----------------------------------------------------------------------------

    def show_result(self, result: SearchResult) -> None:
        """Fill the table; the first row is selected and the focus moves to the results."""
        self.model.set_rows(result.people)
        self._update_count(result)
        if self.proxy.rowCount() > 0:
            self.select_row(0)
            self.table.setFocus()

    def clear_results(self) -> None:
        self.model.clear()
        self._update_count(None)

    def _update_count(self, result: SearchResult | None) -> None:
        if result is None:
            self.count_label.setText("")
        elif result.truncated:
            self.count_label.setText(
                self.tr("First %1 persons shown; add a birth date to narrow the search").replace(
                    "%1", str(len(result.people))
                )
            )
        else:
            self.count_label.setText(self.tr("%1 persons").replace("%1", str(len(result.people))))

    def select_row(self, row: int) -> None:
        index = self.proxy.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def current_row(self) -> int:
        return self.table.currentIndex().row()

    # --- actions -----------------------------------------------------------------------------

    @Slot()
    def request_search(self) -> None:
        self.search_requested.emit(self.search_edit.text())

    def focus_search_box(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    @Slot(QModelIndex)
    def _open_index(self, index: QModelIndex) -> None:
        person_id = self.proxy.person_id_at(index.row())
        if person_id is not None:
            self.open_requested.emit(person_id)

    @Slot(bool)
    def _set_active_only(self, active_only: bool) -> None:
        self.proxy.set_active_only(active_only)
        if self.proxy.rowCount() > 0:
            self.select_row(0)

    def _move_into_results(self, step: int) -> None:
        rows = self.proxy.rowCount()
        if rows == 0:
            return
        current = self.current_row()
        row = 0 if current < 0 else max(0, min(rows - 1, current + step))
        self.select_row(row)
        self.table.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        if watched is self.search_edit and key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self._move_into_results(1 if key == Qt.Key.Key_Down else -1)
            return True
        if watched is self.table:
            if key in _ENTER_KEYS:
                self._open_index(self.table.currentIndex())
                return True
            if key == Qt.Key.Key_Escape:
                self.focus_search_box()
                return True
            text = event.text()
            if (
                text
                and text.isprintable()
                and not event.modifiers()
                & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
            ):
                # Typing in the results (or a scan) starts a new search text.
                self.search_edit.setFocus()
                self.search_edit.setText(text)
                return True
        return super().eventFilter(watched, event)
