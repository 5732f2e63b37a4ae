"""Own intervals (DOMAIN.md §2) and the injected-live rule between vaccines (§4)."""

from __future__ import annotations

from tests.support.schedule import codes, d, status

DOB = "2025-05-10"


def test_dpt_ipv_primary_interval_20_days_means_plus_21() -> None:
    s = status("dpt_ipv", DOB, "2025-07-30", [("dpt_ipv", "2025-07-10")])
    assert (s.status, s.next_dose, s.earliest) == ("waiting", "初回2回目", d("2025-07-31"))
    assert (s.standard_from, s.standard_until) == (d("2025-07-31"), d("2025-09-05"))
    assert status("dpt_ipv", DOB, "2025-07-31", [("dpt_ipv", "2025-07-10")]).status == "due"


def test_dpt_ipv_booster_six_months_after_third_with_month_end() -> None:
    hist = [("dpt_ipv", "2025-07-10"), ("dpt_ipv", "2025-08-10"), ("dpt_ipv", "2025-08-31")]
    s = status("dpt_ipv", DOB, "2025-12-01", hist)
    # 2025-08-31 + 6月: February has no 31st → the 1st of the following month.
    assert (s.status, s.next_dose, s.earliest) == ("waiting", "追加", d("2026-03-01"))
    assert (s.doses_given, s.doses_required) == (3, 4)
    assert (s.standard_from, s.standard_until) == (d("2026-03-01"), d("2027-03-01"))
    done = status("dpt_ipv", DOB, "2026-03-01", [*hist, ("dpt_ipv", "2026-03-01")])
    assert (done.status, done.next_dose, done.earliest) == ("complete", None, None)


def test_five_in_one_counts_for_dpt_ipv_and_hib() -> None:
    hist = [("dpt_ipv_hib", "2025-07-10"), ("dpt_ipv_hib", "2025-08-01")]
    ev_dpt = status("dpt_ipv", DOB, "2025-08-10", hist)
    ev_hib = status("hib", DOB, "2025-08-10", hist)
    assert (ev_dpt.doses_given, ev_hib.doses_given) == (2, 2)
    assert ev_dpt.earliest == ev_hib.earliest == d("2025-08-22")
    assert ev_hib.window_until == d("2032-11-09")  # 5種混合: Hib to 生後90月


def test_interval_broken_dose_is_voluntary_with_warning() -> None:
    s = status("dpt_ipv", DOB, "2025-08-01", [("dpt_ipv", "2025-07-10"), ("dpt_ipv", "2025-07-25")])
    assert s.doses_given == 1
    assert codes(s) == ["W_INTERVAL"]
    assert "2025-07-25" in s.warnings[0] and "任意" in s.warnings[0]
    assert (s.status, s.earliest) == ("due", d("2025-07-31"))


def test_dose_before_window_is_voluntary_with_warning() -> None:
    s = status("dpt_ipv", DOB, "2025-07-20", [("dpt_ipv", "2025-07-01")])
    assert (s.doses_given, codes(s)) == (0, ["W_OUTSIDE_WINDOW"])
    assert (s.status, s.next_dose, s.earliest) == ("due", "初回1回目", d("2025-07-09"))


def test_hepb_third_dose_139_days_after_first() -> None:
    hist = [("hepb", "2025-07-10"), ("hepb", "2025-08-07")]
    s = status("hepb", DOB, "2025-09-10", hist)
    assert (s.status, s.next_dose, s.earliest) == ("waiting", "3回目", d("2025-11-27"))
    assert status("hepb", DOB, "2025-11-27", hist).status == "due"
    second = status("hepb", DOB, "2025-08-06", [("hepb", "2025-07-10")])
    assert (second.status, second.earliest) == ("waiting", d("2025-08-07"))  # 27日 → +28


def test_rota_interval_and_same_product() -> None:
    s = status("rota", DOB, "2025-08-06", [("rota5", "2025-07-10")])
    assert (s.status, s.next_dose, s.earliest) == ("waiting", "2回目", d("2025-08-07"))
    mixed = status("rota", DOB, "2025-09-01", [("rota5", "2025-07-10"), ("rota1", "2025-08-10")])
    assert mixed.doses_given == 1
    assert codes(mixed) == ["W_PRODUCT_MIXED"]
    assert mixed.window_until == d("2025-12-20")


