"""B類 series (flu65, covid65, pneumo65, zoster) and RSV maternal immunisation."""

from __future__ import annotations

import pytest

from app.domain.schedule import Facts
from tests.support.schedule import codes, d, run_all, status


@pytest.mark.parametrize(
    ("dob", "on", "expected", "window"),
    [
        ("1960-06-01", "2025-06-01", "due", ("2025-04-01", "2026-03-31")),  # turns 65 in FY2025
        ("1955-06-01", "2025-06-01", "due", ("2025-04-01", "2026-03-31")),  # turns 70 in FY2025
        ("1926-03-31", "2025-06-01", "due", ("2025-04-01", "2026-03-31")),  # turns 100 (2026-03-30)
        ("1920-01-01", "2025-06-01", "due", ("2025-04-01", "2026-03-31")),  # already 100+ in FY2025
        ("1957-06-01", "2025-06-01", "not_applicable", None),  # 70 only in FY2027: > 12 months
        ("1961-06-01", "2025-06-01", "upcoming", ("2026-04-01", "2027-03-31")),  # 65 in FY2026
        ("1961-06-01", "2025-01-10", "not_applicable", None),  # FY2026 opens > 12 months later
        ("1965-06-01", "2030-06-01", "due", ("2030-04-01", "2031-03-31")),  # 65: no end year
        # 70 in FY2030 is after FY2029: only the FY2025 (65) window existed, and it closed
        ("1960-06-01", "2030-06-01", "missed", ("2025-04-01", "2026-03-31")),
        ("1990-01-01", "2030-06-01", "not_applicable", None),  # 40: far from any cohort
        ("1960-06-01", "2026-04-01", "missed", ("2025-04-01", "2026-03-31")),
    ],
)
def test_zoster_cohorts(dob: str, on: str, expected: str, window: tuple[str, str] | None) -> None:
    s = status("zoster", dob, on)
    assert s.status == expected
    if window is None:
        assert (s.window_from, s.window_until) == (None, None)
    else:
        assert (s.window_from, s.window_until) == (d(window[0]), d(window[1]))


def test_fiscal_year_edge_for_turning_65() -> None:
    """Born 1961-04-01 reaches 65 on 2026-03-31 (FY2025); born 1961-04-02 on 2026-04-01."""
    assert status("zoster", "1961-04-01", "2025-06-01").status == "due"
    assert status("zoster", "1961-04-02", "2025-06-01").status == "upcoming"


def test_zoster_recombinant_two_doses_two_months_no_mixing() -> None:
    dob = "1960-06-01"
    one = status("zoster", dob, "2025-07-01", [("zoster_recombinant", "2025-06-10")])
    assert (one.status, one.next_dose, one.earliest) == ("waiting", "2回目", d("2025-08-10"))
    assert one.doses_required == 2
    mixed = [("zoster_recombinant", "2025-06-10"), ("zoster_live", "2025-09-01")]
    s = status("zoster", dob, "2025-09-10", mixed)
    assert (s.status, s.doses_given, codes(s)) == ("due", 1, ["W_PRODUCT_MIXED"])
    live = status("zoster", dob, "2025-09-10", [("zoster_live", "2025-09-01")])
    assert (live.status, live.doses_required) == ("complete", 1)


def test_zoster_live_counts_for_27_day_rule() -> None:
    facts = Facts(flags=frozenset({"rubella5_eligible"}))
    s = status("rubella5", "1962-06-01", "2025-09-10", [("zoster_live", "2025-09-01")], "M", facts)
    assert (s.status, s.earliest) == ("waiting", d("2025-09-29"))


def test_pneumo65_while_aged_65() -> None:
    dob = "1960-06-01"  # 65 on 2025-05-31, 66 on 2026-05-31
    s = status("pneumo65", dob, "2025-06-01")
    assert (s.status, s.window_from, s.window_until) == ("due", d("2025-05-31"), d("2026-05-30"))
    assert status("pneumo65", dob, "2025-05-30").status == "upcoming"
    assert status("pneumo65", dob, "2026-05-31").status == "missed"
    assert status("pneumo65", dob, "2025-08-01", [("ppsv23", "2025-07-01")]).status == "complete"


def test_pneumo65_product_switch_on_2026_04_01() -> None:
    dob = "1960-06-01"
    early = status("pneumo65", dob, "2026-01-10", [("pcv20", "2026-01-05")])
    assert (early.doses_given, codes(early)) == (0, ["W_PRODUCT_NOT_ROUTINE"])
    late = status("pneumo65", dob, "2026-04-10", [("pcv20", "2026-04-05")])
    assert (late.status, late.warnings) == ("complete", ())
    old = status("pneumo65", dob, "2026-04-10", [("ppsv23", "2026-04-05")])
    assert codes(old) == ["W_PRODUCT_NOT_ROUTINE"]


