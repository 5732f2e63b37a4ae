"""Counter work through the services: due list, result entry with checks, 見合わせ, correction,
void, issuance numbering and reissue, barcode lookup, 未接種者一覧 — on a fresh encrypted register.

Dates: today is taken from the clock; the test persons are chosen so that, from 2026 on,
山田 太郎 (born 2025-05-10) is inside the MR 1期 and 水痘 windows (生後12月 = 2026-05-09).
"""

from __future__ import annotations

import csv
import dataclasses
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.errors import InvalidInput, PermissionDenied
from app.services import issuance, persons, results, schedule, unvaccinated
from tests.support.registers import add_masters, login_as, make_register

MR_DAY = date(2026, 6, 1)


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    code = make_register(tmp_path / "reg")
    add_masters(tmp_path / "reg", code)
    return tmp_path / "reg"


def _taro(session) -> int:
    return persons.search(session, "0000000001").people[0].person_id


def _mr(on: date = MR_DAY, lot: str = "MR001") -> results.ResultInput:
    return results.ResultInput(
        series_id="mr1",
        product_id="mr",
        vaccinated_on=on,
        institution_code="1310000001",
        lot_no=lot,
        dose_amount_ml=0.5,
        route="subcutaneous",
        site="左上腕",
        doctor="試験 医師",
        receipt_no="R-0001",
        payment_month="2026-07",
    )


def test_due_list_then_a_clean_mr_dose_completes_the_series(nurse) -> None:
    pid = _taro(nurse)
    before = schedule.due_list(nurse, pid, MR_DAY).get("mr1")
    assert (before.status, before.window_from) == ("due", date(2026, 5, 9))
    assert results.check(nurse, pid, _mr()).warnings == ()
    ids = results.record(nurse, pid, _mr())
    assert len(ids) == 1
    after = schedule.due_list(nurse, pid, MR_DAY + timedelta(days=1)).get("mr1")
    assert after.status == "complete" and after.doses_given == 1
    item = persons.open_person(nurse, pid).history[0]
    assert (item.series_id, item.lot_no, item.institution, item.category) == (
        "mr1",
        "MR001",
        "テスト小児科",
        "routine",
    )


def test_live_vaccine_27_day_rule_needs_a_reason_and_makes_it_voluntary(nurse) -> None:
    pid = _taro(nurse)
    results.record(nurse, pid, _mr())
    vz = results.ResultInput(
        series_id="varicella",
        product_id="varicella",
        vaccinated_on=MR_DAY + timedelta(days=14),
        lot_no="VZ001",
    )
    ok_day = MR_DAY + timedelta(days=28)
    clean = results.ResultInput(
        series_id="varicella", product_id="varicella", vaccinated_on=ok_day, lot_no="VZ001"
    )
    assert results.check(nurse, pid, clean).warnings == ()  # +28 days after the MR dose is fine
    with pytest.raises(results.NeedsReason) as err:
        results.record(nurse, pid, vz)
    assert {w.code for w in err.value.warnings} & {"W_INTERVAL", "W_LIVE_INTERVAL"}
    results.record(nurse, pid, vz, override_reason="医師の判断により接種（記録のため登録）")
    item = next(h for h in persons.open_person(nurse, pid).history if h.series_id == "varicella")
    assert item.category == "voluntary"


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        (_mr(lot="MR-OLD"), "W_LOT_EXPIRED"),
        (_mr(lot="NOPE"), "W_LOT_UNKNOWN"),
        (_mr(on=date(2026, 3, 1)), "W_WINDOW"),
    ],
)
def test_warnings(nurse, entry: results.ResultInput, code: str) -> None:
    assert code in {w.code for w in results.check(nurse, _taro(nurse), entry).warnings}


def test_duplicate_dose_is_warned(nurse) -> None:
    pid = _taro(nurse)
    results.record(nurse, pid, _mr())
    assert {w.code for w in results.check(nurse, pid, _mr()).warnings} == {"W_DUPLICATE"}
    later = {w.code for w in results.check(nurse, pid, _mr(on=MR_DAY + timedelta(60))).warnings}
    assert "W_COMPLETE" in later


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        (_mr(on=date.today() + timedelta(days=1)), "E_RESULT_FUTURE_DATE"),
        (_mr(on=date(2025, 5, 9)), "E_RESULT_BEFORE_BIRTH"),
        (results.ResultInput(series_id="nope", vaccinated_on=MR_DAY), "E_RESULT_SERIES"),
        (
            results.ResultInput(series_id="mr1", product_id="bcg", vaccinated_on=MR_DAY),
            "E_RESULT_PRODUCT_SERIES",
        ),
        (
            results.ResultInput(
                series_id="mr1", product_id="mr", vaccinated_on=MR_DAY, institution_code="999"
            ),
            "E_RESULT_INSTITUTION",
        ),
    ],
)
def test_hard_errors_change_nothing(nurse, entry: results.ResultInput, code: str) -> None:
    pid = _taro(nurse)
    with pytest.raises(InvalidInput) as err:
        results.record(nurse, pid, entry)
    assert err.value.code == code
    assert persons.open_person(nurse, pid).history == ()


