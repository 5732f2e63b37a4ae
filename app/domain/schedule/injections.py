"""One injection, one 予診票: series that plan the same combination product share a form."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.catalog import Catalog
from app.domain.schedule.model import Evaluation, SeriesStatus

OPEN_FOR_FORM = ("due", "waiting")


def injection_for(evaluation: Evaluation, status: SeriesStatus) -> SeriesStatus:
    """The series whose form covers ``status``'s next dose: the first open series (catalog
    order) planning the same product. Hib given as 5種混合 is covered by the DPT-IPV form."""
    if status.next_product is None:
        return status
    for s in evaluation.series:
        if s.status in OPEN_FOR_FORM and s.next_product == status.next_product:
            return s
    return status


def one_per_injection(evaluation: Evaluation, due: Sequence[SeriesStatus]) -> list[SeriesStatus]:
    """``due`` with every series mapped to its injection's series, without duplicates (order
    kept): an infant due for DPT-IPV and Hib as 5種混合 gets one 5種混合 form, not two."""
    out: list[SeriesStatus] = []
    seen: set[str] = set()
    for s in due:
        target = injection_for(evaluation, s)
        if target.id not in seen:
            seen.add(target.id)
            out.append(target)
    return out


def combination_series(catalog: Catalog, product_id: str | None) -> tuple[str, ...]:
    """The series one injection of ``product_id`` counts for when it is a combination vaccine
    (5種混合: DPT-IPV and Hib); empty for a single-series product or one assigned by date."""
    if product_id is None or product_id not in catalog.products:
        return ()
    if catalog.products[product_id].assign == "one":
        return ()
    series = catalog.series_by_product.get(product_id, ())
    return series if len(series) > 1 else ()
