"""The screenshots in docs/screenshots stay reproducible: tools/screenshots.py renders every one
of them at 1280×800 (here on a small demo register), and the committed files are those screens
at that size."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tools.screenshots import EXPECTED, render_all

ROOT = Path(__file__).resolve().parents[2]


def _size(path: Path) -> tuple[int, int]:
    image = QImage(str(path))
    assert not image.isNull(), path
    return image.width(), image.height()


def test_the_committed_screenshots_are_the_screens_at_1280x800() -> None:
    for name in EXPECTED:
        assert _size(ROOT / "docs" / "screenshots" / f"{name}.png") == (1280, 800), name


def test_the_script_renders_every_screen(vaxdesk_app: QApplication, tmp_path: Path) -> None:
    written = render_all(tmp_path, persons=150, seed=1)
    assert [p.name for p in written] == [f"{n}.png" for n in EXPECTED]
    for path in written:
        assert _size(path) == (1280, 800)
        assert path.stat().st_size > 20_000  # a rendered screen, not an empty image
