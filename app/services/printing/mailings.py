"""Documents for a whole cohort: the 未接種者一覧 (no numbers) and 個別通知 (one number each).

Both start from ``unvaccinated.decide_list`` (who is listed, decided without names or addresses;
each person is read as the document is laid out) and run the print pipeline (``_pipeline``) once
per file with their own render step. No function here reads 個人番号.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from app.domain.schedule import combination_series
from app.domain.wareki import format_wareki
from app.errors import InvalidInput
from app.printing import (
    NoticeRequest,
    PrintCancelled,
    UnvaccinatedRow,
    YoshinhyoRequest,
    write_notices,
    write_unvaccinated_list,
)
from app.printing.yoshinhyo_form import series_form
from app.security import permissions as perm
from app.security.session import Session, SessionView, session_of
from app.services import _audit, schedule, unvaccinated
from app.services._issuing import Issued, issue_in, require_issue
from app.services._transaction import WriteContext
from app.services.printing._inputs import (
    already_issued,
    area_label,
    form_dose,
    municipality,
    office_for_print,
    person_block,
    person_row,
)
from app.services.printing._pipeline import (
    NothingDue,
    NoticesCancelled,
    PrintResult,
    pdf_target,
    print_document,
)


def print_unvaccinated(
    session: Session | SessionView,
    series_id: str,
    out: Path | str,
    *,
    on: date | None = None,
    area_code: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PrintResult:
    """未接種者一覧 (A4 landscape) from ``unvaccinated.decide_list``: no numbers are issued.
    Each listed person's block is read as the rows are laid out (``progress``: rows done,
    total); ``cancelled`` stops the job with ``PrintCancelled`` before anything is written."""
    session = session_of(session)
    _audit.require(session, perm.LIST_UNVACCINATED, "print.unvaccinated")
    day = on or date.today()
    target = pdf_target(out)
    listing = unvaccinated.decide_list(session, series_id, day, area_code=area_code)
    rows = []
    for i, e in enumerate(listing.rows, 1):
        if cancelled is not None and i % 500 == 1 and cancelled():
            raise PrintCancelled()
        rows.append(
            UnvaccinatedRow(
                person_block(session, person_row(session, e.person_id)),
                e.next_dose or "",
                e.window_until,
            )
        )
        if progress is not None:
            progress(i, len(listing.rows))
    m = municipality(session)
    area = f"（地区 {area_label(session, area_code)}）" if area_code else ""

    def render(_issued: Sequence[Issued], buf: BinaryIO) -> int:
        return write_unvaccinated_list(
            rows,
            buf,
            municipality=m,
            series_name=listing.series_name,
            period_label=f"{format_wareki(day)}{area}",
            print_date=day,
        )

    def audit(_issued: Sequence[Issued], pages: int) -> dict[str, Any]:
        return {"series": series_id, "rows": len(rows), "pages": pages, "area": area_code}

    done = print_document(session, target, "print.unvaccinated", render=render, audit=audit)
    return PrintResult("unvaccinated", (done.path,), done.pages, rows=len(rows))


def _notice_paths(out: Path | str, series_id: str, count: int) -> list[Path]:
    """``name-001.pdf`` … beside ``out`` (a .pdf name), or ``notices_<series>-001.pdf`` … in
    ``out`` when it is an existing folder."""
    base = Path(out)
    if base.is_dir():
        return [base / f"notices_{series_id}-{i:03d}.pdf" for i in range(1, count + 1)]
    pdf_target(base)
    return [base.with_name(f"{base.stem}-{i:03d}.pdf") for i in range(1, count + 1)]


NoticeTarget = tuple[int, str, NoticeRequest]


def _notice_targets(
    session: Session, series_id: str, day: date, area_code: str | None, reissue: bool
) -> tuple[list[NoticeTarget], int, int]:
    """(person id, dose, request) for everyone to notify, how many were skipped because they
    already got a notice for the same series and dose this 年度, and how many were left to the
    notice of the series whose combination vaccine carries this one (Hib given as 5種混合)."""
    listing = unvaccinated.decide_list(session, series_id, day, area_code=area_code)
    catalog = schedule.catalog_for(session)
    category = catalog.series_by_id(series_id).category
    targets: list[NoticeTarget] = []
    skipped = combined = 0
    for e in listing.rows:
        owner = (*combination_series(catalog, e.next_product), series_id)[0]
        if owner != series_id:  # Hib given as 5種混合: the DPT-IPV notice carries the form
            combined += 1
            continue
        dose = form_dose(series_id, e.next_dose)
        if not reissue and already_issued(session, e.person_id, "notice", series_id, dose, day):
            skipped += 1
            continue
        block = person_block(session, person_row(session, e.person_id))
        req = NoticeRequest(
            YoshinhyoRequest(series_id, dose, day, "0", block), e.window_until, category
        )
        targets.append((e.person_id, dose, req))
    return targets, skipped, combined


def print_notices(
    session: Session | SessionView,
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
    session = session_of(session)
    require_issue(session, "notice", "print.notices", reissue_reason=reissue_reason)
    if split < 1:
        raise InvalidInput(code="E_PRINT_SPLIT")
    day = on or date.today()
    series_form(series_id)
    office = office_for_print(session)  # E_OFFICE_NOT_SET before anything is listed
    targets, skipped, combined = _notice_targets(
        session, series_id, day, area_code, reissue=reissue_reason is not None
    )
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

            def issue(w: WriteContext, chunk: list[NoticeTarget] = chunk) -> list[Issued]:
                return [
                    issue_in(
                        session,
                        w,
                        pid,
                        "notice",
                        series_id=series_id,
                        dose_label=dose,
                        reissue_reason=reissue_reason,
                        on=day,
                    )
                    for pid, dose, _ in chunk
                ]

            def render(
                issued: Sequence[Issued], buf: BinaryIO, chunk: list[NoticeTarget] = chunk
            ) -> int:
                requests = [
                    NoticeRequest(
                        YoshinhyoRequest(
                            series_id, r.yoshinhyo.dose_label, day, i.issue_no, r.yoshinhyo.person
                        ),
                        r.deadline,
                        r.category,
                    )
                    for (_, _, r), i in zip(chunk, issued, strict=True)
                ]
                return write_notices(
                    requests, buf, municipality=m, progress=tick, cancelled=cancelled
                )

            def audit(issued: Sequence[Issued], pages: int, index: int = index) -> dict[str, Any]:
                return {
                    "series": series_id,
                    "file": index + 1,
                    "files": len(chunks),
                    "notices": len(issued),
                    "pages": pages,
                    "area": area_code,
                    "first_issuance": issued[0].issuance_id,
                    "last_issuance": issued[-1].issuance_id,
                }

            done = print_document(
                session, target, "print.notices", issue=issue, render=render, audit=audit
            )
            written.append(done.path)
            numbers += [i.issue_no for i in done.issued]
            ids += [i.issuance_id for i in done.issued]
            pages_total += done.pages
    except PrintCancelled:
        _audit.record_now(
            session,
            "print.notices",
            outcome="failed",
            detail={
                "series": series_id,
                "cancelled": True,
                "files_written": len(written),
                "notices_written": len(ids),
            },
        )
        raise NoticesCancelled(tuple(written)) from None
    return PrintResult(
        "notices",
        tuple(written),
        pages_total,
        tuple(numbers),
        tuple(ids),
        rows=len(ids),
        notes=notes,
    )
