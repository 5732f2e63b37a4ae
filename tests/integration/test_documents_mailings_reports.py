"""Mailings and reports printed on a fresh encrypted register (app/services/printing/mailings.py
and reports.py): the 未接種者一覧 of an area, notices split into files with each attached form
carrying its number (Hib notices leaving 5種混合 children to the DPT-IPV notice), a cancelled
batch keeping only the files already written, the monthly report (counts times unit prices,
missing prices noted) and the annual report, nurses only; and, over every kind of document, that
a personal number never reaches paper and is never read. What is printed, what is issued, what
is audited and who may print. The register, its people and the print date ``ON``: the ``reg``
fixture in tests/integration/conftest.py. Documents per person: test_documents_person.py."""

from __future__ import annotations

from datetime import date

import pytest
import sqlcipher3

from app.errors import InvalidInput, PermissionDenied
from app.services import person_numbers, printing, unvaccinated
from tests.support.documents import (
    ON,
    _audit,
    _code128,
    _flat,
    _issuances,
    _pages,
    _pdf_texts,
    _pid,
)
from tests.support.registers import login_as

MYNUMBER = "123456789018"


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
        conn = s.register.conn
        assert isinstance(conn, sqlcipher3.Connection)  # the driver's, with set_trace_callback
        conn.set_trace_callback(statements.append)
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