def test_pneumo65_excluded_after_earlier_ppsv23() -> None:
    s = status("pneumo65", "1960-06-01", "2025-06-01", [("ppsv23", "2022-01-01")])
    assert (s.status, codes(s)) == ("not_applicable", ["W_EXCLUDED_PRIOR"])


def test_flu65_season() -> None:
    dob = "1950-01-01"
    s = status("flu65", dob, "2025-11-01")
    assert (s.status, s.window_from, s.window_until) == ("due", d("2025-10-01"), d("2026-01-31"))
    assert status("flu65", dob, "2025-11-01", [("flu", "2025-10-20")]).status == "complete"
    assert status("flu65", dob, "2026-02-15").status == "missed"
    assert status("flu65", dob, "2026-02-15", [("flu", "2025-01-10")]).status == "missed"
    before = status("flu65", dob, "2025-06-01")
    assert (before.status, before.earliest) == ("upcoming", d("2025-10-01"))
    extra = status("flu65", dob, "2025-12-01", [("flu", "2025-10-20"), ("flu", "2025-11-20")])
    assert (extra.status, codes(extra)) == ("complete", ["W_EXTRA_DOSE"])


def test_flu65_turning_65_during_season_and_disability() -> None:
    s = status("flu65", "1960-12-01", "2025-11-01")  # 65 on 2025-11-30
    assert (s.status, s.window_from, s.earliest) == ("upcoming", d("2025-11-30"), d("2025-11-30"))
    assert status("flu65", "1963-01-01", "2025-11-01").status == "not_applicable"
    flagged = Facts(flags=frozenset({"disability_60_64"}))
    assert status("flu65", "1963-01-01", "2025-11-01", facts=flagged).status == "due"
    assert status("flu65", "2025-01-01", "2025-11-01", facts=flagged).status == "not_applicable"


def test_covid65_per_fiscal_year() -> None:
    dob = "1950-01-01"
    s = status("covid65", dob, "2026-03-15")
    assert (s.status, s.window_from, s.window_until) == ("due", d("2025-10-01"), d("2026-03-31"))
    assert status("covid65", dob, "2026-03-15", [("covid", "2025-10-15")]).status == "complete"
    assert status("covid65", dob, "2026-04-01", [("covid", "2025-10-15")]).status == "upcoming"
    assert status("covid65", "1950-01-01", "2023-09-01").status == "not_applicable"
    first = status("covid65", "1950-01-01", "2024-03-01")  # routine from FY2024
    assert (first.status, first.window_from) == ("upcoming", d("2024-10-01"))


def test_rsv_maternal_by_gestation_week() -> None:
    dob = "1995-01-01"
    facts = Facts(pregnancy_week=(30, 0))
    s = status("rsv_maternal", dob, "2026-06-01", facts=facts)
    # 妊娠0週0日 = 2025-11-03 (30週 before), 28週0日 = +196, 36週6日 = +258
    assert (s.status, s.window_from, s.window_until) == ("due", d("2026-05-18"), d("2026-07-19"))
    early = status("rsv_maternal", dob, "2026-06-01", facts=Facts(pregnancy_week=(20, 0)))
    assert (early.status, early.earliest) == ("upcoming", d("2026-07-27"))
    assert status("rsv_maternal", dob, "2026-06-01").status == "not_applicable"
    assert status("rsv_maternal", dob, "2026-06-01", sex="M", facts=facts).status == (
        "not_applicable"
    )


def test_rsv_maternal_by_due_date_and_previous_pregnancy() -> None:
    facts = Facts(pregnancy_due_date=d("2026-08-07"))  # 0週0日 = 2025-10-31
    hist = [("rsv", "2024-05-01"), ("rsv", "2026-06-01")]
    s = status("rsv_maternal", "1995-01-01", "2026-06-10", hist, facts=facts)
    assert (s.status, s.doses_given, s.warnings) == ("complete", 1, ())
    first = status("rsv_maternal", "1995-01-01", "2026-05-20", [("rsv", "2024-05-01")], facts=facts)
    assert (first.status, first.window_from) == ("due", d("2026-05-15"))


def test_children_series_do_not_apply_to_old_people() -> None:
    ev = run_all("1950-01-01", "2025-11-01")
    child = ["hepb", "rota", "dpt_ipv", "hib", "pcv", "varicella", "hpv"]
    assert [ev.get(x).status for x in child] == ["not_applicable"] * len(child)
