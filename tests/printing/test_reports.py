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
    assert pages == len(institutions) + 1  # then the 総計 over every institution
    for code, text in zip(institutions, texts[:-1], strict=True):
        rows = [r for r in MONTHLY_ROWS if r.institution_code == code]
        assert code in text and "予防接種実施報告書" in text
        assert f"{sum(r.amount for r in rows):,}" in text
        assert f"{sum(r.count for r in rows):,}" in text
        for r in rows:
            assert r.unit_price is not None
            assert f"{r.count * r.unit_price:,}" in text
            assert f"{r.unit_price:,}" in text
    first = [r for r in MONTHLY_ROWS if r.institution_code == institutions[0]]
    may = [r for r in first if r.payment_month.month == 5]
    assert "令和7年5月 小計" in texts[0]
    assert f"{sum(r.amount for r in may):,}" in texts[0]
    assert "総計" in texts[-1]
    assert f"{sum(r.amount for r in MONTHLY_ROWS):,}" in texts[-1]
    assert f"{sum(r.count for r in MONTHLY_ROWS):,}" in texts[-1]


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


def test_monthly_report_header_has_date_address_and_representative() -> None:
    from dataclasses import replace
    from datetime import date

    rows = [replace(r, institution_address="新宿区西新宿1-1-1") for r in MONTHLY_ROWS]
    buf = io.BytesIO()
    write_monthly_report(
        rows,
        buf,
        municipality=MUNICIPALITY,
        period_label="令和7年6月審査分",
        print_date=date(2025, 7, 1),
    )
    for text in page_texts(buf.getvalue()):
        flat = text.replace(" ", "")
        assert "作成日：令和7年7月1日" in flat
    first = page_texts(buf.getvalue())[0].replace(" ", "")
    assert "所在地：新宿区西新宿1-1-1" in first and "開設者（代表者）" in first and "印" in first


def test_a_missing_unit_price_is_marked_not_printed_as_zero() -> None:
    from dataclasses import replace

    rows = [replace(MONTHLY_ROWS[0], unit_price=None), *MONTHLY_ROWS[1:]]
    buf = io.BytesIO()
    write_monthly_report(rows, buf, municipality=MUNICIPALITY, period_label="令和7年6月審査分")
    texts = [t.replace(" ", "") for t in page_texts(buf.getvalue())]
    assert "未設定" in texts[0] and "単価「未設定」の接種は金額に含めていません" in texts[0]
    priced = sum(r.amount for r in rows)
    assert rows[0].amount == 0
    assert f"{priced:,}" in texts[-1]


def test_annual_report_keeps_a_series_on_one_page_and_defines_the_target() -> None:
    from app.printing.model import AnnualReportRow

    rows = []
    for i in range(30):
        rows += [AnnualReportRow(f"種類{i}", "1回目", 100, 90)]
    rows += [
        AnnualReportRow("日本脳炎", label, 1000, 500)
        for label in ("初回1回目", "初回2回目", "追加", "特例")
    ]
    buf = io.BytesIO()
    pages = write_annual_report(rows, buf, municipality=MUNICIPALITY, period_label="令和6年度")
    texts = [t.replace(" ", "") for t in page_texts(buf.getvalue())]
    assert pages == len(texts) >= 2
    holding = [t for t in texts if "日本脳炎" in t]
    assert len(holding) == 1
    for label in ("初回1回目", "初回2回目", "追加", "特例"):
        assert label in holding[0]
    assert all("対象者数＝" in t for t in texts)
