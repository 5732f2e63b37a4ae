"""管理 → ワクチンカタログ: corrections to the vaccine catalog (``catalog_admin``, permission
``catalog.manage``, audited). Choose a file, see what it changes (``preview_import``: validated,
nothing stored), apply exactly that preview (``apply_import`` checks its sha256, so a file edited
after the preview is refused), and the history of imported versions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.security import permissions as perm
from app.security.session import SessionView
from app.services import catalog_admin
from app.services.catalog_admin import CatalogPreview, CatalogVersion
from app.ui.admin.settings_page_base import SettingsPage
from app.ui.common.display_text import QT_TRANSLATE_NOOP, local_time_both, long_date_text
from app.ui.common.jobs import JobContext, JobRunner

KIND_TEXT = {
    "series": QT_TRANSLATE_NOOP("CatalogPage", "Vaccination"),
    "product": QT_TRANSLATE_NOOP("CatalogPage", "Vaccine product"),
    "rule": QT_TRANSLATE_NOOP("CatalogPage", "Special rule"),
    "setting": QT_TRANSLATE_NOOP("CatalogPage", "Setting"),
}
# The catalog's top-level settings (catalog.schema.json) by their Japanese names.
SETTING_TEXT = {
    "revision": QT_TRANSLATE_NOOP("CatalogPage", "Revision date"),
    "live_injected_min_days": QT_TRANSLATE_NOOP(
        "CatalogPage", "Days between two live injected vaccines"
    ),
    "format": QT_TRANSLATE_NOOP("CatalogPage", "File format"),
    "format_version": QT_TRANSLATE_NOOP("CatalogPage", "File format version"),
}
CHANGE_TEXT = {
    "added": QT_TRANSLATE_NOOP("CatalogPage", "Added"),
    "removed": QT_TRANSLATE_NOOP("CatalogPage", "Removed"),
    "changed": QT_TRANSLATE_NOOP("CatalogPage", "Changed"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("CatalogPage", text)


def _value_text(value: str | None) -> str:
    """A name or setting value; a date (the revision) in the app's 和暦 + 西暦 style."""
    if not value:
        return ""
    try:
        return long_date_text(date.fromisoformat(value)) if len(value) == 10 else value
    except ValueError:
        return value


def _item_text(kind: str, item_id: str) -> str:
    """The changed item: a setting by its Japanese name (its key in the tooltip), else the id."""
    if kind == "setting" and item_id in SETTING_TEXT:
        return _tr(SETTING_TEXT[item_id])
    return item_id


