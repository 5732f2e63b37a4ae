"""Every printed page of a demo register carries the 見本 / デモ台帳 watermark (issue 12 item 5),
checked in the text layer of each page and in the rendered pixels; real registers' pages do not."""

from __future__ import annotations

import io
from dataclasses import replace

import pdfplumber
import pytest
from PIL import ImageChops, ImageStat

from app.printing.drawing import DEMO_MARK, DEMO_NOTE
from tests.printing import samples


def _page_chars(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return ["".join(ch["text"] for ch in page.chars) for page in doc.pages]


@pytest.mark.parametrize("kind", sorted(samples.BUILDERS))
def test_every_page_of_a_demo_document_is_marked(kind: str, monkeypatch) -> None:
    plain, plain_pages = samples.build(kind)
    monkeypatch.setattr(samples, "MUNICIPALITY", replace(samples.MUNICIPALITY, demo=True))
    demo, pages = samples.build(kind)
    assert pages == plain_pages >= 1
    texts = _page_chars(demo)
    assert len(texts) == pages
    for text in texts:
        assert DEMO_MARK in text and DEMO_NOTE in text
    assert not any(DEMO_MARK in t or "デモ台帳" in t for t in _page_chars(plain))
    # The mark is visible ink, not only a text layer: the centre of page 1 differs clearly.
    a, b = samples.render(plain, 0, 60, grey=True), samples.render(demo, 0, 60, grey=True)
    w, h = a.size
    box = (w // 4, h // 3, 3 * w // 4, 2 * h // 3)
    diff = ImageChops.difference(a.crop(box), b.crop(box))
    assert ImageStat.Stat(diff).mean[0] > 3.0
