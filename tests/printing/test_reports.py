from __future__ import annotations

import io
import json

import pytest

from app.paths import resource_path
from app.printing import write_annual_report, write_monthly_report
from app.printing.drawing import load_form
from tests.printing.samples import ANNUAL_ROWS, MONTHLY_ROWS, MUNICIPALITY, page_texts


def _monthly() -> tuple[list[str], int]:
    buf = io.BytesIO()
    pages = write_monthly_report(
        MONTHLY_ROWS, buf, municipality=MUNICIPALITY, period_label="令和7年6月審査分"
    )
    return page_texts(buf.getvalue()), pages


def test_monthly_report_one_page_run_per_institution_with_totals() -> None:
    texts, pages = _monthly()
    institutions = sorted({r.institution_code for r in MONTHLY_ROWS})
    assert pages == len(institutions)
    for code, text in zip(institutions, texts, strict=True):
        rows = [r for r in MONTHLY_ROWS if r.institution_code == code]
        assert code in text and "予防接種実施報告書" in text
        assert f"{sum(r.amount for r in rows):,}" in text
        assert f"{sum(r.count for r in rows):,}" in text
        for r in rows:
            assert f"{r.count * r.unit_price:,}" in text
            assert f"{r.unit_price:,}" in text
    first = [r for r in MONTHLY_ROWS if r.institution_code == institutions[0]]
    may = [r for r in first if r.payment_month.month == 5]
    assert "令和7年5月 小計" in texts[0]
    assert f"{sum(r.amount for r in may):,}" in texts[0]


def test_annual_report_rates() -> None:
    buf = io.BytesIO()
    assert (
        write_annual_report(ANNUAL_ROWS, buf, municipality=MUNICIPALITY, period_label="令和6年度")
        == 1
    )
    text = page_texts(buf.getvalue())[0]
    for r in ANNUAL_ROWS:
        assert r.term_label in text
        if r.target_count:
            assert f"{100 * r.vaccinated_count / r.target_count:.1f}%" in text
        else:
            assert r.rate is None
    assert "—" in text  # no target population: no rate
    assert "令和6年度" in text and MUNICIPALITY.code in text


def test_report_layout_comes_from_the_json_file(monkeypatch: pytest.MonkeyPatch) -> None:
    original = json.loads(resource_path("forms", "report_annual.json").read_text(encoding="utf-8"))
    changed = dict(original)
    changed["columns"] = [
        {**c, "title": "受けた人" if c["key"] == "vaccinated" else c["title"]}
        for c in original["columns"]
        if c["key"] != "target"
    ]
    changed["title"] = "試験用 {period} 集計"
    real = load_form

    def fake(name: str) -> object:
        return changed if name == "report_annual" else real(name)

    monkeypatch.setattr("app.printing.reports.load_form", fake)
    buf = io.BytesIO()
    write_annual_report(ANNUAL_ROWS, buf, municipality=MUNICIPALITY, period_label="R6")
    text = page_texts(buf.getvalue())[0]
    assert "試験用 R6 集計" in text and "受けた人" in text
    assert f"{ANNUAL_ROWS[0].target_count:,}" not in text  # the dropped 対象者数 column