def test_combination_vaccine_is_stored_per_series(nurse) -> None:
    pid = _taro(nurse)
    five = results.ResultInput(
        series_id="dpt_ipv",
        product_id="dpt_ipv_hib",
        vaccinated_on=date(2025, 7, 10),
        lot_no="GB001",
    )
    assert results.check(nurse, pid, five).warnings == ()
    ids = results.record(nurse, pid, five)
    assert len(ids) == 2
    ev = schedule.due_list(nurse, pid, date(2025, 7, 11))
    assert ev.get("dpt_ipv").doses_given == 1 and ev.get("hib").doses_given == 1


def test_postponement_correction_and_void(nurse) -> None:
    pid = _taro(nurse)
    results.record_postponement(nurse, pid, "mr1", MR_DAY, "発熱 37.8℃ のため見合わせ")
    assert schedule.due_list(nurse, pid, MR_DAY).get("mr1").status == "due"
    with pytest.raises(InvalidInput):
        results.record_postponement(nurse, pid, "mr1", MR_DAY, "")
    vid = results.record(nurse, pid, _mr())[0]
    results.correct(nurse, vid, {"lot_no": "MR002", "site": "右上腕"}, "ロット番号の転記誤り")
    with pytest.raises(InvalidInput):
        results.correct(nurse, vid, {"series_id": "bcg"}, "種類を変更")
    results.void(nurse, vid, "別人の記録を誤入力したため")
    history = persons.open_person(nurse, pid).history
    voided = next(h for h in history if h.vaccination_id == vid)
    assert voided.voided and voided.lot_no == "MR002"
    assert [h.outcome for h in history if not h.voided] == ["postponed"]
    assert schedule.due_list(nurse, pid, MR_DAY).get("mr1").status == "due"
    actions = [
        r[0]
        for r in nurse.register.conn.execute(
            "SELECT action FROM audit_log WHERE action LIKE 'vaccination.%' ORDER BY seq"
        )
    ]
    assert actions == [
        "vaccination.postpone",
        "vaccination.create",
        "vaccination.correct",
        "vaccination.void",
    ]
    outbox = nurse.register.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    assert outbox == 4


def test_clerk_cannot_record_results(reg: Path) -> None:
    clerk = login_as(reg, "clerk")
    try:
        with pytest.raises(PermissionDenied):
            results.record(clerk, _taro(clerk), _mr())
    finally:
        clerk.register.close()


def test_issuance_numbering_reissue_and_scan(reg: Path) -> None:
    clerk = login_as(reg, "clerk")
    try:
        pid = _taro(clerk)
        day = date(2026, 6, 1)
        first = issuance.issue(clerk, pid, "yoshinhyo", series_id="mr1", dose_label="1回目", on=day)
        assert first.issue_no == "1260000001" and first.process_kind == "new"
        other = issuance.issue(clerk, pid, "voucher", series_id="mr1", on=day)
        assert other.issue_no == "2260000001"
        with pytest.raises(InvalidInput) as err:
            issuance.issue(clerk, pid, "yoshinhyo", series_id="mr1", dose_label="1回目", on=day)
        assert err.value.code == "E_REISSUE_REASON"
        again = issuance.issue(
            clerk,
            pid,
            "yoshinhyo",
            series_id="mr1",
            dose_label="1回目",
            reissue_reason="lost",
            on=day,
        )
        assert again.issue_no == "1260000002" and again.process_kind == "reissue"
        rows = issuance.history(clerk, pid)
        assert [(r.issue_no, r.process_kind, r.voided_at is not None, r.reason) for r in rows] == [
            ("1260000002", "reissue", False, "紛失"),
            ("2260000001", "new", False, None),
            ("1260000001", "new", True, None),
        ]
        assert issuance.find_by_scan(clerk, "1260000002").person_id == pid
        by_voucher = issuance.find_by_scan(clerk, "A2260000001A").issuance
        assert by_voucher is not None
        assert by_voucher.doc_type == "voucher"
        assert issuance.find_by_scan(clerk, "0000000001").kind == "atena"
        with pytest.raises(InvalidInput):
            issuance.find_by_scan(clerk, "12-34")
    finally:
        clerk.register.close()


def test_unvaccinated_list_and_csv(reg: Path, nurse, tmp_path: Path) -> None:
    pid = _taro(nurse)
    listing = unvaccinated.build_list(nurse, "mr1", MR_DAY)
    assert [e.person_id for e in listing.entries] == [pid]
    assert listing.entries[0].next_dose and listing.entries[0].status == "due"
    assert unvaccinated.build_list(nurse, "mr1", MR_DAY, area_code="99").entries == ()
    assert unvaccinated.build_list(nurse, "mr1", MR_DAY, area_code="01").entries
    out = tmp_path / "list.csv"
    assert unvaccinated.export_csv(nurse, listing, out) == 1
    table = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert table[0] == unvaccinated.CSV_HEADER and table[1][0] == "0000000001"
    results.record(nurse, pid, _mr())
    assert unvaccinated.build_list(nurse, "mr1", MR_DAY + timedelta(days=1)).entries == ()
    with pytest.raises(InvalidInput):
        unvaccinated.build_list(nurse, "no_such_series", MR_DAY)


