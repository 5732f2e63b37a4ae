"""Engine contract: the six statuses, result types, history input and errors."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from app.domain.schedule import (
    STATUSES,
    Evaluation,
    HistoryEntry,
    Person,
    SeriesStatus,
    UnknownVaccine,
    evaluate,
)
from app.store.catalog_files import load_catalog
from tests.support.schedule import d, run_all, status

CANONICAL = [
    "hepb",
    "rota",
    "dpt_ipv",
    "hib",
    "pcv",
    "bcg",
    "mr1",
    "mr2",
    "varicella",
    "je1",
    "je2",
    "dt2",
    "hpv",
    "flu65",
    "pneumo65",
    "covid65",
    "zoster",
    "rsv_maternal",
]


def test_each_status_is_reachable() -> None:
    dob = "2025-05-10"
    seen = {
        "upcoming": status("mr1", dob, "2025-08-01"),
        "due": status("bcg", dob, "2025-08-01"),
        "waiting": status("varicella", dob, "2026-06-06", [("mr", "2026-05-10")]),
        "complete": status("bcg", dob, "2025-12-01", [("bcg", "2025-10-01")]),
        "missed": status("hepb", dob, "2026-05-10"),
        "not_applicable": status("flu65", dob, "2025-08-01"),
    }
    assert {k: v.status for k, v in seen.items()} == {k: k for k in STATUSES}
    assert seen["upcoming"].earliest == d("2026-05-09")
    assert seen["missed"].earliest is None and seen["missed"].next_dose == "1回目"
    na = seen["not_applicable"]
    assert (na.next_dose, na.earliest, na.window_from, na.doses_required) == (
        None,
        None,
        None,
        None,
    )


def test_every_canonical_series_is_evaluated_in_catalog_order() -> None:
    ev = run_all("2025-05-10", "2025-08-01")
    ids = [s.id for s in ev.series]
    assert ids[: len(CANONICAL)] == CANONICAL
    assert ev.on == d("2025-08-01")


def test_results_are_frozen_slotted_dataclasses() -> None:
    ev = run_all("2025-05-10", "2025-08-01")
    for cls in (Evaluation, SeriesStatus):
        assert dataclasses.is_dataclass(cls)
        assert cls.__dict__["__dataclass_params__"].frozen
        assert "__slots__" in cls.__dict__
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev.series[0].status = "due"  # type: ignore[misc]


def test_series_id_history_entries_count() -> None:
    # a series id stands for the series' first default product in force on the date
    by_series = status("rota", "2025-05-10", "2025-08-01", [("rota", "2025-07-10")])
    by_product = status("rota", "2025-05-10", "2025-08-01", [("rota1", "2025-07-10")])
    assert by_series == by_product
    assert (by_series.doses_given, by_series.window_until) == (1, d("2025-10-25"))
    mr = status("mr1", "2025-05-10", "2026-06-01", [("mr1", "2026-05-20")])
    assert mr.status == "complete"
    # a series-only live entry still imposes the 27-day wait on other live vaccines
    v = status("varicella", "2025-05-10", "2026-06-01", [("mr1", "2026-05-20")])
    assert (v.status, v.earliest) == ("waiting", d("2026-06-17"))


def test_unknown_vaccine_is_rejected_with_code() -> None:
    with pytest.raises(UnknownVaccine) as err:
        evaluate(
            load_catalog(),
            Person(date(2025, 5, 10), "F"),
            [HistoryEntry("polio_opv", date(2025, 7, 1))],
            date(2025, 8, 1),
        )
    assert err.value.code == "E_UNKNOWN_VACCINE"
    assert "polio_opv" in err.value.message_ja
