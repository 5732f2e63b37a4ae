"""School-year windows (MR 2期, HPV), special and transitional rules of DOMAIN.md §2."""

from __future__ import annotations

from app.domain.schedule import Facts
from tests.support.schedule import codes, d, status


def test_mr2_april_1_vs_april_2_birth() -> None:
    """Born 2020-04-01 enters school 2026-04-01; born 2020-04-02 a year later."""
    a = status("mr2", "2020-04-01", "2025-04-01")
    assert (a.status, a.window_from, a.window_until) == ("due", d("2025-04-01"), d("2026-03-31"))
    b = status("mr2", "2020-04-02", "2025-04-01")
    assert (b.status, b.window_from, b.window_until) == (
        "upcoming",
        d("2026-04-01"),
        d("2027-03-31"),
    )
    assert status("mr2", "2020-04-01", "2026-04-01").status == "missed"
    assert status("mr2", "2020-04-01", "2026-03-31", [("mr", "2025-06-01")]).status == "complete"


def test_mr_dose_goes_to_the_series_whose_window_holds_it() -> None:
    hist = [("mr", "2021-04-15"), ("mr", "2025-05-01")]
    assert status("mr1", "2020-04-01", "2025-06-01", hist).status == "complete"
    assert status("mr2", "2020-04-01", "2025-06-01", hist).status == "complete"


def test_mr_shortage_extension() -> None:
    # born 2019-04-01: 2期 window FY2024, extended as routine to 2027-03-31
    ext = status("mr2", "2019-04-01", "2026-06-01")
    assert (ext.status, ext.window_from, ext.window_until) == (
        "due",
        d("2024-04-01"),
        d("2027-03-31"),
    )
    # born 2019-04-02 is outside the extension cohort: normal window FY2025 only
    normal = status("mr2", "2019-04-02", "2026-06-01")
    assert (normal.status, normal.window_until) == ("missed", d("2026-03-31"))
    # 1期: born 2022-06-01 missed 生後24月 (2024-05-31); routine again 2025-04-01–2027-03-31
    mr1 = status("mr1", "2022-06-01", "2025-05-01")
    assert (mr1.status, mr1.window_from, mr1.window_until) == (
        "due",
        d("2025-04-01"),
        d("2027-03-31"),
    )
    gap = status("mr1", "2022-06-01", "2025-01-10")
    assert (gap.status, gap.earliest) == ("upcoming", d("2025-04-01"))
    assert status("mr1", "2021-06-01", "2025-05-01").status == "missed"


def test_hpv_window_april_1_vs_april_2_birth() -> None:
    a = status("hpv", "2014-04-01", "2025-04-01")
    assert (a.status, a.window_from, a.window_until) == ("due", d("2025-04-01"), d("2030-03-31"))
    assert (a.standard_from, a.standard_until) == (d("2026-04-01"), d("2027-03-31"))
    b = status("hpv", "2014-04-02", "2025-04-01")
    assert (b.status, b.window_from, b.window_until) == (
        "upcoming",
        d("2026-04-01"),
        d("2031-03-31"),
    )


def test_hpv_two_or_three_doses_by_age_at_first_dose() -> None:
    dob = "2012-06-10"  # reaches 15 on 2027-06-09
    two = status("hpv", dob, "2027-06-09", [("hpv9", "2027-06-09")])
    assert (two.doses_required, two.earliest) == (2, d("2027-11-09"))  # ≥5月
    three = status("hpv", dob, "2027-06-10", [("hpv9", "2027-06-10")])
    assert (three.doses_required, three.earliest) == (3, d("2027-07-10"))  # ≥1月
    third = status("hpv", dob, "2027-08-01", [("hpv9", "2027-06-10"), ("hpv9", "2027-07-10")])
    assert (third.next_dose, third.earliest) == ("3回目", d("2027-10-10"))  # ≥3月


def test_hpv_not_applicable_to_boys_and_unknown_sex() -> None:
    assert status("hpv", "2013-06-10", "2026-06-10", sex="M").status == "not_applicable"
    unknown = status("hpv", "2013-06-10", "2026-06-10", sex=None)
    assert (unknown.status, codes(unknown)) == ("not_applicable", ["W_SEX_UNKNOWN"])


def test_hpv_catch_up_finish_until_march_2026() -> None:
    dob = "2000-05-01"
    started = status("hpv", dob, "2025-06-01", [("hpv9", "2024-10-01")])
    assert (started.status, started.next_dose, started.doses_required) == ("due", "2回目", 3)
    # catch-up (2022-04-01–2025-03-31) and its finishing period join into one window
    assert (started.window_from, started.window_until) == (d("2022-04-01"), d("2026-03-31"))
    never = status("hpv", dob, "2025-06-01")
    assert (never.status, never.window_until) == ("missed", d("2025-03-31"))
    assert status("hpv", dob, "2026-04-01", [("hpv9", "2024-10-01")]).status == "missed"


