"""The conflict queue: open conflicts, and the chosen one side by side field by field (fields that
differ are marked). A person keeps the local version, takes the incoming one, or merges by ticking
the fields to take from the incoming version. The service writes, queues and audits the choice."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import VaxDeskError
from app.security.session import SessionView
from app.services import sync_conflicts
from app.ui.common.display_text import local_time_both
from app.ui.sync.record_labels import field_text, record_type_text


class ConflictPanel(QWidget):
    message = Signal(str, bool)  # text, error
    error_message = Signal(str, str)  # code, Japanese text (the code goes in a tooltip)
    resolved = Signal()

    def __init__(self, session: SessionView, parent: QWidget | None = None) -> None:
        super().__init__(parent)  # the 同期 page's tab names it
        self.session = session
        self.views: list[sync_conflicts.ConflictView] = []
        layout = QVBoxLayout(self)
        self.list_table = QTableWidget(0, 4, self)
        self.list_table.setObjectName("syncConflicts")
        self.list_table.setHorizontalHeaderLabels(
            [self.tr("No."), self.tr("Record"), self.tr("Arrived"), self.tr("Differs in")]
        )
        self.list_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.list_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.list_table.verticalHeader().hide()
        listed = self.list_table.horizontalHeader()
        listed.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        listed.setStretchLastSection(True)
        layout.addWidget(self.list_table)
        self.detail = QTableWidget(0, 3, self)
        self.detail.setObjectName("syncConflictDetail")
        self.detail.setHorizontalHeaderLabels(
            [self.tr("Field"), self.tr("This terminal"), self.tr("Incoming (tick to take)")]
        )
        self.detail.verticalHeader().hide()
        sides = self.detail.horizontalHeader()  # the two versions side by side, equally wide
        sides.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        sides.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        sides.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.detail)
        row = QHBoxLayout()
        self.local_button = QPushButton(self.tr("Keep &local"), self)
        self.local_button.setObjectName("conflictKeepLocal")
        self.incoming_button = QPushButton(self.tr("Take i&ncoming"), self)
        self.incoming_button.setObjectName("conflictTakeIncoming")
        self.merge_button = QPushButton(self.tr("&Merge ticked fields"), self)
        self.merge_button.setObjectName("conflictMerge")
        for button in (self.local_button, self.incoming_button, self.merge_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.list_table.currentCellChanged.connect(lambda *_: self._show_selected())
        self.local_button.clicked.connect(lambda: self.resolve("local"))
        self.incoming_button.clicked.connect(lambda: self.resolve("incoming"))
        self.merge_button.clicked.connect(lambda: self.resolve("merged"))
        self._set_buttons(None)

    @Slot()
    def refresh(self) -> None:
        self.views = sync_conflicts.open_conflicts(self.session)
        self.list_table.setRowCount(len(self.views))
        for r, view in enumerate(self.views):
            differs = "、".join(field_text(f.name) for f in view.fields if f.differs)
            when = local_time_both(view.created_at)  # 和暦 + 西暦, local time
            kind = record_type_text(view.record_type)
            for c, text in enumerate((str(view.id), kind, when, differs)):
                item = QTableWidgetItem(text)
                if c == 1:
                    item.setToolTip(view.record_type)
                self.list_table.setItem(r, c, item)
        self.list_table.clearSelection()
        self.detail.setRowCount(0)
        self._set_buttons(None)
        if self.views:
            self.list_table.setCurrentCell(0, 0)
        self._show_selected()

    def selected(self) -> sync_conflicts.ConflictView | None:
        row = self.list_table.currentRow()
        return self.views[row] if 0 <= row < len(self.views) else None

    def _set_buttons(self, view: sync_conflicts.ConflictView | None) -> None:
        self.incoming_button.setEnabled(view is not None)
        self.local_button.setEnabled(view is not None and not view.server_applied)
        self.merge_button.setEnabled(view is not None and not view.server_applied)

    def _show_selected(self) -> None:
        view = self.selected()
        self._set_buttons(view)
        fields = view.fields if view else ()
        self.detail.setRowCount(len(fields))
        for r, f in enumerate(fields):
            name = QTableWidgetItem(("● " if f.differs else "") + field_text(f.name))
            name.setToolTip(f.name)  # the record field's key, for whoever compares with a package
            local = QTableWidgetItem(f.local)
            incoming = QTableWidgetItem(f.incoming)
            for item in (name, local):
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            incoming.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            incoming.setCheckState(Qt.CheckState.Unchecked)
            self.detail.setItem(r, 0, name)
            self.detail.setItem(r, 1, local)
            self.detail.setItem(r, 2, incoming)

    def ticked(self) -> dict[str, str]:
        view = self.selected()
        out: dict[str, str] = {}
        if view is None:
            return out
        for r, f in enumerate(view.fields):
            item = self.detail.item(r, 2)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out[f.name] = "incoming"
        return out

    def resolve(self, choice: str) -> None:
        view = self.selected()
        if view is None:
            return
        try:
            sync_conflicts.resolve(
                self.session, view.id, choice, merged=self.ticked() if choice == "merged" else None
            )
        except VaxDeskError as exc:
            self.error_message.emit(exc.code, exc.message_ja)
            return
        self.message.emit(self.tr("Conflict %1 resolved.").replace("%1", str(view.id)), False)
        self.refresh()
        self.resolved.emit()
