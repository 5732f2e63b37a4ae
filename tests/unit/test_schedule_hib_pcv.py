"""DOMAIN.md §3: Hib and PCV dose counts by age at the first dose, including skipped doses.

Born 2025-05-10: 生後2月 2025-07-09, 生後7月 2025-12-09, 生後12月 2026-05-09,
生後24月 2027-05-09, 生後60月 2030-05-09, 生後90月 2032-11-09.
"""

from __future__ import annotations

import pytest

from tests.support.schedule import codes, d, status

DOB = "2025-05-10"


@pytest.mark.parametrize(
    ("first", "required", "labels"),
    [
        ("2025-07-09", 4, "初回2回目"),  # 生後2月
        ("2025-12-09", 4, "初回2回目"),  # the day of 生後7月: still the 2–7 band
        ("2025-12-10", 3, "初回2回目"),  # 7–12 band
        # the day of 生後12月: still the 7–12 band, but 初回2回目 could only follow after 生後12月,
        # so it is skipped at once and 追加 comes next
        ("2026-05-09", 2, "追加"),
        ("2026-05-10", 1, None),  # 1歳 and older: one dose
        ("2030-05-09", 1, None),  # last day of the Hib window
    ],
)
def test_hib_dose_count_by_start_age(first: str, required: int, labels: str | None) -> None:
    s = status("hib", DOB, first, [("hib", first)])
    assert (s.doses_given, s.doses_required, s.next_dose) == (1, required, labels)


def test_hib_booster_seven_months_after_primary() -> None:
    hist = [("hib", "2025-07-10"), ("hib", "2025-08-07"), ("hib", "2025-09-10")]
    s = status("hib", DOB, "2025-10-01", hist)
    assert (s.status, s.next_dose, s.earliest) == ("waiting", "追加", d("2026-04-10"))
    assert (s.standard_from, s.standard_until) == (d("2026-04-10"), d("2026-10-10"))


def test_hib_primary_after_first_birthday_is_skipped() -> None:
    """Started at 5 months, 2nd dose given; by 生後12月 the 3rd was not given: 追加 ≥27日."""
    hist = [("hib", "2025-10-10"), ("hib", "2025-11-10")]
    s = status("hib", DOB, "2026-05-20", hist)
    assert (s.status, s.next_dose, s.earliest) == ("due", "追加", d("2025-12-08"))
    assert (s.doses_given, s.doses_required) == (2, 3)
    before = status("hib", DOB, "2026-05-09", hist)
    assert (before.next_dose, before.doses_required) == ("初回3回目", 4)


def test_hib_primary_that_cannot_be_given_before_one_is_skipped_ahead() -> None:
    """First dose at 11 months: the 2nd could come only after 生後12月, so 追加 is next."""
    s = status("hib", DOB, "2026-05-01", [("hib", "2026-04-20")])
    assert (s.status, s.next_dose, s.earliest) == ("waiting", "追加", d("2026-05-18"))
    assert s.doses_required == 2


def test_hib_dose_after_one_counts_as_booster() -> None:
    hist = [("hib", "2026-04-20"), ("hib", "2026-05-20")]
    s = status("hib", DOB, "2026-06-01", hist)
    assert (s.status, s.doses_given, s.doses_required, s.warnings) == ("complete", 2, 2, ())


def test_hib_twenty_days_on_doctors_judgment() -> None:
    ok = status("hib", DOB, "2025-08-01", [("hib", "2025-07-10"), ("hib", "2025-07-31")])
    assert (ok.doses_given, codes(ok)) == (2, ["W_INTERVAL_DOCTOR"])
    short = status("hib", DOB, "2025-08-01", [("hib", "2025-07-10"), ("hib", "2025-07-25")])
    assert (short.doses_given, codes(short)) == (1, ["W_INTERVAL"])


def test_hib_alone_after_60_months_is_outside_window_but_five_in_one_counts() -> None:
    alone = status("hib", DOB, "2031-01-10", [("hib", "2031-01-10")])
    assert (alone.doses_given, codes(alone)) == (0, ["W_OUTSIDE_WINDOW"])
    combo = status("hib", DOB, "2031-01-10", [("dpt_ipv_hib", "2031-01-10")])
    assert (combo.doses_given, combo.doses_required, combo.warnings) == (1, 4, ())
    assert combo.window_until == d("2032-11-09")


def test_pcv_two_to_seven_months_full_series() -> None:
    hist = [("pcv20", "2025-07-10"), ("pcv20", "2025-08-07"), ("pcv20", "2025-09-04")]
    s = status("pcv", DOB, "2025-10-01", hist)
    # 追加: ≥60日 after the 3rd (2025-11-04) and at or after 生後12月 (2026-05-09)
    assert (s.status, s.next_dose, s.earliest) == ("waiting", "追加", d("2026-05-09"))
    assert (s.doses_required, s.standard_from, s.standard_until) == (
        4,
        d("2026-05-09"),
        d("2026-08-09"),
    )


@pytest.mark.parametrize(
    ("first", "required"),
    [
        ("2025-12-09", 4),  # 生後7月 day: 2–7 band
        ("2025-12-10", 3),  # 7–12 band: 初回2 + 追加
        ("2026-05-10", 2),  # 12–24 band: 2 doses ≥60日
        ("2027-05-09", 2),  # the day of 生後24月: still 12–24
        ("2027-05-10", 1),  # 24–60 band: 1 dose
    ],
)
def test_pcv_dose_count_by_start_age(first: str, required: int) -> None:
    assert status("pcv", DOB, first, [("pcv20", first)]).doses_required == required


def test_pcv_12_24_second_dose_60_days() -> None:
    s = status("pcv", DOB, "2026-06-01", [("pcv20", "2026-05-20")])
    assert (s.status, s.next_dose, s.earliest) == ("waiting", "2回目", d("2026-07-20"))


def test_pcv_third_primary_skipped_when_second_after_12_months() -> None:
    hist = [("pcv20", "2025-12-01"), ("pcv20", "2026-05-20")]
    s = status("pcv", DOB, "2026-06-01", hist)
    assert (s.next_dose, s.doses_required, s.earliest) == ("追加", 3, d("2026-07-20"))
    assert s.status == "waiting"


def test_pcv_primary_past_24_months_skipped() -> None:
    s = status("pcv", DOB, "2027-06-01", [("pcv20", "2025-08-01")])
    assert (s.status, s.next_dose, s.doses_required) == ("due", "追加", 2)
    assert s.earliest == d("2026-05-09")  # max(+61 days, 生後12月)


def test_pcv_booster_before_12_months_is_too_early() -> None:
    hist = [
        ("pcv20", "2025-07-10"),
        ("pcv20", "2025-08-07"),
        ("pcv20", "2025-09-04"),
        ("pcv20", "2026-04-01"),
    ]
    s = status("pcv", DOB, "2026-04-10", hist)
    assert (s.doses_given, codes(s), s.earliest) == (3, ["W_TOO_EARLY"], d("2026-05-09"))


def test_pcv15_starter_switching_to_pcv20_is_counted_with_warning() -> None:
    hist = [("pcv15", "2025-07-10"), ("pcv20", "2025-08-07")]
    s = status("pcv", DOB, "2025-08-10", hist)
    assert (s.doses_given, codes(s)) == (2, ["W_PRODUCT_MIXED"])
