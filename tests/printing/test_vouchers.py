from __future__ import annotations

import io
import itertools

import pdfplumber
import pytest

from app.errors import InvalidInput
from app.printing import Voucher, write_single_voucher, write_vouchers
from app.printing.vouchers import cells_per_sheet
from tests.printing.samples import (
    A4_PORTRAIT,
    MUNICIPALITY,
    page_sizes,
    page_texts,
    read_barcodes,
    voucher,
)

MM = 72 / 25.4


def _write(vouchers: list[Voucher], start_cell: int = 0) -> tuple[bytes, int]:
    buf = io.BytesIO()
    pages = write_vouchers(vouchers, buf, municipality=MUNICIPALITY, start_cell=start_cell)
    return buf.getvalue(), pages


def test_ocr_digits_are_kind_count_municipality_and_number() -> None:
    v = Voucher("0123456789", "131041", "山田 太郎", "3", "2", "帯状疱疹")
    assert v.ocr_digits == "3" + "2" + "131041" + "0123456789"
    assert len(v.ocr_digits) == 18


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("voucher_no", "12345", "E_VOUCHER_LENGTH"),
        ("municipality_code", "131042", "E_MUNICIPALITY_CHECK_DIGIT"),
        ("kind_code", "12", "E_PRINT_VOUCHER_CODE"),
    ],
)
def test_malformed_voucher_is_refused(field: str, value: str, code: str) -> None:
    args = {
        "voucher_no": "0000000001",
        "municipality_code": "131041",
        "name": "山田 太郎",
        "kind_code": "1",
        "count_code": "1",
        "series_name": "ヒブ",
    }
    args[field] = value
    with pytest.raises(InvalidInput) as exc:
        Voucher(**args)
    assert exc.value.code == code


def test_sheet_content_and_barcodes_read_back() -> None:
    vouchers = [voucher(i, name=f"接種 者{i}") for i in range(1, 4)]
    pdf, pages = _write(vouchers)
    assert pages == 1
    assert page_sizes(pdf) == [pytest.approx(A4_PORTRAIT, abs=0.01)]
    text = page_texts(pdf)[0]
    for v in vouchers:
        assert v.voucher_no in text
        assert v.ocr_digits in text
        assert v.name.replace(" ", "") in text.replace(" ", "")
    assert "市町村コード 131041" in text
    found = {(f, t) for f, t, _ in read_barcodes(pdf)}
    expected = {("Codabar", f"A{v.voucher_no}A") for v in vouchers}
    expected |= {("QRCode", v.ocr_digits) for v in vouchers}
    assert found == expected


def test_ocr_line_is_set_in_ocr_b() -> None:
    pdf, _ = _write([voucher(42)])
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = [c for c in doc.pages[0].chars if c["fontname"].endswith("OCRB-Regular")]
    ocr_text = "".join(c["text"] for c in chars)
    assert voucher(42).ocr_digits in ocr_text


def test_cells_are_63mm_wide_and_33_to_35mm_high_measured_from_cut_marks() -> None:
    pdf, _ = _write([voucher(i) for i in range(1, 25)])
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        lines = page.lines
        height = float(page.height)
    vertical_top = sorted(
        {round(ln["x0"], 2) for ln in lines if ln["x0"] == ln["x1"] and ln["bottom"] < 12 * MM}
    )
    horizontal_left = sorted(
        {round(ln["top"], 2) for ln in lines if ln["top"] == ln["bottom"] and ln["x1"] < 10 * MM}
    )
    assert len(vertical_top) == 4 and len(horizontal_left) == 9
    widths = [(b - a) / MM for a, b in itertools.pairwise(vertical_top)]
    heights = [(b - a) / MM for a, b in itertools.pairwise(horizontal_left)]
    assert all(abs(w - 63) < 0.05 for w in widths)
    assert all(33 <= h <= 35 for h in heights)
    assert horizontal_left[0] > 0 and horizontal_left[-1] < height


def test_batch_fills_sheets_of_24_and_continues_on_new_pages() -> None:
    per_sheet = cells_per_sheet()
    assert per_sheet == 24
    pdf, pages = _write([voucher(i) for i in range(1, per_sheet + 3)])
    assert pages == 2
    texts = page_texts(pdf)
    assert f"{per_sheet:010d}" in texts[0] and f"{per_sheet + 1:010d}" in texts[1]
    codabars = [t for f, t, _ in read_barcodes(pdf, 1) if f == "Codabar"]
    assert sorted(codabars) == [f"A{per_sheet + 1:010d}A", f"A{per_sheet + 2:010d}A"]


def test_single_voucher_goes_into_the_requested_cell() -> None:
    buf = io.BytesIO()
    assert write_single_voucher(voucher(9), buf, municipality=MUNICIPALITY, cell=4) == 1
    found = [(f, t, p) for f, t, p in read_barcodes(buf.getvalue()) if f == "Codabar"]
    assert [t for _, t, _ in found] == ["A0000000009A"]
    pos = found[0][2]
    px_per_mm = 300 / 25.4
    # cell 4 = second row, middle column: x in 73.5–136.5 mm, y in 46.5–80.5 mm from the top
    assert 73.5 * px_per_mm < pos.top_left.x < 136.5 * px_per_mm
    assert 46.5 * px_per_mm < pos.top_left.y < 80.5 * px_per_mm


def test_start_cell_out_of_range_is_refused() -> None:
    with pytest.raises(InvalidInput):
        _write([voucher(1)], start_cell=24)