def _table(parent: QWidget, name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setTabKeyNavigation(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for i, cells in enumerate(rows):
        for j, text in enumerate(cells):
            table.setItem(i, j, QTableWidgetItem(text))


class CatalogPage(SettingsPage):
    previewed = Signal(object)  # CatalogPreview
    applied = Signal(int)  # the new version's number

    def __init__(
        self, session: SessionView, jobs: JobRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            session,
            jobs,
            self.tr("Vaccine catalog"),
            self.tr(
                "Corrections to the vaccine catalog used for schedules and printed documents. "
                "Choose the file you received, check the differences, then apply exactly what "
                "is shown. Every version is kept."
            ),
            parent,
        )
        session.require(perm.CATALOG_MANAGE)
        self.setObjectName("catalogPage")
        self.preview: CatalogPreview | None = None
        row = QHBoxLayout()
        self.choose_button = QPushButton(
            self.tr("&Choose a file and show the differences..."), self
        )
        self.choose_button.setObjectName("catalogChoose")
        self.apply_button = QPushButton(self.tr("&Apply what is shown"), self)
        self.apply_button.setObjectName("catalogApply")
        self.apply_button.setEnabled(False)
        row.addWidget(self.choose_button)
        row.addWidget(self.apply_button)
        row.addStretch(1)
        self.page_layout.addLayout(row)
        self.preview_label = QLabel(self)
        self.preview_label.setObjectName("catalogPreviewLabel")
        self.preview_label.setWordWrap(True)
        self.page_layout.addWidget(self.preview_label)
        self.diff_table = _table(
            self,
            "catalogDiff",
            [
                self.tr("Kind"),
                self.tr("ID"),
                self.tr("Change"),
                self.tr("Before"),
                self.tr("After"),
            ],
        )
        self.page_layout.addWidget(self.diff_table, 3)
        history = QLabel(self.tr("Imported versions"), self)
        history.setObjectName("sectionHeading")
        self.page_layout.addWidget(history)
        self.history_table = _table(
            self,
            "catalogHistory",
            [
                self.tr("Version"),
                self.tr("Imported"),
                self.tr("Staff no."),
                self.tr("Changes"),
                self.tr("In force"),
                self.tr("SHA-256"),
            ],
        )
        self.page_layout.addWidget(self.history_table, 2)
        self.choose_button.clicked.connect(self.choose_file)
        self.apply_button.clicked.connect(self.apply)

    def activate(self) -> None:
        self.choose_button.setFocus()
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        session = self.session
        self.run(lambda ctx: catalog_admin.history(session), self._show_history)

    @Slot(object)
    def _show_history(self, versions: list[CatalogVersion]) -> None:
        _fill(
            self.history_table,
            [
                [
                    str(v.number),
                    local_time_both(v.imported_at),
                    v.staff_no,
                    str(v.changes),
                    self.tr("in force") if v.in_force else "",
                    v.sha256[:16],
                ]
                for v in versions
            ],
        )
        if not versions:
            self.history_table.setRowCount(1)
            self.history_table.setItem(
                0, 0, QTableWidgetItem(self.tr("None (the catalog shipped with VaxDesk is used)"))
            )
        self.loaded.emit()

    def ask_file(self) -> Path | None:
        """The file to compare (a seam: tests replace it)."""
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Vaccine catalog file"), "", self.tr("Catalog (*.json)")
        )
        return Path(name) if name else None

    @Slot()
    def choose_file(self) -> None:
        source = self.ask_file()
        if source is None:
            return
        self._set_preview(None)
        session = self.session

        def work(ctx: JobContext) -> CatalogPreview:
            return catalog_admin.preview_import(session, source)

        self.show_message(self.tr("Reading %1...").replace("%1", source.name))
        self.run(work, self._previewed)

    def _set_preview(self, preview: CatalogPreview | None) -> None:
        self.preview = preview
        self.apply_button.setEnabled(preview is not None and bool(preview.changes))
        if preview is None:
            self.preview_label.clear()
            self.diff_table.setRowCount(0)

    @Slot(object)
    def _previewed(self, preview: CatalogPreview) -> None:
        self._set_preview(preview)
        self.preview_label.setText(
            self.tr("Revision %1 · SHA-256 %2 · %3 changes")
            .replace("%1", _value_text(preview.revision) or "-")
            .replace("%2", preview.sha256[:16])
            .replace("%3", str(len(preview.changes)))
        )
        _fill(
            self.diff_table,
            [
                [
                    _tr(KIND_TEXT.get(c.kind, c.kind)),
                    _item_text(c.kind, c.item_id),
                    _tr(CHANGE_TEXT.get(c.change, c.change)),
                    _value_text(c.name_before),
                    _value_text(c.name_after),
                ]
                for c in preview.changes
            ],
        )
        for row, change in enumerate(preview.changes):
            item = self.diff_table.item(row, 1)
            if change.kind == "setting" and item is not None:  # the key as the file spells it
                item.setToolTip(change.item_id)
        if preview.changes:
            self.show_message(self.tr("Check the differences, then apply them."))
            self.apply_button.setFocus()
        else:
            self.show_message(self.tr("The file makes no difference; there is nothing to apply."))
        self.previewed.emit(preview)

    def confirm_apply(self, preview: CatalogPreview) -> bool:
        """Ask before applying (a seam: tests answer it)."""
        answer = QMessageBox.question(
            self,
            self.tr("Apply the catalog"),
            self.tr("Apply the %1 changes shown? Documents printed from now on use them.").replace(
                "%1", str(len(preview.changes))
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    @Slot()
    def apply(self) -> None:
        preview = self.preview
        if preview is None or not preview.changes or not self.confirm_apply(preview):
            return
        session = self.session

        def work(ctx: JobContext) -> int:
            return catalog_admin.apply_import(session, preview)  # exactly what was shown

        self.apply_button.setEnabled(False)
        self.run(work, self._applied, lambda code, message: self._set_preview(None))

    @Slot(object)
    def _applied(self, number: int) -> None:
        self._set_preview(None)
        text = self.tr(
            "Catalog version %1 is in force. Staff signed in now use it after signing in again."
        ).replace("%1", str(number))
        self.show_message(text)
        self.action_finished.emit(text, False)
        self.applied.emit(number)
        self.refresh()
