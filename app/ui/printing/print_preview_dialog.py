"""Print preview of the PDF a print service wrote: pages rendered with pypdfium2, then Print
(to the default printer, or through the print dialog), or Save as PDF.

Keyboard: the Print button has the focus, so Enter prints at once (the counter's second
keystroke after F5); Ctrl+P chooses the printer first; Ctrl+S saves a copy; PgUp/PgDn turn pages;
Esc closes. The dialog is non-blocking (``open``) and closes itself after printing.

Test seams: ``default_printer`` (returns the QPrinter Enter prints to, or None when the terminal
has no default printer — then the print dialog is shown), ``ask_printer`` (runs the print dialog on
a QPrinter) and ``ask_save_path``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.ui.printing.pdf_pages import PagePrinter, PdfPages, open_all

PREVIEW_DPI = 96


def system_default_printer() -> QPrinter | None:
    info = QPrinterInfo.defaultPrinter()
    if info.isNull():
        return None
    return QPrinter(info, QPrinter.PrinterMode.HighResolution)


class PrintPreviewDialog(QDialog):
    printed = Signal(int)  # pages sent to the printer
    saved = Signal(object)  # Path of the copy

    def __init__(self, paths: Sequence[Path], title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printPreviewDialog")
        self.setWindowTitle(self.tr("Print preview - %1").replace("%1", title))
        self.paths = [Path(p) for p in paths]
        self.documents: list[PdfPages] = open_all(self.paths)
        self.default_printer: Callable[[], QPrinter | None] = system_default_printer
        self.ask_printer: Callable[[QPrinter], bool] = self._run_print_dialog
        self.ask_save_path: Callable[[], Path | None] = self._ask_save_path
        self._document = 0
        self._page = 0
        self._printer_job: PagePrinter | None = None
        self._build()
        self.resize(920, 860)
        self._show_page()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        nav = QHBoxLayout()
        self.file_combo = QComboBox(self)
        self.file_combo.addItems([p.name for p in self.paths])
        self.file_combo.setVisible(len(self.paths) > 1)
        self.file_combo.currentIndexChanged.connect(self._choose_file)
        self.previous_button = QPushButton(self.tr("Previous page [PgUp]"), self)
        self.next_button = QPushButton(self.tr("Next page [PgDn]"), self)
        self.page_label = QLabel(self)
        self.page_label.setObjectName("previewPageLabel")
        for button in (self.previous_button, self.next_button):
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.previous_button.clicked.connect(lambda: self.turn_page(-1))
        self.next_button.clicked.connect(lambda: self.turn_page(1))
        nav.addWidget(self.file_combo)
        nav.addWidget(self.previous_button)
        nav.addWidget(self.page_label)
        nav.addWidget(self.next_button)
        nav.addStretch(1)
        layout.addLayout(nav)

        self.page_view = QLabel(self)
        self.page_view.setObjectName("previewPage")
        self.page_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidget(self.page_view)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.scroll_area, 1)

        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.message = QLabel(self)
        self.message.setObjectName("statusMessage")
        layout.addWidget(self.progress)
        layout.addWidget(self.message)

        buttons = QHBoxLayout()
        self.print_button = QPushButton(self.tr("Print [Enter]"), self)
        self.print_button.setObjectName("printButton")
        self.print_button.setDefault(True)
        self.choose_printer_button = QPushButton(self.tr("Choose printer... [Ctrl+P]"), self)
        self.save_button = QPushButton(self.tr("Save as PDF... [Ctrl+S]"), self)
        self.close_button = QPushButton(self.tr("Close [Esc]"), self)
        for button in (self.choose_printer_button, self.save_button, self.close_button):
            button.setAutoDefault(False)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.choose_printer_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

        self.print_button.clicked.connect(self.print_to_default)
        self.choose_printer_button.clicked.connect(self.print_with_dialog)
        self.save_button.clicked.connect(self.save_as_pdf)
        self.close_button.clicked.connect(self.reject)
        for keys, slot in (
            (QKeySequence("Ctrl+P"), self.print_with_dialog),
            (QKeySequence("Ctrl+S"), self.save_as_pdf),
            (QKeySequence(Qt.Key.Key_PageDown), lambda: self.turn_page(1)),
            (QKeySequence(Qt.Key.Key_PageUp), lambda: self.turn_page(-1)),
        ):
            QShortcut(keys, self).activated.connect(slot)
        self.print_button.setFocus()

    # --- pages -------------------------------------------------------------------------------

    @property
    def page_count(self) -> int:
        return sum(len(d) for d in self.documents)

    def _show_page(self) -> None:
        document = self.documents[self._document]
        count = len(document)
        if count == 0:
            self.page_view.clear()
            self.page_label.setText("")
            return
        self.page_view.setPixmap(QPixmap.fromImage(document.render(self._page, PREVIEW_DPI)))
        self.page_label.setText(
            self.tr("Page %1 of %2").replace("%1", str(self._page + 1)).replace("%2", str(count))
        )
        self.previous_button.setEnabled(self._page > 0)
        self.next_button.setEnabled(self._page < count - 1)

    def turn_page(self, step: int) -> None:
        count = len(self.documents[self._document])
        page = max(0, min(count - 1, self._page + step))
        if page != self._page:
            self._page = page
            self._show_page()

    @Slot(int)
    def _choose_file(self, index: int) -> None:
        self._document, self._page = index, 0
        self._show_page()

    # --- printing ----------------------------------------------------------------------------

    @Slot()
    def print_to_default(self) -> None:
        printer = self.default_printer()
        if printer is None:
            self.print_with_dialog()
            return
        self._print_on(printer)

    @Slot()
    def print_with_dialog(self) -> None:
        printer = self.default_printer() or QPrinter(QPrinter.PrinterMode.HighResolution)
        if self.ask_printer(printer):
            self._print_on(printer)

    def _run_print_dialog(self, printer: QPrinter) -> bool:
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("Print"))
        return dialog.exec() == QDialog.DialogCode.Accepted

    def _print_on(self, printer: QPrinter) -> None:
        if self._printer_job is not None:
            return
        job = PagePrinter(self.documents, printer, self)
        self._printer_job = job
        self.progress.setRange(0, job.total)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.message.setText(self.tr("Printing..."))
        for button in (self.print_button, self.choose_printer_button, self.save_button):
            button.setEnabled(False)
        job.progress.connect(lambda done, _total: self.progress.setValue(done))
        job.finished.connect(self._print_finished)
        job.start()

    @Slot(bool)
    def _print_finished(self, ok: bool) -> None:
        job = self._printer_job
        self._printer_job = None
        self.progress.setVisible(False)
        for button in (self.print_button, self.choose_printer_button, self.save_button):
            button.setEnabled(True)
        if ok and job is not None:
            self.printed.emit(job.pages_printed)
            self.accept()
        else:
            self.message.setText(self.tr("Printing was stopped or the printer is not ready."))

    # --- saving ------------------------------------------------------------------------------

    def _ask_save_path(self) -> Path | None:
        if len(self.paths) > 1:
            folder = QFileDialog.getExistingDirectory(self, self.tr("Save PDF files to"))
            return Path(folder) if folder else None
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save as PDF"), self.paths[0].name, self.tr("PDF files (*.pdf)")
        )
        return Path(name) if name else None

    @Slot()
    def save_as_pdf(self) -> None:
        target = self.ask_save_path()
        if target is None:
            return
        try:
            if len(self.paths) > 1:
                for path in self.paths:
                    shutil.copyfile(path, target / path.name)
            else:
                if target.suffix.lower() != ".pdf":
                    target = target.with_suffix(".pdf")
                shutil.copyfile(self.paths[0], target)
        except OSError:
            self.message.setText(self.tr("The PDF could not be saved. Check the folder."))
            return
        self.message.setText(self.tr("Saved: %1").replace("%1", str(target)))
        self.saved.emit(target)

    # --- closing -----------------------------------------------------------------------------

    def done(self, result: int) -> None:
        if self._printer_job is not None:
            self._printer_job.cancel()
            return  # closes when the printer job reports back
        for document in self.documents:
            document.close()
        self.documents = []
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._printer_job is not None:
            self._printer_job.cancel()
            event.ignore()
            return
        super().closeEvent(event)
