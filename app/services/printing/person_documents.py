"""Documents for one person or a few at the counter: 予診票, 接種券/助成券, 予防接種済証.

One function per user action. Each checks its permission (``require_issue``), validates
everything before a number is drawn, and then runs the print pipeline (``pipeline``) with its
own issue and render steps: numbers, audit entry (ids and counts only) and file are one unit.
No function here reads 個人番号.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from app.domain.schedule import OPEN_STATUSES, combination_series, one_per_injection
from app.errors import InvalidInput
from app.printing import (
    CertificateDose,
    CertificateRequest,
    Voucher,
    YoshinhyoRequest,
    write_certificates,
    write_vouchers,
    write_yoshinhyo,
)
from app.printing.yoshinhyo_form import series_form
from app.security.session import Session, SessionView, session_of
from app.services import schedule, unvaccinated
from app.services._issuing import Issued, issue_in, require_issue
from app.services._transaction import WriteContext
from app.services.printing._inputs import (
    form_dose,
    has_form,
    municipality,
    person_block,
    person_row,
)
from app.services.printing._pipeline import NothingDue, PrintResult, pdf_target, print_document
from app.store import vaccinations as vaccination_repo

# 券種 / 回数 code values are UNSURE (DOMAIN.md §6) and no resources/forms/voucher_codes.json
# ships yet: the caller passes them (CLI --kind / --count); these are only the defaults.
DEFAULT_KIND_CODE = "1"
DEFAULT_COUNT_CODE = "1"


def series_name(session: Session | SessionView, series_id: str) -> str:
    session = session_of(session)
    try:
        return schedule.catalog_for(session).series_by_id(series_id).name_ja
    except KeyError:
        raise unvaccinated.UnknownSeries() from None


def _ids(issued: Sequence[Issued]) -> list[int]:
    return [i.issuance_id for i in issued]


def print_yoshinhyo(
    session: Session | SessionView,
    person_id: int,
    series_id: str | None,
    out: Path | str,
    *,
    on: date | None = None,
    reissue_reason: str | None = None,
) -> PrintResult:
    """Pre-filled 予診票 for the dose that is due (status due or waiting) in ``series_id``, or one
    page per series that is due when ``series_id`` is None. Each page is issued (doc_type
    yoshinhyo) and its Code128 barcode carries the issuance number."""
    session = session_of(session)
    require_issue(
        session,
        "yoshinhyo",
        "print.yoshinhyo",
        reissue_reason=reissue_reason,
        person_id=person_id,
    )
    day = on or date.today()
    target = pdf_target(out)
    row = person_row(session, person_id)
    evaluation = schedule.due_list(session, person_id, day)
    if series_id is not None:
        series_form(series_id)  # E_PRINT_SERIES when the series has no 予診票
        try:
            candidates = [evaluation.get(series_id)]
        except KeyError:
            raise unvaccinated.UnknownSeries() from None
    else:
        candidates = [s for s in evaluation.series if has_form(s.id)]
    due = one_per_injection(evaluation, [s for s in candidates if s.status in OPEN_STATUSES])
    if not due:
        raise NothingDue()
    block = person_block(session, row)
    m = municipality(session)
    plan = [(s.id, form_dose(s.id, s.next_dose)) for s in due]
    for sid, dose in plan:  # validate before any number is drawn
        YoshinhyoRequest(sid, dose, day, "0", block)

    def issue(w: WriteContext) -> list[Issued]:
        return [
            issue_in(
                session,
                w,
                person_id,
                "yoshinhyo",
                series_id=sid,
                dose_label=dose,
                reissue_reason=reissue_reason,
                on=day,
            )
            for sid, dose in plan
        ]

    def render(issued: Sequence[Issued], buf: BinaryIO) -> int:
        requests = [
            YoshinhyoRequest(sid, dose, day, iss.issue_no, block)
            for (sid, dose), iss in zip(plan, issued, strict=True)
        ]
        return write_yoshinhyo(requests, buf, municipality=m)

    def audit(issued: Sequence[Issued], pages: int) -> dict[str, Any]:
        return {"series": [sid for sid, _ in plan], "pages": pages, "issuances": _ids(issued)}

    done = print_document(
        session,
        target,
        "print.yoshinhyo",
        issue=issue,
        render=render,
        audit=audit,
        person_id=person_id,
    )
    return PrintResult(
        "yoshinhyo",
        (done.path,),
        done.pages,
        tuple(i.issue_no for i in done.issued),
        tuple(_ids(done.issued)),
        rows=len(done.issued),
    )


def print_vouchers(
    session: Session | SessionView,
    person_ids: Sequence[int],
    series_id: str,
    out: Path | str,
    *,
    kind_code: str = DEFAULT_KIND_CODE,
    count_code: str = DEFAULT_COUNT_CODE,
    kind_label: str = "接種券",
    start_cell: int = 0,
    on: date | None = None,
    reissue_reason: str | None = None,
) -> PrintResult:
    """接種券/助成券 on a label sheet, one per person, each numbered by issuance (10 digits)."""
    session = session_of(session)
    require_issue(session, "voucher", "print.voucher", reissue_reason=reissue_reason)
    if not person_ids:
        raise InvalidInput(code="E_PRINT_NO_PERSON")
    day = on or date.today()
    target = pdf_target(out)
    m = municipality(session)
    name = series_name(session, series_id)
    rows = [person_row(session, pid) for pid in person_ids]
    for r in rows:  # validate codes and names before any number is drawn
        Voucher("0" * 10, m.code, r.name, kind_code, count_code, name, kind_label)

    def issue(w: WriteContext) -> list[Issued]:
        return [
            issue_in(
                session,
                w,
                r.id,
                "voucher",
                series_id=series_id,
                reissue_reason=reissue_reason,
                on=day,
            )
            for r in rows
        ]

    def render(issued: Sequence[Issued], buf: BinaryIO) -> int:
        vouchers = [
            Voucher(i.issue_no, m.code, r.name, kind_code, count_code, name, kind_label)
            for r, i in zip(rows, issued, strict=True)
        ]
        return write_vouchers(vouchers, buf, municipality=m, start_cell=start_cell)

    def audit(issued: Sequence[Issued], pages: int) -> dict[str, Any]:
        return {
            "series": series_id,
            "count": len(issued),
            "pages": pages,
            "issuances": _ids(issued),
        }

    done = print_document(
        session,
        target,
        "print.voucher",
        issue=issue,
        render=render,
        audit=audit,
        person_id=rows[0].id if len(rows) == 1 else None,
    )
    return PrintResult(
        "voucher",
        (done.path,),
        done.pages,
        tuple(i.issue_no for i in done.issued),
        tuple(_ids(done.issued)),
        rows=len(done.issued),
    )


def print_certificate(
    session: Session | SessionView,
    person_id: int,
    out: Path | str,
    *,
    on: date | None = None,
    reissue_reason: str | None = None,
    title: str = "予防接種済証",
) -> PrintResult:
    """予防接種済証 of every given, non-voided dose in the register. A dose is verified when the
    register holds the institution that gave it; otherwise it is printed as 記録なし (struck
    through) so nothing can be filled in by hand."""
    session = session_of(session)
    require_issue(
        session,
        "certificate",
        "print.certificate",
        reissue_reason=reissue_reason,
        person_id=person_id,
    )
    day = on or date.today()
    target = pdf_target(out)
    row = person_row(session, person_id)
    conn = session.register.conn
    history = [
        v
        for v in vaccination_repo.for_person(conn, person_id, include_voided=False)
        if v.outcome == "given"
    ]
    if not history:
        raise InvalidInput(code="E_NO_HISTORY")
    catalog = schedule.catalog_for(session)
    names = {s.id: s.name_ja for s in catalog.series}
    # One injection of a combination vaccine is stored once per series: print it once, under
    # the product's name (5種混合（DPT-IPV-Hib）), with the first series' dose label.
    seen: set[tuple[str | None, str]] = set()
    single = []
    for v in history:
        combined = combination_series(catalog, v.product_id)
        if combined:
            if (v.product_id, v.vaccinated_on) in seen:
                continue
            seen.add((v.product_id, v.vaccinated_on))
            first = next(
                (
                    x
                    for x in history
                    if x.product_id == v.product_id
                    and x.vaccinated_on == v.vaccinated_on
                    and x.series_id == combined[0]
                ),
                v,
            )
            single.append((catalog.products[str(v.product_id)].name_ja, first))
        else:
            single.append((names.get(v.series_id, v.series_id), v))
    doses = tuple(
        CertificateDose(
            series_name=name,
            dose_label=v.dose_label or (f"{v.dose_no}回目" if v.dose_no else ""),
            date=date.fromisoformat(v.vaccinated_on),
            maker=v.maker or "",
            lot=v.lot_no or "",
            institution=v.institution_name or "",
            verified=v.institution_id is not None,
        )
        for name, v in single
    )
    block = person_block(session, row)
    m = municipality(session)

    def issue(w: WriteContext) -> list[Issued]:
        return [
            issue_in(session, w, person_id, "certificate", reissue_reason=reissue_reason, on=day)
        ]

    def render(issued: Sequence[Issued], buf: BinaryIO) -> int:
        req = CertificateRequest(block, doses, day, title=title, certificate_no=issued[0].issue_no)
        return write_certificates([req], buf, municipality=m)

    def audit(_issued: Sequence[Issued], pages: int) -> dict[str, Any]:
        unverified = sum(not d.verified for d in doses)
        return {"doses": len(doses), "pages": pages, "unverified": unverified}

    done = print_document(
        session,
        target,
        "print.certificate",
        issue=issue,
        render=render,
        audit=audit,
        person_id=person_id,
    )
    iss = done.issued[0]
    return PrintResult(
        "certificate",
        (done.path,),
        done.pages,
        (iss.issue_no,),
        (iss.issuance_id,),
        rows=len(doses),
    )
