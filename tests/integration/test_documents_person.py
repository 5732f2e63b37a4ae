"""Documents printed per person on a fresh encrypted register
(app/services/printing/person_documents.py): 予診票 prefilled with an issued number as its
barcode, one numbered page per due series (Hib due as 5種混合 printed on the 5種混合 form), a
clear error when nothing is due, a reissue that needs a reason; vouchers with issued ten-digit
numbers, clerks only; certificates listing the history, marking unverifiable doses and printing a
5種混合 injection once. What is printed, what is issued, what is audited and who may print. The
register, its people and the print date ``ON``: the ``reg`` fixture in
tests/integration/conftest.py. Mailings and reports: test_documents_mailings_reports.py."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.wareki import format_wareki
from app.errors import PermissionDenied
from app.services import issuance, printing
from tests.support.documents import ON, _audit, _code128, _flat, _issuances, _pages, _pid


def test_yoshinhyo_is_prefilled_and_its_barcode_is_the_issued_number(clerk, tmp_path) -> None:
    taro = _pid(clerk, "0000000001")
    out = tmp_path / "y.pdf"
    res = printing.print_yoshinhyo(clerk, taro, "varicella", out, on=date(2026, 5, 20))
    assert res.paths == (out,) and res.pages == _pages(out) == 1
    text = _flat(out)
    for expected in (
        "山田太郎",
        "ヤマダタロウ",
        f"{format_wareki(date(2025, 5, 10))}生",
        "水痘予防接種予診票",
        "1回目",
        "テスト市",
        "0000000001",
        "山田花子",
        "母",
        "テスト市本町1-2-3",
        f"交付番号{res.issue_numbers[0]}",
    ):
        assert expected in text, expected
    assert _code128(out, 0) == [res.issue_numbers[0]]
    history = issuance.history(clerk, taro)
    assert [(h.issue_no, h.doc_type, h.series_id, h.dose_label) for h in history] == [
        (res.issue_numbers[0], "yoshinhyo", "varicella", "1回目")
    ]
    [(outcome, person, detail)] = _audit(clerk, "print.yoshinhyo")
    assert (outcome, person) == ("ok", taro)
    assert detail == {"series": ["varicella"], "pages": 1, "issuances": [history[0].id]}


def test_without_series_every_due_series_gets_a_numbered_page(clerk, tmp_path) -> None:
    from app.services.schedule import due_list

    sato = _pid(clerk, "0000000004")
    due = [s for s in due_list(clerk, sato, ON).series if s.status in ("due", "waiting")]
    # Hib is due as 5種混合 with DPT-IPV: one injection, one form (issue 12 item 2).
    assert {s.id: s.next_product for s in due if s.id in ("dpt_ipv", "hib")} == {
        "dpt_ipv": "dpt_ipv_hib",
        "hib": "dpt_ipv_hib",
    }
    forms = [s for s in due if s.id != "hib"]
    res = printing.print_yoshinhyo(clerk, sato, None, tmp_path / "all.pdf", on=ON)
    assert res.pages == len(forms) == len(res.issue_numbers) >= 2
    for page, number in enumerate(res.issue_numbers):
        assert _code128(res.path, page) == [number]
    # key=str: series_id is typed str | None (a None would still make the lists differ)
    issued = sorted((r[2] for r in _issuances(clerk, "yoshinhyo")), key=str)
    assert issued == sorted(s.id for s in forms)
    text = _flat(res.path)
    assert "5種混合" in text and "乾燥ヘモフィルスb型ワクチン" not in text


def test_hib_asked_for_when_due_as_5in1_prints_the_5in1_form(clerk, tmp_path) -> None:
    sato = _pid(clerk, "0000000004")  # 生後74月, no DPT-IPV yet: Hib only as 5種混合
    res = printing.print_yoshinhyo(clerk, sato, "hib", tmp_path / "hib.pdf", on=ON)
    assert res.pages == 1
    assert [r[2] for r in _issuances(clerk, "yoshinhyo")] == ["dpt_ipv"]
    text = _flat(res.path)
    assert "5種混合" in text and "乾燥ヘモフィルスb型ワクチン" not in text


def test_nothing_due_is_a_clear_error_with_no_file_and_no_number(clerk, tmp_path) -> None:
    hanako = _pid(clerk, "0000000002")
    out = tmp_path / "none.pdf"
    with pytest.raises(printing.NothingDue) as err:
        printing.print_yoshinhyo(clerk, hanako, None, out, on=ON)
    assert err.value.code == "E_NOTHING_DUE" and "予診票" in err.value.message_ja
    assert not out.exists() and _issuances(clerk, "yoshinhyo") == []
    assert list(tmp_path.glob("*.tmp")) == []


def test_a_second_print_is_a_reissue_that_needs_a_reason(clerk, tmp_path) -> None:
    sato = _pid(clerk, "0000000004")
    first = printing.print_yoshinhyo(clerk, sato, "dpt_ipv", tmp_path / "a.pdf", on=ON)
    with pytest.raises(issuance.IssuanceInvalid) as err:
        printing.print_yoshinhyo(clerk, sato, "dpt_ipv", tmp_path / "b.pdf", on=ON)
    assert err.value.code == "E_REISSUE_REASON" and not (tmp_path / "b.pdf").exists()
    again = printing.print_yoshinhyo(
        clerk, sato, "dpt_ipv", tmp_path / "b.pdf", on=ON, reissue_reason="lost"
    )
    rows = _issuances(clerk, "yoshinhyo")
    assert [r[0] for r in rows] == [first.issue_numbers[0], again.issue_numbers[0]]
    assert rows[0][4] is not None and rows[1][4] is None
    assert _code128(again.path, 0) == [again.issue_numbers[0]]


def test_vouchers_carry_issued_ten_digit_numbers(clerk, nurse, tmp_path) -> None:
    ids = [_pid(clerk, "0000000001"), _pid(clerk, "0000000004")]
    out = tmp_path / "v.pdf"
    res = printing.print_vouchers(clerk, ids, "mr1", out, kind_code="3", count_code="2", on=ON)
    assert res.pages == _pages(out) == 1 and len(res.issue_numbers) == 2
    text = _flat(out)
    for number in res.issue_numbers:
        assert len(number) == 10 and number.isdigit()
        assert number in text and f"32192015{number}" in text
    assert "山田太郎" in text and "佐藤次郎" in text and "192015" in text
    assert [r[0] for r in _issuances(clerk, "voucher")] == list(res.issue_numbers)
    with pytest.raises(PermissionDenied):
        printing.print_vouchers(nurse, ids, "mr1", tmp_path / "n.pdf")
    assert not (tmp_path / "n.pdf").exists()
    assert [a[0] for a in _audit(nurse, "print.voucher")] == ["ok", "denied"]


def test_certificate_lists_the_history_and_marks_unverifiable_doses(clerk, tmp_path) -> None:
    taro = _pid(clerk, "0000000001")
    res = printing.print_certificate(clerk, taro, tmp_path / "c.pdf", on=date(2026, 8, 1))
    text = _flat(res.path)
    for expected in (
        "予防接種済証",
        "山田太郎",
        "令和7年5月10日",
        "麻しん風しん",
        "MR001",
        "テスト小児科",
        "テスト製薬",
        "GB001",
        "水痘",
        "記録なし",
        "テスト市長",
        res.issue_numbers[0],
    ):
        assert expected in text, expected
    assert "VZ001" not in text  # the unverifiable dose shows no lot to copy
    [(outcome, person, detail)] = _audit(clerk, "print.certificate")
    # MR, 5種混合 (one injection stored for DPT-IPV and Hib: one row), 水痘
    assert (outcome, person, detail["unverified"], detail["doses"]) == ("ok", taro, 1, 3)


def test_certificate_prints_a_5in1_injection_once_under_its_product_name(clerk, tmp_path) -> None:
    taro = _pid(clerk, "0000000001")
    stored = clerk.register.conn.execute(
        "SELECT series_id FROM vaccinations WHERE product_id = 'dpt_ipv_hib' ORDER BY series_id"
    ).fetchall()
    assert [r[0] for r in stored] == ["dpt_ipv", "hib"]  # one injection, a row per series
    res = printing.print_certificate(clerk, taro, tmp_path / "c.pdf", on=date(2026, 8, 1))
    text = _flat(res.path)
    assert text.count("GB001") == 1
    assert "5種混合" in text and "（DPT-IPV-Hib）" in text  # on one or two lines
    assert "ヒブ（Hib）" not in text and "ジフテリア" not in text
