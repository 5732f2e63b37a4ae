"""The jobs behind the 未接種者一覧 page's outputs (CSV, printed list, 個別通知): each runs on the
job runner with progress and cancel, for the list as decided on the screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.security.session import SessionView
from app.services import printing, unvaccinated
from app.services.printing import PrintResult
from app.services.unvaccinated import UnvaccinatedDecision
from app.ui.common.jobs import JobContext

PrintWork = Callable[[JobContext, Path, "str | None"], PrintResult]
Printer = Callable[..., PrintResult]


def csv_work(
    session: SessionView, listing: UnvaccinatedDecision, path: Path
) -> Callable[[JobContext], int]:
    """Save the list as CSV at ``path`` (streamed; no file when cancelled)."""

    def work(ctx: JobContext) -> int:
        return unvaccinated.export_csv(
            session, listing, path, progress=ctx.report_progress, cancelled=lambda: ctx.cancelled
        )

    return work


def _print_work(
    session: SessionView, listing: UnvaccinatedDecision, printer: Printer, *, in_folder: bool
) -> PrintWork:
    """A print job for the list's series, date and area: ``printer`` writes to the chosen file,
    or (``in_folder``) one file per person into the chosen file's folder."""
    series, on, area = listing.series_id, listing.on, listing.area_code

    def work(ctx: JobContext, out: Path, reason: str | None) -> PrintResult:
        return printer(
            session,
            series,
            out.parent if in_folder else out,
            on=on,
            area_code=area,
            progress=ctx.report_progress,
            cancelled=lambda: ctx.cancelled,
        )

    return work


def list_print_work(session: SessionView, listing: UnvaccinatedDecision) -> PrintWork:
    """Print the list (PDF) for the same series, date and area."""
    return _print_work(session, listing, printing.print_unvaccinated, in_folder=False)


def notices_work(session: SessionView, listing: UnvaccinatedDecision) -> PrintWork:
    """Make the 個別通知 batch (one PDF per person, in the chosen folder)."""
    return _print_work(session, listing, printing.print_notices, in_folder=True)
