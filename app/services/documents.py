"""Printing documents from the register: 予診票, vouchers, 済証, 未接種者一覧, 個別通知, reports.

One function per user action. Each checks its permission (``audit_log.require``), numbers the
documents it prints through 発行履歴, writes the PDF and appends a ``print.<doc>`` audit entry
with ids and counts only. Numbers, audit entry and file are one unit (see ``doc_common``): a
failed or cancelled print leaves no file and no number. No function here reads 個人番号.

Reports (monthly 実施報告, annual 実施状況) live in ``doc_reports`` and are re-exported here.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from app.domain.schedule import combination_series, one_per_injection
from app.domain.wareki import format_wareki
from app.errors import InvalidInput
from app.printing import (
    CertificateDose,
    CertificateRequest,
    NoticeRequest,
    PrintCancelled,
    UnvaccinatedRow,
    Voucher,
    YoshinhyoRequest,
    write_certificates,
    write_notices,
    write_unvaccinated_list,
    write_vouchers,
    write_yoshinhyo,
)
from app.printing.yoshinhyo_form import series_form
from app.security.session import Session
from app.services import audit_log, schedule, unvaccinated
from app.services import office as office_settings
from app.services.doc_common import (
    NothingDue,
    NoticesCancelled,
    PrintResult,
    already_issued,
    form_dose,
    has_form,
    municipality,
    pdf_target,
    person_block,
    person_row,
    staged,
)
from app.services.doc_reports import print_annual_report, print_monthly_report
from app.services.issuance import issue_in
from app.services.writes import write
from app.store import vaccinations as vaccination_repo

__all__ = [
    "DEFAULT_COUNT_CODE",
    "DEFAULT_KIND_CODE",
    "NothingDue",
    "NoticesCancelled",
    "PrintResult",
    "print_annual_report",
    "print_certificate",
    "print_monthly_report",
    "print_notices",
    "print_unvaccinated",
    "print_vouchers",
    "print_yoshinhyo",
]

OPEN_STATUSES = ("due", "waiting")
# 券種 / 回数 code values are UNSURE (DOMAIN.md §6) and no resources/forms/voucher_codes.json
# ships yet: the caller passes them (CLI --kind / --count); these are only the defaults.
DEFAULT_KIND_CODE = "1"
DEFAULT_COUNT_CODE = "1"


def _series_name(session: Session, series_id: str) -> str:
    try:
        return schedule.catalog_for(session).series_by_id(series_id).name_ja
    except KeyError:
        raise unvaccinated.UnknownSeries() from None


def print_yoshinhyo(
    session: Session,
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
    audit_log.require(session, "print.yoshinhyo", "print.yoshinhyo", person_id=person_id)
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
    with staged(target) as f:
        with write(session) as w:
            issued = [
                issue_in(session, w, person_id, "yoshinhyo", series_id=sid, dose_label=dose,
                         reissue_reason=reissue_reason, on=day)
                for sid, dose in plan
            ]  # fmt: skip
            requests = [
                YoshinhyoRequest(sid, dose, day, iss.issue_no, block)
                for (sid, dose), iss in zip(plan, issued, strict=True)
            ]
            buf = io.BytesIO()
            pages = write_yoshinhyo(requests, buf, municipality=m)
            f.stage(buf.getvalue())
            audit_log.record(session, "print.yoshinhyo", person_id=person_id,
                             record_type="issuance", record_id=issued[0].issuance_id,
                             detail={"series": [sid for sid, _ in plan], "pages": pages,
                                     "issuances": [i.issuance_id for i in issued]})  # fmt: skip
        path = f.publish()
    return PrintResult("yoshinhyo", (path,), pages, tuple(i.issue_no for i in issued),
                       tuple(i.issuance_id for i in issued), rows=len(issued))  # fmt: skip


def print_vouchers(
    session: Session,
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
    audit_log.require(session, "print.voucher", "print.voucher")
    if not person_ids:
        raise InvalidInput("接種券を印刷する住民を指定してください。", code="E_PRINT_NO_PERSON")
    day = on or date.today()
    target = pdf_target(out)
    m = municipality(session)
    name = _series_name(session, series_id)
    rows = [person_row(session, pid) for pid in person_ids]
    for r in rows:  # validate codes and names before any number is drawn
        Voucher("0" * 10, m.code, r.name, kind_code, count_code, name, kind_label)
    with staged(target) as f:
        with write(session) as w:
            issued = [
                issue_in(session, w, r.id, "voucher", series_id=series_id,
                         reissue_reason=reissue_reason, on=day)
                for r in rows
            ]  # fmt: skip
            vouchers = [
                Voucher(i.issue_no, m.code, r.name, kind_code, count_code, name, kind_label)
                for r, i in zip(rows, issued, strict=True)
            ]
            buf = io.BytesIO()
            pages = write_vouchers(vouchers, buf, municipality=m, start_cell=start_cell)
            f.stage(buf.getvalue())
            audit_log.record(session, "print.voucher",
                             person_id=rows[0].id if len(rows) == 1 else None,
                             record_type="issuance", record_id=issued[0].issuance_id,
                             detail={"series": series_id, "count": len(issued), "pages": pages,
                                     "issuances": [i.issuance_id for i in issued]})  # fmt: skip
        path = f.publish()
    return PrintResult("voucher", (path,), pages, tuple(i.issue_no for i in issued),
                       tuple(i.issuance_id for i in issued), rows=len(issued))  # fmt: skip


def print_certificate(
    session: Session,
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
    audit_log.require(session, "print.certificate", "print.certificate", person_id=person_id)
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
        raise InvalidInput(
            "接種記録がないため、予防接種済証を作成できません。", code="E_NO_HISTORY"
        )
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
            first = next((x for x in history if x.product_id == v.product_id
                          and x.vaccinated_on == v.vaccinated_on
                          and x.series_id == combined[0]), v)  # fmt: skip
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
    with staged(target) as f:
        with write(session) as w:
            iss = issue_in(session, w, person_id, "certificate",
                           reissue_reason=reissue_reason, on=day)  # fmt: skip
            req = CertificateRequest(block, doses, day, title=title, certificate_no=iss.issue_no)
            buf = io.BytesIO()
            pages = write_certificates([req], buf, municipality=m)
            f.stage(buf.getvalue())
            audit_log.record(session, "print.certificate", person_id=person_id,
                             record_type="issuance", record_id=iss.issuance_id,
                             detail={"doses": len(doses), "pages": pages,
                                     "unverified": sum(not d.verified for d in doses)})  # fmt: skip
        path = f.publish()
    return PrintResult("certificate", (path,), pages, (iss.issue_no,), (iss.issuance_id,),
                       rows=len(doses))  # fmt: skip


def print_unvaccinated(
    session: Session,
    series_id: str,
    out: Path | str,
    *,
    on: date | None = None,
    area_code: str | None = None,
) -> PrintResult:
    """未接種者一覧 (A4 landscape) from ``unvaccinated.build_list``: no numbers are issued."""
    audit_log.require(session, "list.unvaccinated", "print.unvaccinated")
    day = on or date.today()
    target = pdf_target(out)
    listing = unvaccinated.build_list(session, series_id, day, area_code=area_code)
    rows = [
        UnvaccinatedRow(person_block(session, person_row(session, e.person_id)),
                        e.next_dose or "", e.window_until)
        for e in listing.entries
    ]  # fmt: skip
    m = municipality(session)
    area = f"（地区 {area_code}）" if area_code else ""
    with staged(target) as f:
        buf = io.BytesIO()
        pages = write_unvaccinated_list(
            rows, buf, municipality=m, series_name=listing.series_name,
            period_label=f"{format_wareki(day)}{area}", print_date=day,
        )  # fmt: skip
        f.stage(buf.getvalue())
        audit_log.record_now(session, "print.unvaccinated",
                             detail={"series": series_id, "rows": len(rows), "pages": pages,
                                     "area": area_code})  # fmt: skip
        path = f.publish()
    return PrintResult("unvaccinated", (path,), pages, rows=len(rows))


def _notice_paths(out: Path | str, series_id: str, count: int) -> list[Path]:
    """``name-001.pdf`` … beside ``out`` (a .pdf name), or ``notices_<series>-001.pdf`` … in
    ``out`` when it is an existing folder."""
    base = Path(out)
    if base.is_dir():
        return [base / f"notices_{series_id}-{i:03d}.pdf" for i in range(1, count + 1)]
    pdf_target(base)
    return [base.with_name(f"{base.stem}-{i:03d}.pdf") for i in range(1, count + 1)]


def print_notices(
    session: Session,
    series_id: str,
    out: Path | str,
    *,
    on: date | None = None,
    area_code: str | None = None,
    split: int = 1000,
    reissue_reason: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PrintResult:
    """個別通知 (letter + pre-filled 予診票) for everyone on the 未接種者一覧 of ``series_id``.

    One issuance per notice (doc_type ``notice``): the letter and its 予診票 are one mailing and
    the 予診票's barcode carries that number, which resolves to the person at batch entry.
    Persons who already got a notice for the same series and dose this 年度 are skipped (and
    counted in ``notes``) unless ``reissue_reason`` is given. The batch is split into files of
    ``split`` notices, each committed with its numbers on its own; ``progress(done, total)``
    counts notices. On cancel, ``NoticesCancelled`` is raised: the file in progress is neither
    written nor numbered; files already finished stay (``written``)."""
    audit_log.require(session, "print.notices", "print.notices")
    if split < 1:
        raise InvalidInput("分割数は1以上で指定してください。", code="E_PRINT_SPLIT")
    day = on or date.today()
    series_form(series_id)
    office = office_settings.required(session)  # E_OFFICE_NOT_SET before anything is listed
    listing = unvaccinated.build_list(session, series_id, day, area_code=area_code)
    category = schedule.catalog_for(session).series_by_id(series_id).category
    targets: list[tuple[int, str, NoticeRequest]] = []
    skipped = combined = 0
    catalog = schedule.catalog_for(session)
    for e in listing.entries:
        owner = (*combination_series(catalog, e.next_product), series_id)[0]
        if owner != series_id:  # Hib given as 5種混合: the DPT-IPV notice carries the form
            combined += 1
            continue
        dose = form_dose(series_id, e.next_dose)
        if reissue_reason is None and already_issued(
            session, e.person_id, "notice", series_id, dose, day
        ):
            skipped += 1
            continue
        block = person_block(session, person_row(session, e.person_id))
        req = NoticeRequest(
            YoshinhyoRequest(series_id, dose, day, "0", block), e.window_until, category
        )
        targets.append((e.person_id, dose, req))
    notes: tuple[str, ...] = ()
    if skipped:
        notes += (f"今年度すでに通知を発行済みの {skipped} 名は除きました。",)
    if combined:
        notes += (
            f"5種混合で接種する {combined} 名は、4種・5種混合の通知に含まれるため除きました。",
        )
    if not targets:
        raise NothingDue("個別通知の対象者がいません。", code="E_NOTHING_DUE")
    m = municipality(session)
    m = replace(m, office=office.name, address=office.address, phone=office.phone)
    chunks = [targets[i : i + split] for i in range(0, len(targets), split)]
    paths = _notice_paths(out, series_id, len(chunks))
    written: list[Path] = []
    numbers: list[str] = []
    ids: list[int] = []
    pages_total = 0
    total = len(targets)
    try:
        for index, (chunk, target) in enumerate(zip(chunks, paths, strict=True)):
            offset = index * split
            if cancelled is not None and cancelled():
                raise PrintCancelled()

            def tick(done: int, _n: int, offset: int = offset) -> None:
                if progress is not None:
                    progress(offset + done, total)

            with staged(target) as f:
                with write(session) as w:
                    issued = [
                        issue_in(session, w, pid, "notice", series_id=series_id,
                                 dose_label=dose, reissue_reason=reissue_reason, on=day)
                        for pid, dose, _ in chunk
                    ]  # fmt: skip
                    requests = [
                        NoticeRequest(YoshinhyoRequest(series_id, r.yoshinhyo.dose_label, day,
                                                       i.issue_no, r.yoshinhyo.person),
                                      r.deadline, category)
                        for (_, _, r), i in zip(chunk, issued, strict=True)
                    ]  # fmt: skip
                    buf = io.BytesIO()
                    pages = write_notices(requests, buf, municipality=m, progress=tick,
                                          cancelled=cancelled)  # fmt: skip
                    f.stage(buf.getvalue())
                    audit_log.record(session, "print.notices", record_type="issuance",
                                     record_id=issued[0].issuance_id,
                                     detail={"series": series_id, "file": index + 1,
                                             "files": len(chunks), "notices": len(issued),
                                             "pages": pages, "area": area_code,
                                             "first_issuance": issued[0].issuance_id,
                                             "last_issuance": issued[-1].issuance_id})  # fmt: skip
                written.append(f.publish())
            numbers += [i.issue_no for i in issued]
            ids += [i.issuance_id for i in issued]
            pages_total += pages
    except PrintCancelled:
        audit_log.record_now(session, "print.notices", outcome="failed",
                             detail={"series": series_id, "cancelled": True,
                                     "files_written": len(written),
                                     "notices_written": len(ids)})  # fmt: skip
        raise NoticesCancelled(tuple(written)) from None
    return PrintResult("notices", tuple(written), pages_total, tuple(numbers), tuple(ids),
                       rows=len(ids), notes=notes)  # fmt: skip
