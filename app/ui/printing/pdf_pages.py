"""PDF pages as images (pypdfium2) and printing them on a QPrinter.

``PdfPages`` opens one PDF file and renders a page to a QImage at a given resolution; it is used
on the GUI thread only (pdfium is not thread-safe). ``PagePrinter`` paints the pages of one or
more files on a QPrinter, one page per event-loop turn, so the window stays responsive and a
long print can be cancelled between pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QObject, QRect, QSize, QSizeF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage, QPageLayout, QPainter
from PySide6.QtPrintSupport import QPrinter

POINTS_PER_INCH = 72.0
MAX_PRINT_DPI = 300


class PdfPages:
    """One open PDF file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._doc = pdfium.PdfDocument(str(self.path))

    def __len__(self) -> int:
        return len(self._doc)

    def page_size_points(self, index: int) -> QSizeF:
        width, height = self._doc[index].get_size()
        return QSizeF(width, height)

    def render(self, index: int, dpi: float) -> QImage:
        """Page ``index`` (0-based) as an RGB image at ``dpi``."""
        page = self._doc[index]
        bitmap = page.render(scale=dpi / POINTS_PER_INCH, rev_byteorder=True)
        fmt = (
            QImage.Format.Format_RGB888 if bitmap.n_channels == 3 else QImage.Format.Format_RGBA8888
        )
        pixels = bytes(bitmap.buffer)  # kept alive until the image owns a copy
        image = QImage(pixels, bitmap.width, bitmap.height, bitmap.stride, fmt).copy()
        del pixels
        bitmap.close()
        page.close()
        return image

    def close(self) -> None:
        self._doc.close()


def open_all(paths: Sequence[Path]) -> list[PdfPages]:
    return [PdfPages(p) for p in paths]


class PagePrinter(QObject):
    """Paints every page of ``documents`` on ``printer``; ``finished(True)`` when all pages were
    sent, ``finished(False)`` when cancelled or the printer refused to start."""

    progress = Signal(int, int)  # pages done, total
    finished = Signal(bool)

    def __init__(
        self, documents: Sequence[PdfPages], printer: QPrinter, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._documents = list(documents)
        self._printer = printer
        self._pages = [(d, i) for d in self._documents for i in range(len(d))]
        self._next = 0
        self._painter: QPainter | None = None
        self._cancelled = False
        self.pages_printed = 0

    @property
    def total(self) -> int:
        return len(self._pages)

    def start(self) -> None:
        if not self._pages:
            self.finished.emit(True)
            return
        first, index = self._pages[0]
        size = first.page_size_points(index)
        self._printer.setFullPage(True)
        self._printer.setPageOrientation(
            QPageLayout.Orientation.Landscape
            if size.width() > size.height()
            else QPageLayout.Orientation.Portrait
        )
        painter = QPainter()
        if not painter.begin(self._printer):
            self.finished.emit(False)
            return
        self._painter = painter
        QTimer.singleShot(0, self, self._print_next)

    def cancel(self) -> None:
        self._cancelled = True

    @Slot()
    def _print_next(self) -> None:
        painter = self._painter
        assert painter is not None
        if self._cancelled:
            self._printer.abort()
            painter.end()
            self.finished.emit(False)
            return
        document, index = self._pages[self._next]
        if self._next > 0:
            self._printer.newPage()
        dpi = min(self._printer.resolution(), MAX_PRINT_DPI)
        image = document.render(index, dpi)
        target = self._printer.pageLayout().fullRectPixels(self._printer.resolution())
        painter.drawImage(_fit(image.size(), target), image)
        self._next += 1
        self.pages_printed = self._next
        self.progress.emit(self._next, self.total)
        if self._next < self.total:
            QTimer.singleShot(0, self, self._print_next)
        else:
            painter.end()
            self._painter = None
            self.finished.emit(True)


def _fit(size: QSize, target: QRect) -> QRect:
    """``size`` scaled to fit ``target`` keeping its aspect ratio, centred."""
    scaled = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
    x = target.x() + (target.width() - scaled.width()) // 2
    y = target.y() + (target.height() - scaled.height()) // 2
    return QRect(x, y, scaled.width(), scaled.height())