def test_unvaccinated_list_for_an_open_ended_elderly_series(nurse) -> None:
    """flu65 has no upper age: the cohort search stops at 120 years instead of running off."""
    listing = unvaccinated.build_list(nurse, "flu65", date(2026, 11, 1))
    assert [e.atena_no for e in listing.entries] == ["0000000003"]  # 山本 一, born 1958


def test_institution_master_for_entry_screens(nurse) -> None:
    from app.services import masters

    assert [(i.code, i.name) for i in masters.institutions(nurse)] == [
        ("1310000001", "テスト小児科")
    ]


def test_unprinted_issuance_is_withdrawn_and_not_a_reissue(reg: Path) -> None:
    clerk = login_as(reg, "clerk")
    try:
        pid = _taro(clerk)
        first = issuance.issue(clerk, pid, "yoshinhyo", series_id="mr1", dose_label="1期")
        assert issuance.withdraw_unprinted(clerk, [first.issuance_id]) == 1
        assert issuance.withdraw_unprinted(clerk, [first.issuance_id]) == 0  # already voided
        again = issuance.issue(clerk, pid, "yoshinhyo", series_id="mr1", dose_label="1期")
        assert again.process_kind == "new"  # the previewed-only one does not count
        rows = {r.issue_no: r for r in issuance.history(clerk, pid)}
        assert rows[first.issue_no].void_reason == issuance.UNPRINTED_REASON
        actions = [
            r[0]
            for r in clerk.register.conn.execute(
                "SELECT action FROM audit_log WHERE action LIKE 'issuance.%' ORDER BY seq"
            )
        ]
        assert actions == ["issuance.create", "issuance.withdraw", "issuance.create"]
    finally:
        clerk.register.close()


def test_a_catalog_correction_is_imported_not_dropped_into_the_folder(
    reg: Path, nurse, tmp_path: Path
) -> None:
    """Issue 11 item 9: a loose catalog.json beside the register is ignored; an administrator's
    audited import (preview of the difference, then apply) changes the rules, with history."""
    import json

    from app.paths import resource_path
    from app.services import catalog_admin

    pid = _taro(nurse)
    results.record(nurse, pid, _mr())
    day = MR_DAY + timedelta(days=1)
    bundled = MR_DAY + timedelta(28)
    assert schedule.due_list(nurse, pid, day).get("varicella").earliest == bundled
    data = json.loads(resource_path("catalog", "catalog.json").read_text(encoding="utf-8"))
    data["live_injected_min_days"] = 40
    data["series"][0]["name_ja"] = "改名されたワクチン"
    corrected = json.dumps(data, ensure_ascii=False)
    (reg / "catalog.json").write_text(corrected, encoding="utf-8")  # dropped in: ignored
    assert schedule.due_list(nurse, pid, day).get("varicella").earliest == bundled
    assert schedule.catalog_for(nurse).series[0].name_ja != "改名されたワクチン"

    source = tmp_path / "correction.json"
    source.write_text(corrected, encoding="utf-8")
    admin = login_as(reg, "admin")
    try:
        (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
        with pytest.raises(Exception) as err:  # invalid: refused, nothing stored
            catalog_admin.preview_import(admin, tmp_path / "bad.json")
        assert getattr(err.value, "code", "") == "E_CATALOG_INVALID"
        assert catalog_admin.history(admin) == []
        preview = catalog_admin.preview_import(admin, source)
        changed = {(c.kind, c.item_id, c.change) for c in preview.changes}
        assert changed == {
            ("series", data["series"][0]["id"], "changed"),
            ("setting", "live_injected_min_days", "changed"),
        }
        renamed = next(c for c in preview.changes if c.kind == "series")
        assert (
            renamed.name_after == "改名されたワクチン" and renamed.name_before != renamed.name_after
        )
        tampered = dataclasses.replace(preview, text=preview.text.replace("40", "41"))
        with pytest.raises(Exception) as err:
            catalog_admin.apply_import(admin, tampered)
        assert getattr(err.value, "code", "") == "E_CATALOG_PREVIEW_STALE"
        assert catalog_admin.apply_import(admin, preview) == 1
        (version,) = catalog_admin.history(admin)
        assert (version.number, version.sha256, version.in_force) == (1, preview.sha256, True)
        actions = [
            r[0]
            for r in admin.register.conn.execute(
                "SELECT action FROM audit_log WHERE action LIKE 'catalog.%' ORDER BY seq"
            )
        ]
        assert actions == [
            "catalog.preview",
            "catalog.import",
        ]
    finally:
        admin.register.close()
    assert schedule.due_list(nurse, pid, day).get("varicella").earliest == MR_DAY + timedelta(41)
    assert schedule.catalog_for(nurse).series[0].name_ja == "改名されたワクチン"
