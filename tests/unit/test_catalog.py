"""The vaccine catalog file: content of DOMAIN.md §2 as data, validation and error reporting."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.domain.catalog import CatalogInvalid, catalog_from_dict
from app.domain.schedule import HistoryEntry, Person, evaluate
from app.errors import ConfigError
from app.store.catalog_files import default_catalog_path, load_catalog

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


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(default_catalog_path().read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _series(data: dict[str, Any], sid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in data["series"] if s["id"] == sid)
    return found


def test_default_catalog_has_every_canonical_series() -> None:
    cat = load_catalog()
    ids = [s.id for s in cat.series]
    assert set(CANONICAL) <= set(ids)
    assert cat.series_by_id("hepb").name_ja == "B型肝炎"
    assert cat.series_by_id("hpv").sex == "F"
    assert {
        s.category for s in cat.series if s.id in ("flu65", "pneumo65", "covid65", "zoster")
    } == {"B"}
    assert load_catalog() is cat  # cached default


def test_products_classes_and_shared_counting() -> None:
    cat = load_catalog()
    assert cat.series_by_product["dpt_ipv_hib"] == ("dpt_ipv", "hib")
    assert cat.series_by_product["dpt_ipv"] == ("dpt_ipv",)
    live = {p.id for p in cat.products.values() if p.klass == "live_injected"}
    assert live == {"bcg", "mr", "varicella", "zoster_live", "mumps"}
    assert {cat.products["rota1"].klass, cat.products["rota5"].route} == {"live_oral", "oral"}
    assert cat.products["hpv9"].route == "im"
    assert cat.live_injected_min_days == 27
    rota = cat.series_by_id("rota")
    assert {p.id: len(p.doses) for p in rota.plans} == {"rota1_2": 2, "rota5_3": 3}


def test_dose_labels() -> None:
    cat = load_catalog()
    dpt = cat.series_by_id("dpt_ipv").plans[0]
    assert [x.label for x in dpt.doses] == ["初回1回目", "初回2回目", "初回3回目", "追加"]
    assert [x.label for x in cat.series_by_id("varicella").plans[0].doses] == ["1回目", "2回目"]


def test_unsure_items_are_marked_in_data() -> None:
    data = _raw()
    hpv_products = {p["product"]: p for p in _series(data, "hpv")["products"]}
    assert hpv_products["hpv2"]["unsure"] is True
    assert hpv_products["hpv2"]["routine_until"] == "2026-03-31"
    assert _series(data, "rsv_maternal")["category_unsure"] is True
    assert _series(data, "flu65")["season"]["unsure"] is True


def test_special_rules_are_data_with_dates() -> None:
    rules = {r.id: r for r in load_catalog().special_rules}
    assert rules["je_tokurei_1995"].birth_from == date(1995, 4, 2)
    assert rules["mr1_shortage"].effective_until == date(2027, 3, 31)
    assert rules["hpv_catchup_finish"].requires_dose_by == date(2025, 3, 31)
    assert rules["ltc_bcg"].warning == "W_LTC_REASON"
    assert {"ltc_pcv", "ltc_hib", "ltc_dpt_ipv", "ltc_pneumo65"} <= set(rules)


def test_administrator_can_change_a_rule_without_code(tmp_path: Path) -> None:
    data = _raw()
    dose2 = _series(data, "dpt_ipv")["plans"][0]["doses"][1]
    dose2["intervals"][0]["days"] = 27
    cat = load_catalog(_write(tmp_path, data))
    ev = evaluate(
        cat,
        Person(date(2025, 5, 10)),
        [HistoryEntry("dpt_ipv", date(2025, 7, 10))],
        date(2025, 8, 1),
    )
    assert ev.get("dpt_ipv").earliest == date(2025, 8, 7)


def _reject(tmp_path: Path, data: Any) -> CatalogInvalid:
    with pytest.raises(CatalogInvalid) as err:
        load_catalog(_write(tmp_path, data))
    assert err.value.code == "E_CATALOG_INVALID"
    assert isinstance(err.value, ConfigError)
    return err.value


def test_schema_violation_is_rejected_naming_the_path(tmp_path: Path) -> None:
    data = _raw()
    _series(data, "hib")["plans"][1]["doses"][1]["intervals"][0]["days"] = -1
    err = _reject(tmp_path, data)
    assert "intervals[0].days" in err.message_ja
    assert "minimum" in err.message_ja


def test_unknown_bound_kind_is_rejected(tmp_path: Path) -> None:
    data = _raw()
    _series(data, "bcg")["window"]["until"] = {"kind": "lunar_months", "n": 3}
    assert "window.until" in _reject(tmp_path, data).message_ja


def test_missing_product_reference_is_rejected(tmp_path: Path) -> None:
    data = _raw()
    _series(data, "bcg")["products"][0]["product"] = "bcg_tokyo"
    msg = _reject(tmp_path, data).message_ja
    assert "bcg_tokyo" in msg and "series[" in msg


def test_bad_dose_reference_is_rejected() -> None:
    data = copy.deepcopy(_raw())
    _series(data, "hepb")["plans"][0]["doses"][2]["intervals"][0]["after"] = 3
    with pytest.raises(CatalogInvalid) as err:
        catalog_from_dict(data)
    assert "hepb" in err.value.message_ja and "after=3" in err.value.message_ja


def test_special_rule_for_unknown_series_is_rejected(tmp_path: Path) -> None:
    data = _raw()
    data["special_rules"][0]["series"] = ["je9"]
    assert "je9" in _reject(tmp_path, data).message_ja


def test_not_json_and_missing_file_are_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogInvalid) as err:
        load_catalog(bad)
    assert err.value.code == "E_CATALOG_INVALID" and "broken.json" in err.value.message_ja
    with pytest.raises(CatalogInvalid) as err2:
        load_catalog(tmp_path / "absent.json")
    assert "absent.json" in err2.value.message_ja


def test_wrong_format_marker_is_rejected(tmp_path: Path) -> None:
    data = _raw()
    data["format_version"] = 2
    assert "format_version" in _reject(tmp_path, data).message_ja


def test_series_sharing_a_product_given_by_date_are_found_from_the_catalog() -> None:
    """The 未接種者一覧 judges these series' doses together: MR and 日本脳炎 doses (and PCV20,
    shared by the child and the 65-year series) go to one series by date, whichever series they
    were recorded under; a combination product counted for every series (5種混合) links none."""
    catalog = load_catalog()
    assert catalog.sharing_with("je2") == ("je1", "je2") == catalog.sharing_with("je1")
    assert catalog.sharing_with("mr1") == ("mr1", "mr2", "rubella5")
    assert catalog.sharing_with("rubella5") == ("mr1", "mr2", "rubella5")
    assert catalog.sharing_with("pneumo65") == ("pcv", "pneumo65")
    assert catalog.sharing_with("dpt_ipv") == ("dpt_ipv",)
    assert catalog.sharing_with("hib") == ("hib",)
    assert catalog.sharing_with("flu65") == ("flu65",)
    # Derived from the data: a je product counted for every series links nothing.
    data = _raw()
    for product in data["products"]:
        if product["id"] == "je":
            product["assign"] = "each"
    assert catalog_from_dict(data).sharing_with("je2") == ("je2",)
    restricted = catalog.restricted_to("je2", "je1")
    assert {s.id for s in restricted.series} == {"je1", "je2"}
    assert restricted.series_by_product["je"] == ("je1", "je2")
