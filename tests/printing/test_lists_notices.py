from __future__ import annotations

import io
import json
from datetime import date

import pdfplumber
import pytest

from app.domain.wareki import format_wareki
from app.paths import resource_path
from app.printing import NoticeRequest, write_notices, write_unvaccinated_list
from tests.printing.samples import (
    CHILD,
    MUNICIPALITY,
    PRINT_DATE,
    page_sizes,
    page_texts,
    read_barcodes,
    unvaccinated_rows,
    yoshinhyo_request,
)

MM = 72 / 25.4


def _list(n: int) -> tuple[bytes, int]:
    buf = io.BytesIO()
    pages = write_unvaccinated_list(
        unvaccinated_rows(n),
        buf,
        municipality=MUNICIPALITY,
        series_name="麻しん風しん（第2期）",
        period_label="令和7年度",
        print_date=PRINT_DATE,
    )
    return buf.getvalue(), pages


def test_unvaccinated_list_repeats_header_and_numbers_pages() -> None:
    pdf, pages = _list(60)
    assert pages >= 3
    assert all(size == pytest.approx((841.89, 595.28), abs=0.01) for size in page_sizes(pdf))
    columns = [
        c["title"]
        for c in json.loads(
            resource_path("forms", "list_unvaccinated.json").read_text(encoding="utf-8")
        )["columns"]
    ]
    texts = page_texts(pdf)
    for i, text in enumerate(texts, start=1):
        for title in columns:
            assert title in text
        assert f"{i} / {pages}" in text
        assert "未接種者一覧" in text
    all_text = "\n".join(texts).replace(" ", "")
    assert all_text.count("東京都新宿区西新宿二丁目8番1号") == 60
    assert "160-0023" in all_text and format_wareki(CHILD.birth_date) in all_text
    assert "該当者60名" in all_text


def test_notice_is_letter_then_prefilled_yoshinhyo_with_address_in_the_window() -> None:
    layout = json.loads(resource_path("forms", "notice_layout.json").read_text(encoding="utf-8"))
    a = layout["address_block"]
    req = yoshinhyo_request("mr2", "第2期", 77, CHILD)
    buf = io.BytesIO()
    pages = write_notices(
        [NoticeRequest(req, date(2026, 3, 31))] * 2, buf, municipality=MUNICIPALITY
    )
    pdf = buf.getvalue()
    assert pages == 4
    letter, form = (t.replace(" ", "") for t in page_texts(pdf)[:2])
    assert "予防接種のお知らせ" in letter and format_wareki(date(2026, 3, 31)) in letter
    assert "予防接種予診票" in form and "山田太郎" in form and "第2期" in form
    assert [t for _, t, _ in read_barcodes(pdf, 1)] == ["Y25-0000077"]
    # the window envelope shows the address block: postal code, address and addressee inside it
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        words = doc.pages[0].extract_words()
    inside = [
        w["text"]
        for w in words
        if w["x0"] >= (a["x"] - 0.5) * MM
        and w["x1"] <= (a["x"] + a["width"] + 0.5) * MM
        and w["top"] >= (a["top"] - 0.5) * MM
        and w["bottom"] <= (a["top"] + a["height"] + 0.5) * MM
    ]
    joined = "".join(inside)
    assert "〒160-0023" in joined
    assert CHILD.address in joined
    assert CHILD.guardian_name.replace(" ", "") in joined
    # the block lies inside the assumed 長3 window (23 mm from the left, 12 mm from the top, 90x45)
    assert a["x"] >= 23 and a["top"] >= 12
    assert a["x"] + a["width"] <= 23 + 90 and a["top"] + a["height"] <= 12 + 45
