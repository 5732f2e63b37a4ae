"""期/回 rows of a series in the annual report (data from the catalog's dose plans)."""

from __future__ import annotations

from app.domain.catalog import Series


def report_labels(series: Series) -> tuple[list[str], dict[str, str]]:
    """The 期/回 rows of a series in a report and how other plans' labels fold into them.

    The rows are the first plan's dose labels (初回1回目 … 追加). A later plan's label that the
    first plan does not use (the 1回目 / 2回目 of Hib or PCV started at 1歳 or later) is the same
    ordinal dose and is counted on the row at the same position; labels beyond the first plan's
    length keep their own row."""
    rows = [d.label for d in series.plans[0].doses]
    fold: dict[str, str] = {}
    for plan in series.plans[1:]:
        for i, dose in enumerate(plan.doses):
            if dose.label in rows or dose.label in fold:
                continue
            if i < len(rows):
                fold[dose.label] = rows[i]
            else:
                rows.append(dose.label)
    return rows, fold
