"""DOMAIN.md §1 worked dates, seen through the windows the engine reports."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.schedule import d, status

# Birth | 生後2月 | 生後7月 | 生後12月 | 生後60月 | 生後90月
WORKED = [
    ("2025-05-10", "2025-07-09", "2025-12-09", "2026-05-09", "2030-05-09", "2032-11-09"),
    ("2020-04-01", "2020-05-31", "2020-10-31", "2021-03-31", "2025-03-31", "2027-09-30"),
    ("2024-01-31", "2024-03-30", "2024-08-30", "2025-01-30", "2029-01-30", "2031-07-30"),
    ("2024-02-29", "2024-04-28", "2024-09-28", "2025-02-28", "2029-02-28", "2031-08-28"),
]


@pytest.mark.parametrize(("dob", "m2", "m7", "m12", "m60", "m90"), WORKED)
def test_month_bounds_in_windows(dob: str, m2: str, m7: str, m12: str, m60: str, m90: str) -> None:
    on = dob  # everything is still ahead on the birth day
    dpt = status("dpt_ipv", dob, on)
    assert (dpt.status, dpt.window_from, dpt.window_until) == ("upcoming", d(m2), d(m90))
    assert dpt.standard_until == d(m7)
    pcv = status("pcv", dob, on)
    assert (pcv.window_from, pcv.window_until) == (d(m2), d(m60))
    mr1 = status("mr1", dob, on)
    assert mr1.window_from == d(m12)
    assert mr1.earliest == d(m12)


@pytest.mark.parametrize(("dob", "m2", "m7", "m12", "m60", "m90"), WORKED)
def test_seven_month_band_edge_for_hib(
    dob: str, m2: str, m7: str, m12: str, m60: str, m90: str
) -> None:
    """A first Hib dose on the day of 生後7月 is still in the 2–7 month band (MHLW wording)."""
    assert status("hib", dob, m7, [("hib", m7)]).doses_required == 4
    next_day = (d(m7) + timedelta(days=1)).isoformat()
    assert status("hib", dob, next_day, [("hib", next_day)]).doses_required == 3
    assert status("hib", dob, m2, [("hib", m2)]).doses_required == 4


def test_rota_weeks_for_2025_05_10() -> None:
    dob = "2025-05-10"
    before = status("rota", dob, "2025-06-20")
    assert before.status == "upcoming"
    assert before.earliest == d("2025-06-21")  # 6週0日後 = +42
    assert before.standard_until == d("2025-08-22")  # 14週6日後 = +104
    assert before.window_until == d("2025-12-20")  # no product chosen yet: widest window
    rotarix = status("rota", dob, "2025-07-01", [("rota1", "2025-07-01")])
    assert rotarix.window_until == d("2025-10-25")  # 1価 to 24週0日後 = +168
    assert rotarix.doses_required == 2
    rotateq = status("rota", dob, "2025-07-01", [("rota5", "2025-07-01")])
    assert rotateq.window_until == d("2025-12-20")  # 5価 to 32週0日後 = +224
    assert rotateq.doses_required == 3
    assert status("rota", dob, "2025-06-21").status == "due"


def test_rota_window_ends_exactly() -> None:
    dob = "2025-05-10"
    last = status("rota", dob, "2025-10-25", [("rota1", "2025-09-01")])
    assert (last.status, last.earliest) == ("due", d("2025-09-29"))
    closed = status("rota", dob, "2025-10-26", [("rota1", "2025-09-01")])
    assert closed.status == "missed"
    rotateq = status("rota", dob, "2025-12-20", [("rota5", "2025-09-01"), ("rota5", "2025-10-01")])
    assert rotateq.status == "due"
    assert status("rota", dob, "2025-12-21", [("rota5", "2025-09-01")]).status == "missed"


def test_age_reached_day_before_birthday() -> None:
    """Born 2009-04-01 reaches 1歳 on 2010-03-31: BCG window ends there."""
    bcg = status("bcg", "2009-04-01", "2009-05-01")
    assert (bcg.status, bcg.window_from, bcg.window_until) == (
        "due",
        d("2009-04-01"),
        d("2010-03-31"),
    )
    assert status("bcg", "2009-04-01", "2010-03-31").status == "due"
    assert status("bcg", "2009-04-01", "2010-04-01").status == "missed"


def test_leap_day_birth_bcg_and_hepb() -> None:
    bcg = status("bcg", "2024-02-29", "2024-03-01")
    assert bcg.window_until == d("2025-02-28")
    assert bcg.standard_from == d("2024-07-28")  # 生後5月
    assert bcg.standard_until == d("2024-10-28")  # 生後8月
    hepb = status("hepb", "2024-02-29", "2024-03-01")
    assert (hepb.window_until, hepb.standard_from, hepb.standard_until) == (
        d("2025-02-28"),
        d("2024-04-28"),
        d("2024-11-28"),
    )


def test_je2_and_dt2_age_windows() -> None:
    dob = "2015-06-15"
    je2 = status("je2", dob, "2024-06-13")
    assert (je2.status, je2.window_from, je2.window_until) == (
        "upcoming",
        d("2024-06-14"),
        d("2028-06-14"),
    )
    assert status("je2", dob, "2024-06-14").status == "due"
    assert status("je2", dob, "2028-06-15").status == "missed"
    dt2 = status("dt2", dob, "2026-06-14")
    assert (dt2.status, dt2.window_from, dt2.window_until) == (
        "due",
        d("2026-06-14"),
        d("2028-06-14"),
    )
    assert (dt2.standard_from, dt2.standard_until) == (d("2026-06-14"), d("2027-06-14"))


def test_month_end_birth_varicella_window() -> None:
    v = status("varicella", "2024-01-31", "2025-01-30")
    assert (v.status, v.window_from, v.window_until) == ("due", d("2025-01-30"), d("2027-01-30"))