def test_rota_first_dose_before_six_weeks_is_outside_window() -> None:
    s = status("rota", DOB, "2025-06-25", [("rota1", "2025-06-20")])
    assert (s.doses_given, codes(s), s.status) == (0, ["W_OUTSIDE_WINDOW"], "due")


def test_live_injected_27_days_mr_then_varicella() -> None:
    """MR on 12月, varicella 27 days later is not yet allowed: next allowed on +28."""
    hist = [("mr", "2026-05-10")]
    s = status("varicella", DOB, "2026-06-06", hist)
    assert (s.status, s.earliest) == ("waiting", d("2026-06-07"))
    assert status("varicella", DOB, "2026-06-07", hist).status == "due"


def test_live_injected_same_day_is_allowed() -> None:
    s = status("varicella", DOB, "2026-05-10", [("mr", "2026-05-10"), ("varicella", "2026-05-10")])
    assert (s.doses_given, s.warnings) == (1, ())


def test_live_dose_inside_27_days_is_voluntary() -> None:
    hist = [("mr", "2026-05-10"), ("varicella", "2026-05-30")]
    s = status("varicella", DOB, "2026-06-20", hist)
    assert (s.doses_given, codes(s)) == (0, ["W_LIVE_INTERVAL"])
    # the voluntary varicella dose itself is injected live: the next one waits for it too
    assert (s.status, s.earliest) == ("waiting", d("2026-06-27"))
    assert status("mr1", DOB, "2026-06-20", hist).status == "complete"


def test_oral_and_inactivated_impose_no_wait() -> None:
    hist = [("rota1", "2025-07-10"), ("dpt_ipv_hib", "2025-07-10"), ("pcv20", "2025-07-10")]
    bcg = status("bcg", DOB, "2025-07-11", hist)
    assert (bcg.status, bcg.earliest) == ("due", d("2025-05-10"))
    after_bcg = status("rota", DOB, "2025-08-07", [("rota1", "2025-07-10"), ("bcg", "2025-07-11")])
    assert (after_bcg.status, after_bcg.earliest) == ("due", d("2025-08-07"))


def test_bcg_then_mr_needs_28_days() -> None:
    s = status("mr1", "2025-05-10", "2026-05-20", [("bcg", "2026-05-01")])
    assert (s.status, s.earliest) == ("waiting", d("2026-05-29"))


def test_varicella_second_dose_three_months_and_standard() -> None:
    hist = [("varicella", "2026-05-10")]
    s = status("varicella", DOB, "2026-07-01", hist)
    assert (s.status, s.next_dose, s.earliest) == ("waiting", "2回目", d("2026-08-10"))
    assert (s.standard_from, s.standard_until) == (d("2026-11-10"), d("2027-05-10"))


def test_je1_primary_six_days_and_booster_six_months() -> None:
    dob = "2022-06-15"
    one = status("je1", dob, "2025-06-20", [("je", "2025-06-15")])
    assert (one.status, one.next_dose, one.earliest) == ("waiting", "初回2回目", d("2025-06-22"))
    two = status("je1", dob, "2025-07-01", [("je", "2025-06-15"), ("je", "2025-06-22")])
    assert (two.next_dose, two.earliest) == ("追加", d("2025-12-22"))
    assert (two.standard_from, two.standard_until) == (d("2026-06-14"), d("2027-06-14"))
    assert (one.standard_from, one.standard_until) == (d("2025-06-22"), d("2025-07-14"))


def test_history_after_evaluation_date_is_ignored() -> None:
    s = status("bcg", DOB, "2025-07-01", [("bcg", "2025-08-01")])
    assert (s.status, s.doses_given) == ("due", 0)


def test_extra_dose_warns() -> None:
    s = status("bcg", DOB, "2025-12-01", [("bcg", "2025-10-01"), ("bcg", "2025-11-01")])
    assert (s.status, s.doses_given, codes(s)) == ("complete", 1, ["W_EXTRA_DOSE"])
