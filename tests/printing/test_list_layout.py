"""未接種者一覧 layout (issue 12 item 15): a long address wraps inside its column (no 5 pt text
over 保護者), 接種期限 is full 和暦 like the birth dates, and the header names a 基準日."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pdfplumber
from reportlab.lib.units import mm

from app.printing import write_unvaccinated_list
from app.printing.drawing import load_form
from app.printing.model import UnvaccinatedRow
from tests.printing.samples import CHILD, MUNICIPALITY

LONG = "東京都新宿区西新宿二丁目8番1号 グランドメゾン西新宿ステーションタワー 2503号室"


def _pdf(rows: list[UnvaccinatedRow]) -> bytes:
    buf = io.BytesIO()
    write_unvaccinated_list(
        rows,
        buf,
        municipality=MUNICIPALITY,
        series_name="麻しん風しん（第2期）",
        period_label="令和7年4月10日",
        print_date=date(2025, 4, 10),
    )
    return buf.getvalue()


def _column_edges(key: str) -> tuple[float, float]:
    layout = load_form("list_unvaccinated")
    x = layout["left"]
    for col in layout["columns"]:
        if col["key"] == key:
            return x * mm, (x + col["width"]) * mm
        x += col["width"]
    raise KeyError(key)


def test_a_long_address_wraps_inside_its_column_at_full_size() -> None:
    rows = [UnvaccinatedRow(replace(CHILD, address=LONG), "第2期", date(2026, 3, 31))] * 40
    pdf = _pdf(rows)
    a_left, a_right = _column_edges("address")
    g_left, _ = _column_edges("guardian")
    assert a_right == g_left
    size = load_form("list_unvaccinated")["size"]
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) >= 2  # taller rows: the 40 rows need more pages
        for page in doc.pages:
            cells = [ch for ch in page.chars if a_left < ch["x0"] < a_right and ch["top"] > 30 * mm]
            body = [ch for ch in cells if ch["size"] < size + 0.01 and ch["text"] != "住"]
            assert body, "address text on every page"
            for ch in body:
                assert ch["x1"] <= a_right - 0.5, "address text reaches the 保護者 column"
                assert ch["size"] >= size - 0.01, "address shrunk instead of wrapped"
            text = page.extract_text() or ""
            assert "グランドメゾン" in text.replace(" ", "")


def test_deadline_is_full_wareki_and_the_header_names_a_reference_date() -> None:
    pdf = _pdf([UnvaccinatedRow(CHILD, "第2期", date(2026, 3, 31))])
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = (doc.pages[0].extract_text() or "").replace(" ", "")
    assert "令和8年3月31日" in text
    assert "基準日：令和7年4月10日" in text
    assert "対象期間" not in text and "現在現在" not in text


def test_the_table_keeps_5mm_from_the_paper_edge() -> None:
    pdf = _pdf([UnvaccinatedRow(replace(CHILD, address=LONG), "第2期", date(2026, 3, 31))])
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        for ch in page.chars:
            if ch["text"] in ("見", "本"):
                continue
            assert ch["x0"] >= 5 * mm and ch["x1"] <= page.width - 5 * mm
            assert ch["top"] >= 5 * mm and ch["bottom"] <= page.height - 5 * mm
