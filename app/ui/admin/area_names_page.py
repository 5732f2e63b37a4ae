"""管理 → 地区名: name the 地区 codes of the register (``areas.list_areas`` / ``areas.set_names``,
permission ``settings.manage``, audited). Registers from the resident system carry only codes;
the names then show on the 未接種者一覧 screen and on the printed list as 「中央地区（03）」.

The table lists every code in use (and any named code no household uses any more); the 地区名
column is edited in place (F2 or typing), an empty name removes it, 保存 stores the changed rows
in one audited step."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.security import permissions as perm
from app.security.session import SessionView
from app.services import areas
from app.services.areas import AreaRow
from app.ui.admin.settings_page_base import SettingsPage
from app.ui.common.jobs import JobContext, JobRunner

CODE, NAME, IN_USE = range(3)


class AreaNamesPage(SettingsPage):
    def __init__(
        self, session: SessionView, jobs: JobRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            session,
            jobs,
            self.tr("Area names"),
            self.tr(
                "Give each area code a name. Lists and printed lists then show the name with "
                "its code. Type in the name column (F2 edits); an empty name removes it."
            ),
            parent,
        )
        session.require(perm.SETTINGS_MANAGE)
        self.setObjectName("areaNamesPage")
        self.rows: list[AreaRow] = []
        self._after_load = ""  # a message to show once the table is read again (after a save)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("areaTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Area code"), self.tr("Area name"), self.tr("Households")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(CODE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(IN_USE, QHeaderView.ResizeMode.ResizeToContents)
        self.page_layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("&Save"), self)
        self.save_button.setObjectName("areaSave")
        self.reload_button = QPushButton(self.tr("&Reload"), self)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.reload_button)
        buttons.addStretch(1)
        self.page_layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        self.reload_button.clicked.connect(self.refresh)

    def activate(self) -> None:
        self.table.setFocus()
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        session = self.session
        self.run(lambda ctx: areas.list_areas(session), self._show_rows)

    @Slot(object)
    def _show_rows(self, rows: list[AreaRow]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            code = QTableWidgetItem(row.code)
            code.setFlags(code.flags() & ~Qt.ItemFlag.ItemIsEditable)
            name = QTableWidgetItem(row.name)
            name.setToolTip(self.tr("At most %1 characters").replace("%1", str(areas.NAME_MAX)))
            used = QTableWidgetItem(self.tr("in use") if row.households else self.tr("none"))
            used.setFlags(used.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(i, CODE, code)
            self.table.setItem(i, NAME, name)
            self.table.setItem(i, IN_USE, used)
        if rows:
            self.table.setCurrentCell(0, NAME)
        if self._after_load:
            self.show_message(self._after_load)
            self._after_load = ""
        elif rows:
            unnamed = sum(1 for r in rows if not r.name)
            self.show_message(
                self.tr("%1 areas, %2 without a name.")
                .replace("%1", str(len(rows)))
                .replace("%2", str(unnamed))
            )
        else:
            self.show_message(self.tr("No household has an area code."))
        self.loaded.emit()

    def changes(self) -> dict[str, str]:
        """Code → typed name for the rows whose name was edited."""
        out = {}
        for i, row in enumerate(self.rows):
            item = self.table.item(i, NAME)
            typed = item.text() if item is not None else ""
            if typed.strip() != row.name:
                out[row.code] = typed
        return out

    @Slot()
    def save(self) -> None:
        editor = QApplication.focusWidget()  # a name still being typed counts (Alt+S keeps focus)
        if editor is not None and editor is not self.table and self.table.isAncestorOf(editor):
            self.table.commitData(editor)
        changes = self.changes()
        if not changes:
            self.show_message(self.tr("Nothing was changed."))
            return
        session = self.session

        def work(ctx: JobContext) -> list[str]:
            return areas.set_names(session, changes)

        self.save_button.setEnabled(False)
        self.run(work, self._saved, self._failed)

    @Slot(object)
    def _saved(self, changed: list[str]) -> None:
        self.save_button.setEnabled(True)
        text = self.tr("Saved the names of %1 areas.").replace("%1", str(len(changed)))
        self._after_load = text
        self.refresh()
        self.action_finished.emit(text, False)

    def _failed(self, code: str, message_ja: str) -> None:
        self.save_button.setEnabled(True)
        self.table.setFocus()
