"""Annual report 期/回 rows (issue 12 item 19): Hib/PCV doses of children started at 1歳 or
later (labelled 1回目 / 2回目) count on the 初回1回目 / 初回2回目 rows, so no all-zero
1回目 / 2回目 rows stand beside the real counts."""

from __future__ import annotations

from app.domain.report_labels import report_labels
from app.services.printing.reports import annual_rows
from app.store.catalog_files import load_catalog
from app.store.reports import DoseCount


def test_late_start_labels_fold_into_the_first_plans_rows() -> None:
    catalog = load_catalog()
    given = [
        DoseCount("hib", "初回1回目", 20),
        DoseCount("hib", "1回目", 3),
        DoseCount("hib", "追加", 15),
        DoseCount("pcv", "1回目", 4),
        DoseCount("pcv", "2回目", 2),
        DoseCount("pcv", "初回2回目", 10),
    ]
    rows = annual_rows(catalog, {"hib": 100, "pcv": 100}, given)
    hib = {r.term_label: r.vaccinated_count for r in rows if r.series_name.startswith("ヒブ")}
    pcv = {r.term_label: r.vaccinated_count for r in rows if r.series_name == "小児用肺炎球菌"}
    assert hib == {"初回1回目": 23, "初回2回目": 0, "初回3回目": 0, "追加": 15}
    assert pcv == {"初回1回目": 4, "初回2回目": 12, "初回3回目": 0, "追加": 0}


def test_report_labels_of_the_bundled_catalog() -> None:
    catalog = load_catalog()
    rows, fold = report_labels(catalog.series_by_id("pcv"))
    assert rows == ["初回1回目", "初回2回目", "初回3回目", "追加"]
    assert fold == {"1回目": "初回1回目", "2回目": "初回2回目"}