def test_hpv2_not_routine_after_march_2026() -> None:
    s = status("hpv", "2014-06-10", "2026-06-10", [("hpv2", "2026-05-01")])
    assert (s.doses_given, codes(s)) == (0, ["W_PRODUCT_NOT_ROUTINE"])


def test_je_special_rule_1995_cohort() -> None:
    # 4歳以上20歳未満, from the rule's start (2011-05-20) on: a window of its own
    s = status("je1", "2000-01-01", "2015-01-01")
    assert (s.status, s.window_from, s.window_until) == ("due", d("2011-05-20"), d("2019-12-31"))
    doses = [("je", x) for x in ("2014-01-01", "2014-01-15", "2014-08-01", "2014-09-01")]
    assert status("je1", "2000-01-01", "2015-01-01", doses).status == "complete"
    je2 = status("je2", "2000-01-01", "2015-01-01", doses)
    assert (je2.status, je2.doses_given, je2.window_until) == ("complete", 1, d("2019-12-31"))
    assert status("je1", "2000-01-01", "2020-01-01").status == "missed"


def test_je_special_rule_2007_cohort_has_a_gap() -> None:
    dob = "2008-01-01"  # 生後90月 2015-06-30; 9歳 2016-12-31; 13歳未満 through 2020-12-31
    gap = status("je1", dob, "2016-06-01", [("je", "2012-01-10")])
    assert (gap.status, gap.next_dose, gap.window_from, gap.window_until) == (
        "upcoming",
        "初回2回目",
        d("2016-12-31"),
        d("2020-12-31"),
    )
    later = status("je1", dob, "2017-06-01", [("je", "2012-01-10")])
    assert (later.status, later.doses_given) == ("due", 1)
    assert status("je1", "2010-01-01", "2018-06-01").status == "missed"


def test_long_term_illness_extension_with_age_cap() -> None:
    dob = "2020-06-01"
    facts = Facts(long_term_illness_end=d("2022-01-10"))
    s = status("bcg", dob, "2023-01-01", facts=facts)
    assert (s.status, s.window_from, s.window_until) == ("due", d("2022-01-10"), d("2024-01-09"))
    capped = status("bcg", dob, "2023-06-01", facts=Facts(long_term_illness_end=d("2023-01-10")))
    assert capped.window_until == d("2024-05-31")  # BCG: < 4歳
    given = status("bcg", dob, "2023-06-01", [("bcg", "2023-02-01")], facts=facts)
    assert (given.status, codes(given)) == ("complete", ["W_LTC_REASON"])
    assert status("bcg", dob, "2023-01-01").status == "missed"


def test_long_term_illness_hib_cap_10_years() -> None:
    facts = Facts(long_term_illness_end=d("2029-01-01"))
    s = status("hib", "2020-06-01", "2029-02-01", facts=facts)
    # cap: 10歳 is reached 2030-05-31, before the 2-year end 2030-12-31
    assert (s.status, s.window_from, s.window_until) == ("due", d("2029-01-01"), d("2030-05-31"))
    given = status("hib", "2020-06-01", "2029-02-01", [("hib", "2029-02-01")], facts=facts)
    assert (given.status, given.doses_required, codes(given)) == ("complete", 1, ["W_LTC_REASON"])


def test_rubella_5th_period_for_eligible_men() -> None:
    facts = Facts(flags=frozenset({"rubella5_eligible"}))
    s = status("rubella5", "1970-01-01", "2026-01-01", sex="M", facts=facts)
    assert (s.status, s.window_until) == ("due", d("2027-03-31"))
    done = status("rubella5", "1970-01-01", "2026-01-01", [("mr", "2025-10-01")], "M", facts)
    assert done.status == "complete"
    assert status("rubella5", "1970-01-01", "2026-01-01", sex="M").status == "not_applicable"
    assert status("rubella5", "1980-01-01", "2026-01-01", sex="M", facts=facts).status == (
        "not_applicable"
    )


def test_series_before_its_start_is_not_applicable() -> None:
    assert status("hepb", "2016-03-31", "2016-10-01").status == "not_applicable"
    hepb = status("hepb", "2016-04-01", "2016-10-01")
    assert (hepb.status, hepb.window_from) == ("due", d("2016-10-01"))
    assert status("rota", "2020-07-31", "2020-10-01").status == "not_applicable"
