"""媒体管理簿 on the 同期 page: every transfer with its medium, carrier and approver; filter by
direction, CSV, and 「媒体から消去」 once the server acknowledged the package (or the import
committed). The approver's staff number for the next export or import is entered here too."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import VaxDeskError
from app.security.session import SessionView
from app.services import media
from app.ui.common.display_text import local_time_both

# the ledger table's columns, in order (headers in MediaPanel.__init__)
COLUMNS = (
    "id",
    "at",
    "direction",
    "sequence",
    "file",
    "medium",
    "carried_by",
    "approved_by",
    "erased_at",
    "erased_by",
)
_FILE = COLUMNS.index("file")


class MediaPanel(QWidget):
    message = Signal(str, bool)  # text, error
    error_message = Signal(str, str)  # code, Japanese text (the code goes in a tooltip)

    def __init__(self, session: SessionView, parent: QWidget | None = None) -> None:
        super().__init__(parent)  # the 同期 page's tab names it
        self.session = session
        self.entries: list[media.LedgerEntry] = []
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.approver_edit = QLineEdit(self)
        self.approver_edit.setObjectName("mediaApprover")
        self.approver_edit.setPlaceholderText(self.tr("Staff number of the approver"))
        approver_label = QLabel(self.tr("&Approved by"), self)
        approver_label.setBuddy(self.approver_edit)
        row.addWidget(approver_label)
        row.addWidget(self.approver_edit)
        self.direction = QComboBox(self)
        self.direction.setObjectName("mediaDirection")
        self.direction.addItem(self.tr("All"), None)
        self.direction.addItem(self.tr("Export"), "export")
        self.direction.addItem(self.tr("Import"), "import")
        row.addWidget(self.direction)
        self.csv_button = QPushButton(self.tr("CSV..."), self)
        self.erase_button = QPushButton(self.tr("E&rase from medium"), self)
        self.erase_button.setObjectName("mediaErase")
        row.addWidget(self.csv_button)
        row.addWidget(self.erase_button)
        layout.addLayout(row)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("mediaLedger")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("No."),
                self.tr("Time"),
                self.tr("Direction"),
                self.tr("Sequence"),
                self.tr("File"),
                self.tr("Medium"),
                self.tr("Carried out by"),
                self.tr("Approved by"),
                self.tr("Erased"),
                self.tr("Erased by"),
            ]
        )
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()  # the 番号 column numbers the rows
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(_FILE, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        self.direction.currentIndexChanged.connect(self.refresh)
        self.csv_button.clicked.connect(self._csv)
        self.erase_button.clicked.connect(self.erase_selected)

    def approver(self) -> str | None:
        text = self.approver_edit.text().strip()
        return text or None

    @Slot()
    def refresh(self) -> None:
        self.entries = media.ledger(self.session, direction=self.direction.currentData())
        names = media.staff_names(self.session) if self.entries else {}
        self.table.setRowCount(len(self.entries))
        for r, e in enumerate(self.entries):
            kind = self.tr("Export") if e.direction == "export" else self.tr("Import")
            medium = " / ".join(x for x in (e.volume_label, e.volume_serial) if x) or "-"
            erased_by = "" if e.erased_by is None else names.get(e.erased_by, str(e.erased_by))
            for c, text in enumerate(
                (
                    str(e.id),
                    local_time_both(e.at),
                    kind,
                    str(e.sequence or ""),
                    e.file_name,
                    medium,
                    names.get(e.carried_by, str(e.carried_by)),
                    e.approved_by,
                    local_time_both(e.erased_at),
                    erased_by,
                )
            ):
                item = QTableWidgetItem(text)
                if c == _FILE:
                    item.setToolTip(e.file_path)  # where on the medium (the name may be elided)
                self.table.setItem(r, c, item)
        if self.entries:
            self.table.setCurrentCell(0, 0)

    @Slot()
    def erase_selected(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.entries):
            return
        entry = self.entries[row]
        try:
            present = media.erase(self.session, entry.id)
        except VaxDeskError as exc:
            self.error_message.emit(exc.code, exc.message_ja)
            return
        text = (
            self.tr("Erased from the medium and recorded.")
            if present
            else self.tr("The file was already gone; recorded as erased.")
        )
        self.message.emit(text, False)
        self.refresh()

    def _csv(self) -> None:
        out, _ = QFileDialog.getSaveFileName(
            self, self.tr("CSV..."), "media-ledger.csv", "CSV (*.csv)"
        )
        if out:
            self.write_csv(Path(out))

    def write_csv(self, out: Path) -> None:
        try:
            rows = media.ledger_csv(self.session, out, direction=self.direction.currentData())
        except VaxDeskError as exc:
            self.error_message.emit(exc.code, exc.message_ja)
            return
        self.message.emit(self.tr("%1 rows written.").replace("%1", str(rows)), False)
