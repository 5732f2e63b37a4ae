"""Hib after 生後60月 and 5種混合 (issue 12 items 1–2, DOMAIN.md §1–§3).

Hib's window reaches 生後90月 only while the remaining doses can be given as 5種混合: DPT-IPV
still has a dose to give and Hib was not started as standalone Hib. Otherwise standalone Hib
ends at 生後60月 (missed after), and a first standalone dose at 1–5歳 is the only dose.
Month-end and leap-day births use DOMAIN §1's worked dates (生後60月 of 2024-01-31 is 2029-01-30,
of 2024-02-29 is 2029-02-28).
"""

from __future__ import annotations

import pytest

from app.domain.schedule import one_per_injection
from tests.support.schedule import run_all, status


def _dpt4(start: str, *more: str) -> list[tuple[str, str]]:
    return [("dpt_ipv", x) for x in (start, *more)]


# 4種混合 completed on time for births 2024-01-31 and 2024-02-29 (both reach 生後2月 by 2024-04-28).
DPT_DONE = _dpt4("2024-05-01", "2024-06-01", "2024-07-01", "2025-02-01")


@pytest.mark.parametrize(
    ("dob", "last_day"),
    [("2024-01-31", "2029-01-30"), ("2024-02-29", "2029-02-28"), ("2025-05-10", "2030-05-09")],
)
def test_standalone_hib_ends_at_60_months_when_dpt_ipv_is_complete(dob: str, last_day: str) -> None:
    history = (
        DPT_DONE
        if dob.startswith("2024")
        else _dpt4("2025-07-10", "2025-08-10", "2025-09-10", "2026-04-10")
    )
    assert status("dpt_ipv", dob, last_day, history).status == "complete"
    on_last = status("hib", dob, last_day, history)
    assert on_last.status == "due"
    assert on_last.next_product == "hib"
    assert on_last.window_until is not None and on_last.window_until.isoformat() == last_day
    day_after = (
        "2029-03-01"
        if dob == "2024-02-29"
        else ("2029-01-31" if dob == "2024-01-31" else "2030-05-10")
    )
    after = status("hib", dob, day_after, history)
    assert after.status == "missed"
    assert after.next_product is None


def test_six_year_old_with_dpt_ipv_complete_is_not_offered_hib() -> None:
    # 6歳11か月 on 2026-11-27 (born 2019-12-31); 4種混合 done in 2020–2021.
    history = _dpt4("2020-03-02", "2020-04-02", "2020-05-02", "2021-01-05")
    st = status("hib", "2019-12-31", "2026-11-27", history)
    assert st.status == "missed"
    assert st.window_until is not None and st.window_until.isoformat() == "2024-12-30"


def test_hib_to_90_months_only_as_5in1_while_dpt_ipv_is_open() -> None:
    st = status("hib", "2019-12-31", "2026-11-27")
    dpt = status("dpt_ipv", "2019-12-31", "2026-11-27")
    assert (st.status, st.next_product) == ("due", "dpt_ipv_hib")
    assert dpt.status == "due" and dpt.next_product == "dpt_ipv_hib"
    assert st.window_until is not None and st.window_until.isoformat() == "2027-06-30"
    assert st.doses_required == 4  # as 5種混合 it follows DPT-IPV


def test_hib_started_standalone_is_missed_after_60_months_even_with_dpt_ipv_open() -> None:
    # Hib and 4種混合 started at 3 months; Hib's 追加 never given; DPT-IPV 追加 still due.
    history = [("hib", "2020-05-01"), ("hib", "2020-06-01"), ("hib", "2020-07-01")]
    history += _dpt4("2020-05-01", "2020-06-01", "2020-07-01")
    assert status("dpt_ipv", "2020-01-31", "2025-01-31", history).status == "due"
    assert status("hib", "2020-01-31", "2025-01-30", history).status == "due"
    assert status("hib", "2020-01-31", "2025-01-31", history).status == "missed"


@pytest.mark.parametrize("dob", ["2024-01-31", "2024-02-29"])
def test_first_standalone_hib_at_1_to_5_years_is_one_dose(dob: str) -> None:
    # DPT-IPV complete; Hib never given; on 2026-03-01 the child is 2 years old.
    st = status("hib", dob, "2026-03-01", DPT_DONE)
    assert (st.status, st.next_product, st.next_dose, st.doses_required) == (
        "due",
        "hib",
        "1回目",
        1,
    )
    done = status("hib", dob, "2026-03-10", [*DPT_DONE, ("hib", "2026-03-02")])
    assert done.status == "complete"
    assert done.doses_given == 1


def test_first_hib_at_2_years_as_5in1_follows_dpt_ipv() -> None:
    st = status("hib", "2024-01-31", "2026-03-01", [("dpt_ipv_hib", "2026-02-01")])
    assert st.doses_required == 4
    assert st.next_dose == "初回2回目"
    assert st.next_product == "dpt_ipv_hib"


def test_infant_due_for_both_gets_one_5in1_injection() -> None:
    ev = run_all("2025-05-10", "2025-08-01")
    due = [s for s in ev.series if s.status in ("due", "waiting")]
    assert {"dpt_ipv", "hib"} <= {s.id for s in due}
    merged = one_per_injection(ev, due)
    ids = [s.id for s in merged]
    assert "dpt_ipv" in ids and "hib" not in ids
    assert len(ids) == len(due) - 1


def test_standalone_hib_and_4in1_stay_two_injections() -> None:
    history = [("hib", "2025-07-15"), ("dpt_ipv", "2025-07-15")]
    ev = run_all("2025-05-10", "2025-09-01", history)
    due = [s for s in ev.series if s.status in ("due", "waiting")]
    ids = [s.id for s in one_per_injection(ev, due)]
    assert "dpt_ipv" in ids and "hib" in ids
