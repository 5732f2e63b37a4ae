"""Reports: monthly 実施報告 per institution and the annual 実施状況 (対象者数・接種者数・接種率).

Counts come from ``app.store.reports``; the page layout is data (resources/forms/report_*.json).
Reports list no persons and issue no numbers; each print is audited with counts only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from app.domain.catalog import Catalog
from app.domain.legaldate import fiscal_year_end, fiscal_year_start
from app.domain.report_labels import report_labels
from app.domain.schedule import Person, SeriesStatus, evaluate
from app.domain.wareki import wareki_year
from app.errors import InvalidInput
from app.printing import (
    AnnualReportRow,
    MonthlyReportRow,
    PrintCancelled,
    write_annual_report,
    write_monthly_report,
)
from app.security import permissions as perm
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services._issuing import Issued
from app.services.printing._inputs import municipality
from app.services.printing._pipeline import PrintResult, pdf_target, print_document
from app.services.schedule import catalog_for
from app.store import db
from app.store import reports as report_repo
from app.store.reports import BirthCount, UnitPrice

_MONTH = re.compile(r"(\d{4})-(\d{2})")
UNKNOWN_DOSE = "回数不明"


def _era_label(d: date, *, month: bool) -> str:
    era, year = wareki_year(d)
    text = f"{era.name}{'元' if year == 1 else year}年"
    return f"{text}{d.month}月" if month else text


def unit_price(
    prices: Iterable[UnitPrice], series_id: str, product_id: str | None, on: str
) -> int | None:
    """The price in force on ``on`` (the vaccination date): a price for the exact product wins
    over the series price (product_id NULL); among those, the latest ``effective_from``."""
    best: tuple[int, str, int] | None = None
    for p in prices:
        if p.series_id != series_id or p.effective_from > on:
            continue
        if p.product_id is not None and p.product_id != product_id:
            continue
        key = (1 if p.product_id is not None else 0, p.effective_from, p.price_yen)
        if best is None or key[:2] > best[:2]:
            best = key
    return None if best is None else best[2]


def print_monthly_report(
    session: Session | SessionView, payment_month: str, out: Path | str
) -> PrintResult:
    """月次 実施報告 for one 支払月 (``YYYY-MM``): per institution, series and unit price, the count
    of given routine (定期), non-voided doses × the unit price in force on each dose's date.
    A dose without a price is printed 「未設定」, left out of the amounts and named in ``notes``; doses without an
    institution cannot be billed and are only counted in ``notes``."""
    session = session_of(session)
    _audit.require(session, perm.REPORT_MONTHLY, "print.monthly")
    m_ = _MONTH.fullmatch(payment_month.strip())
    if m_ is None or not 1 <= int(m_.group(2)) <= 12:
        raise InvalidInput(code="E_PRINT_MONTH")
    month = date(int(m_.group(1)), int(m_.group(2)), 1)
    target = pdf_target(out)
    conn = session.register.conn
    counts = report_repo.monthly_counts(conn, payment_month.strip())
    prices = report_repo.unit_prices(conn)
    names = {s.id: s.name_ja for s in catalog_for(session).series}
    totals: dict[tuple[str, str, str, int], int] = defaultdict(int)
    unpriced: set[tuple[str, str]] = set()
    addresses: dict[str, str] = {}
    for c in counts:
        price = unit_price(prices, c.series_id, c.product_id, c.vaccinated_on)
        if price is None:
            unpriced.add((c.institution_code, c.series_id))
        addresses[c.institution_code] = c.institution_address
        key = (c.institution_code, c.institution_name, c.series_id, -1 if price is None else price)
        totals[key] += c.count
    rows = [
        MonthlyReportRow(
            code,
            name,
            month,
            names.get(sid, sid),
            n,
            None if price < 0 else price,
            addresses.get(code, ""),
        )
        for (code, name, sid, price), n in sorted(totals.items())
    ]
    loose = report_repo.monthly_without_institution(conn, payment_month.strip())
    notes = [
        f"単価未設定（金額に含めず、報告書に「未設定」と表示）: 医療機関 {code}　{names.get(sid, sid)}"
        for code, sid in sorted(unpriced)
    ]
    if loose:
        notes.append(f"医療機関が登録されていない接種 {loose} 件は計上していません。")
    if not rows:
        raise InvalidInput(code="E_REPORT_EMPTY")
    m = municipality(session)
    label = f"{_era_label(month, month=True)}支払分"

    def render(_issued: Sequence[Issued], buf: BinaryIO) -> int:
        return write_monthly_report(
            rows, buf, municipality=m, period_label=label, print_date=date.today()
        )

    def audit(_issued: Sequence[Issued], pages: int) -> dict[str, Any]:
        return {
            "month": payment_month.strip(),
            "rows": len(rows),
            "doses": sum(r.count for r in rows),
            "pages": pages,
            "unpriced": len(unpriced),
            "no_institution": loose,
        }

    done = print_document(session, target, "print.monthly", render=render, audit=audit)
    return PrintResult("monthly", (done.path,), done.pages, rows=len(rows), notes=tuple(notes))


def _overlaps(s: SeriesStatus, start: date, end: date) -> bool:
    if s.status == "not_applicable" or s.window_from is None:
        return False
    return s.window_from <= end and (s.window_until is None or s.window_until >= start)


def target_counts(
    catalog: Catalog,
    births: list[BirthCount],
    start: date,
    end: date,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict[str, int]:
    """対象者数 per series: living residents whose legal window (the engine's window for their
    birth date and sex with no doses given, seen on the first and on the last day of the 年度)
    overlaps the 年度. Persons born after the 年度 are not counted."""
    out: dict[str, int] = defaultdict(int)
    total = len(births)
    for done, b in enumerate(births, start=1):
        if cancelled is not None and done % 50 == 0 and cancelled():
            raise PrintCancelled()
        dob = date.fromisoformat(b.birth_date)
        if dob > end:
            continue
        person = Person(dob, "F" if b.sex == "F" else "M")
        hit: set[str] = set()
        for day in (max(start, dob), end):
            for s in evaluate(catalog, person, [], day).series:
                if s.id not in hit and _overlaps(s, start, end):
                    hit.add(s.id)
        for sid in hit:
            out[sid] += b.persons
        if progress is not None and (done % 200 == 0 or done == total):
            progress(done, total)
    return dict(out)


def annual_rows(
    catalog: Catalog, targets: dict[str, int], given: list[report_repo.DoseCount]
) -> list[AnnualReportRow]:
    """Rows per series (catalog order) and 期/回 (the first plan's dose labels, with other plans'
    same-ordinal labels folded in — a Hib dose labelled 1回目 for a child started at 1歳 counts
    on 初回1回目 — then any other label found in the data); series with neither a target nor a
    dose are left out."""
    folds = {s.id: report_labels(s) for s in catalog.series}
    by_series: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for g in given:
        label = g.dose_label or UNKNOWN_DOSE
        fold = folds[g.series_id][1] if g.series_id in folds else {}
        by_series[g.series_id][fold.get(label, label)] += g.persons
    rows: list[AnnualReportRow] = []
    for s in catalog.series:
        target = targets.get(s.id, 0)
        done = by_series.get(s.id, {})
        if target == 0 and not done:
            continue
        labels = list(folds[s.id][0])
        labels += [label for label in done if label not in labels]
        rows += [AnnualReportRow(s.name_ja, label, target, done.get(label, 0)) for label in labels]
    return rows


def print_annual_report(
    session: Session | SessionView,
    fiscal_year: int,
    out: Path | str,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PrintResult:
    """年次 実施状況 for 年度 ``fiscal_year`` (April 1 – March 31), per series and 期/回.

    The official definitions are UNSURE (DOMAIN.md §6); this report uses:
    - 対象者数: living residents now in the register (not moved out, not deceased) whose legal
      window for the series overlaps the 年度 (``target_counts``); the same figure is shown
      on every 期/回 row of the series (no per-dose targets).
    - 接種者数: persons given a routine (定期), non-voided dose of that series and dose label
      with a vaccination date in the 年度.
    - 接種率: 接種者数 ÷ 対象者数 × 100 (blank when there is no target).
    Computing targets evaluates the schedule once or twice per distinct birth date and sex in
    the register (about 15–25 s for a 1,000,000-person register); ``progress`` counts those.
    """
    session = session_of(session)
    _audit.require(session, perm.REPORT_ANNUAL, "print.annual")
    if not 2000 <= fiscal_year <= 2100:
        raise InvalidInput(code="E_PRINT_YEAR")
    target = pdf_target(out)
    start, end = fiscal_year_start(fiscal_year), fiscal_year_end(fiscal_year)
    conn = session.register.conn
    catalog = catalog_for(session)
    try:  # the two scans of the whole register stop at once on Cancel (not seconds later)
        with db.abort_when(conn, cancelled):
            births = report_repo.living_birth_counts(conn)
        targets = target_counts(catalog, births, start, end, progress, cancelled)
        with db.abort_when(conn, cancelled):
            given = report_repo.persons_per_dose(conn, start.isoformat(), end.isoformat())
    except db.QueryCancelled:
        raise PrintCancelled() from None
    if cancelled is not None and cancelled():
        raise PrintCancelled()
    rows = annual_rows(catalog, targets, given)
    m = municipality(session)
    label = f"{_era_label(start, month=False)}度"

    def render(_issued: Sequence[Issued], buf: BinaryIO) -> int:
        return write_annual_report(rows, buf, municipality=m, period_label=label)

    def audit(_issued: Sequence[Issued], pages: int) -> dict[str, Any]:
        return {"fiscal_year": fiscal_year, "rows": len(rows), "pages": pages}

    done = print_document(session, target, "print.annual", render=render, audit=audit)
    return PrintResult("annual", (done.path,), done.pages, rows=len(rows))
