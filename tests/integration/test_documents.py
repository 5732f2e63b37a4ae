"""Document services on a fresh encrypted register: what is printed, what is issued, what is
audited, who may print, and that a personal number never reaches paper.

Print dates are fixed (``ON``); recorded doses are in 2026 (before today's clock, as in
test_counter_workflows). 山田 太郎 (born 2025-05-10) is in the MR 1期 window from 2026-05-09;
佐藤 次郎 (born 2020-04-01) and 太郎 are both due 4種/5種混合 初回1回目; 山田 花子 (1990) has
nothing due.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
import zxingcpp
from pypdf import PdfReader

from app.domain.wareki import format_wareki
from app.errors import InvalidInput, PermissionDenied
from app.services import issuance, person_numbers, persons, printing, results, unvaccinated
from app.services.recovery import open_with_recovery_code
from app.store import db
from tests.printing.samples import render
from tests.support.builder import RegisterBuilder
from tests.support.registers import add_masters, login_as, make_register

ON = date(2026, 6, 1)
MYNUMBER = "123456789018"


def _pdf_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as doc:
        return [p.extract_text() or "" for p in doc.pages]


def _flat(path: Path) -> str:
    return "".join(_pdf_texts(path)).replace(" ", "").replace("\n", "")


def _pages(path: Path) -> int:
    return len(PdfReader(path).pages)


def _code128(path: Path, page: int) -> list[str]:
    return [
        r.text
        for r in zxingcpp.read_barcodes(render(path.read_bytes(), page))
        if r.format.name == "Code128"
    ]


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    directory = tmp_path / "reg"
    code = make_register(directory)
    add_masters(directory, code)
    access = open_with_recovery_code(directory, code)
    with db.transaction(access.register.conn):
        RegisterBuilder(access.register.conn).unit_price("mr1", None, 10000, "2026-04-01")
    access.register.close()
    nurse = login_as(directory, "nurse")
    taro = _pid(nurse, "0000000001")
    results.record(
        nurse,
        taro,
        results.ResultInput(
            series_id="mr1",
            product_id="mr",
            vaccinated_on=ON,
            institution_code="1310000001",
            lot_no="MR001",
            doctor="試験 医師",
            payment_month="2026-07",
        ),
    )
    results.record(
        nurse,
        taro,
        results.ResultInput(
            series_id="dpt_ipv",
            product_id="dpt_ipv_hib",
            vaccinated_on=date(2026, 6, 15),
            institution_code="1310000001",
            lot_no="GB001",
            payment_month="2026-07",
        ),
    )
    # a dose reported without an institution (e.g. from before a move): unverifiable
    results.record(
        nurse,
        taro,
        results.ResultInput(
            series_id="varicella",
            product_id="varicella",
            vaccinated_on=date(2026, 7, 1),
            lot_no="VZ001",
            payment_month="2026-07",
        ),
    )
    nurse.register.close()
    return directory


@pytest.fixture
def clerk(reg: Path):
    s = login_as(reg, "clerk")
    yield s
    s.register.close()


@pytest.fixture
def nurse(reg: Path):
    s = login_as(reg, "nurse")
    yield s
    s.register.close()


def _pid(session, atena: str) -> int:
    return persons.search(session, atena).people[0].person_id


def _issuances(session, doc_type: str) -> list[tuple[str, int, str | None, str | None, object]]:
    return session.register.conn.execute(
        "SELECT issue_no, person_id, series_id, dose_label, voided_at FROM issuances"
        " WHERE doc_type = ? ORDER BY id",
        (doc_type,),
    ).fetchall()


def _audit(session, action: str) -> list[tuple[str, int | None, dict]]:
    rows = session.register.conn.execute(
        "SELECT outcome, person_id, detail FROM audit_log WHERE action = ? ORDER BY seq",
        (action,),
    ).fetchall()
    return [(o, p, json.loads(d)) for o, p, d in rows]


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
    assert sorted(r[2] for r in _issuances(clerk, "yoshinhyo")) == sorted(s.id for s in forms)
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


def test_unvaccinated_list_names_the_due_persons(clerk, tmp_path) -> None:
    res = printing.print_unvaccinated(clerk, "je1", tmp_path / "u.pdf", on=ON, area_code="01")
    text = _flat(res.path)
    assert "未接種者一覧" in text and "テスト市" in text
    assert "0000000001" in text and "山田太郎" in text and "山田花子" in text  # guardian column
    assert "0000000004" not in text  # no household, so not in area 01
    assert res.rows == 1 and res.issue_numbers == ()
    [(_, _, detail)] = _audit(clerk, "print.unvaccinated")
    assert detail == {"series": "je1", "rows": 1, "pages": res.pages, "area": "01"}


def test_notices_are_split_and_each_attached_form_carries_its_number(clerk, tmp_path) -> None:
    res = printing.print_notices(clerk, "dpt_ipv", tmp_path / "notice.pdf", on=ON, split=1)
    names = sorted(p.name for p in tmp_path.glob("notice-*.pdf"))
    assert names == ["notice-001.pdf", "notice-002.pdf"] and len(res.paths) == 2
    for path, number in zip(res.paths, res.issue_numbers, strict=True):
        assert _pages(path) == 2
        letter, form = _pdf_texts(path)
        assert "予防接種のお知らせ" in letter and number in letter.replace(" ", "")
        assert "予診票" in form and _code128(path, 1) == [number]
    assert [r[0] for r in _issuances(clerk, "notice")] == list(res.issue_numbers)
    assert [a[2]["file"] for a in _audit(clerk, "print.notices")] == [1, 2]
    with pytest.raises(printing.NothingDue):  # everyone already has this 年度's notice
        printing.print_notices(clerk, "dpt_ipv", tmp_path / "again.pdf", on=ON)
    assert list(tmp_path.glob("again*")) == []


def test_a_cancelled_notice_batch_leaves_no_file_and_no_number(clerk, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    seen: list[int] = []
    with pytest.raises(printing.NoticesCancelled) as err:
        printing.print_notices(
            clerk,
            "dpt_ipv",
            out / "n.pdf",
            on=ON,
            progress=lambda d, t: seen.append(d),
            cancelled=lambda: len(seen) >= 1,
        )
    assert err.value.written == () and err.value.code == "E_PRINT_CANCELLED"
    assert seen == [1] and list(out.iterdir()) == [] and _issuances(clerk, "notice") == []
    [(outcome, _, detail)] = _audit(clerk, "print.notices")
    assert outcome == "failed" and detail["cancelled"] is True


def test_cancel_after_the_first_file_keeps_only_that_file(clerk, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    seen: list[int] = []
    with pytest.raises(printing.NoticesCancelled) as err:
        printing.print_notices(
            clerk,
            "dpt_ipv",
            out,
            on=ON,
            split=1,
            progress=lambda d, t: seen.append(d),
            cancelled=(out / "notices_dpt_ipv-001.pdf").exists,
        )
    assert seen == [1]
    assert [p.name for p in err.value.written] == ["notices_dpt_ipv-001.pdf"]
    assert sorted(p.name for p in out.iterdir()) == ["notices_dpt_ipv-001.pdf"]
    rows = _issuances(clerk, "notice")
    assert len(rows) == 1 and _code128(err.value.written[0], 1) == [rows[0][0]]


def test_monthly_report_counts_times_unit_price_and_notes_missing_prices(
    clerk, nurse, tmp_path
) -> None:
    res = printing.print_monthly_report(nurse, "2026-07", tmp_path / "m.pdf")
    text = _flat(res.path)
    for expected in (
        "予防接種実施報告書",
        "令和8年7月支払分",
        "1310000001",
        "テスト小児科",
        "麻しん風しん1期",
        "10,000",
        "テスト市長様",
    ):
        assert expected in text, expected
    assert any("ヒブ" in n for n in res.notes) and any("ジフテリア" in n for n in res.notes)
    assert any("医療機関が登録されていない接種 1 件" in n for n in res.notes)
    [(_, _, detail)] = _audit(nurse, "print.monthly")
    assert detail["doses"] == 3 and detail["unpriced"] == 2 and detail["no_institution"] == 1
    with pytest.raises(PermissionDenied):
        printing.print_monthly_report(clerk, "2026-07", tmp_path / "c.pdf")
    assert not (tmp_path / "c.pdf").exists()


def test_annual_report_targets_doses_and_rates(clerk, nurse, tmp_path) -> None:
    res = printing.print_annual_report(nurse, 2026, tmp_path / "a.pdf")
    lines = [line.replace(" ", "") for t in _pdf_texts(res.path) for line in t.splitlines()]
    assert "定期予防接種実施状況報告（令和8年度）" in lines
    # 太郎 is the only resident in the MR 1期 window in FY2026 and got his dose: 1 of 1
    assert "麻しん風しん1期1期11100.0%" in lines
    # 太郎 and 次郎 are in the 4種/5種混合 window; one first dose was given
    assert "ジフテリア・百日せき・破傷風・ポリオ初回1回目2150.0%" in lines
    with pytest.raises(PermissionDenied):
        printing.print_annual_report(clerk, 2026, tmp_path / "c.pdf")
    assert [a[0] for a in _audit(clerk, "print.annual")] == ["ok", "denied"]


def test_no_document_contains_a_personal_number_and_none_is_read(reg, tmp_path) -> None:
    number = login_as(reg, "number")
    taro = _pid(number, "0000000001")
    person_numbers.set_number(number, taro, MYNUMBER)
    number.register.close()
    statements: list[str] = []
    clerk, nurse = login_as(reg, "clerk"), login_as(reg, "nurse")
    for s in (clerk, nurse):
        s.register.conn.set_trace_callback(statements.append)
    outputs = [
        printing.print_yoshinhyo(clerk, taro, None, tmp_path / "y.pdf", on=ON),
        printing.print_vouchers(clerk, [taro], "mr1", tmp_path / "v.pdf", on=ON),
        printing.print_certificate(clerk, taro, tmp_path / "c.pdf", on=date(2026, 8, 1)),
        printing.print_unvaccinated(clerk, "dpt_ipv", tmp_path / "u.pdf", on=ON),
        printing.print_notices(clerk, "dpt_ipv", tmp_path / "n.pdf", on=ON),
        printing.print_monthly_report(nurse, "2026-07", tmp_path / "m.pdf"),
        printing.print_annual_report(nurse, 2026, tmp_path / "a.pdf"),
    ]
    pdfs = [p for r in outputs for p in r.paths]
    assert len(pdfs) == 7
    for path in pdfs:
        assert MYNUMBER not in _flat(path), path.name
    assert statements and not any("person_numbers" in sql for sql in statements)
    details = clerk.register.conn.execute(
        "SELECT detail FROM audit_log WHERE action LIKE 'print.%'"
    ).fetchall()
    assert len(details) == 7
    for (detail,) in details:
        assert MYNUMBER not in detail and "山田" not in detail and "0000000001" not in detail
    clerk.register.close()
    nurse.register.close()


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


def test_hib_notices_leave_5in1_children_to_the_dpt_ipv_notice(clerk, tmp_path) -> None:
    # Both children are due Hib only as 5種混合 on ON: the Hib batch has nobody to send to,
    # and the 4種/5種混合 batch carries their one form each.
    listing = unvaccinated.build_list(clerk, "hib", ON)
    assert {e.next_product for e in listing.entries} == {"dpt_ipv_hib"}
    with pytest.raises(InvalidInput) as err:
        printing.print_notices(clerk, "hib", tmp_path / "hib.pdf", on=ON)
    assert err.value.code == "E_NOTHING_DUE"
    res = printing.print_notices(clerk, "dpt_ipv", tmp_path / "dpt.pdf", on=ON)
    assert len(res.issue_numbers) == len(listing.entries)
