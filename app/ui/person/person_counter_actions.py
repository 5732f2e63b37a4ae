"""What the person view's counter actions do: print 予診票 / voucher / 済証 (through the print
flow and preview), record a result or a 見合わせ, correct or void a history row with a reason.

Writes run through the JobRunner; afterwards the person is shown again (history, due list and
発行履歴 fresh from the services)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QDialog, QWidget

from app.domain.catalog import Catalog
from app.domain.schedule import OPEN_STATUSES
from app.security.session import SessionView
from app.services import issuance, printing, results
from app.services.persons import HistoryItem
from app.services.printing import PrintResult
from app.ui.common.jobs import JobContext, JobRunner
from app.ui.person.person_view import PersonView
from app.ui.printing.document_print_flow import DocumentPrintFlow, PrintRequest
from app.ui.results.correction_dialog import CorrectionDialog
from app.ui.results.postponement_dialog import PostponementDialog
from app.ui.results.result_entry_dialog import ResultEntryDialog
from app.ui.results.result_entry_form import series_choices
from app.ui.results.result_recorder import SavedResult
from app.ui.results.void_dialog import VoidDialog


class PersonCounterActions(QObject):
    changed = Signal()  # a write finished and the person is being shown again
    dialog_opened = Signal(object)  # the dialog an action opened (tests drive it by keys)
    message = Signal(str, bool)  # text for the window's message line, is it an error
    error_message = Signal(str, str)  # code, Japanese text: the text shown, the code in its tooltip
    refresh_requested = Signal()  # show the person again (history, due list, 発行履歴)

    def __init__(
        self,
        parent_widget: QWidget,
        session: SessionView,
        jobs: JobRunner,
        view: PersonView,
        print_flow: DocumentPrintFlow,
    ) -> None:
        # Signals instead of callbacks into the window: no Python reference cycle through it.
        super().__init__(parent_widget)
        self.session = session
        self.jobs = jobs
        self.view = view
        self.print_flow = print_flow
        self.catalog: Catalog | None = None  # set by the window once loaded
        self.dialog: QDialog | None = None
        for name, slot in (
            ("print_yoshinhyo", self.print_yoshinhyo),
            ("print_voucher", self.print_voucher),
            ("print_certificate", self.print_certificate),
            ("record_result", self.record_result),
            ("record_postponement", self.record_postponement),
            ("correct_result", self.correct_result),
            ("void_result", self.void_result),
        ):
            view.counter_actions[name].triggered.connect(slot)
        print_flow.print_done.connect(self._printed)
        print_flow.withdrawn.connect(self._withdrawn)

    def _widget(self) -> QWidget:
        parent = self.parent()
        assert isinstance(parent, QWidget)
        return parent

    def _person_id(self) -> int | None:
        detail = self.view.detail
        return detail.summary.person_id if detail is not None and self.view.isVisible() else None

    def _open_series_id(self) -> str | None:
        series = self.view.selected_series()
        if series is not None and series.status in OPEN_STATUSES:
            return series.id
        first = self.view.due_panel.first_open()
        return first.id if first is not None else None

    # --- printing ----------------------------------------------------------------------------

    @Slot()
    def print_yoshinhyo(self) -> None:
        person_id = self._person_id()
        if person_id is None or self.print_flow.busy:
            return
        session, series_id = self.session, self._open_series_id()

        def work(ctx: JobContext, out: Path, reason: str | None) -> PrintResult:
            return printing.print_yoshinhyo(
                session, person_id, series_id, out, reissue_reason=reason
            )

        title = self.tr("Screening form")
        self.print_flow.start(
            PrintRequest(
                title,
                "yoshinhyo",
                work,
                reissue_document=title,
                withdraw_unprinted=self._withdrawal(),
            )
        )

    @Slot()
    def print_voucher(self) -> None:
        person_id = self._person_id()
        series_id = self._open_series_id()
        if person_id is None or self.print_flow.busy:
            return
        if series_id is None:
            self.message.emit(self.tr("No series is due: there is no voucher to print."), True)
            return
        session = self.session

        def work(ctx: JobContext, out: Path, reason: str | None) -> PrintResult:
            return printing.print_vouchers(
                session, [person_id], series_id, out, reissue_reason=reason
            )

        title = self.tr("Voucher")
        self.print_flow.start(
            PrintRequest(
                title,
                "voucher",
                work,
                reissue_document=title,
                withdraw_unprinted=self._withdrawal(),
            )
        )

    @Slot()
    def print_certificate(self) -> None:
        person_id = self._person_id()
        if person_id is None or self.print_flow.busy:
            return
        session = self.session

        def work(ctx: JobContext, out: Path, reason: str | None) -> PrintResult:
            return printing.print_certificate(session, person_id, out, reissue_reason=reason)

        title = self.tr("Vaccination certificate")
        self.print_flow.start(
            PrintRequest(
                title,
                "certificate",
                work,
                reissue_document=title,
                withdraw_unprinted=self._withdrawal(),
            )
        )

    def _withdrawal(self) -> Callable[[tuple[int, ...]], int]:
        session = self.session
        return lambda ids: issuance.withdraw_unprinted(session, ids)

    @Slot(object)
    def _withdrawn(self, count: object) -> None:
        if count and self.view.isVisible():
            self.refresh_requested.emit()  # the withdrawn number shows as voided

    @Slot(object)
    def _printed(self, result: PrintResult) -> None:
        if self.view.isVisible() and result.doc in ("yoshinhyo", "voucher", "certificate"):
            self.refresh_requested.emit()  # the new number appears in 発行履歴

    # --- results -----------------------------------------------------------------------------

    def _show_dialog(self, dialog: QDialog, accepted: Callable[[], None]) -> None:
        self.dialog = dialog

        def finished(result: int) -> None:
            self.dialog = None
            if result == QDialog.DialogCode.Accepted:
                accepted()
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()
        self.dialog_opened.emit(dialog)

    @Slot()
    def record_result(self) -> None:
        detail, catalog = self.view.detail, self.catalog
        if detail is None or catalog is None or self._person_id() is None:
            return
        series = self.view.selected_series()
        dialog = ResultEntryDialog(
            detail.summary,
            series_choices(catalog),
            self.jobs,
            self.session,
            series_id=series.id if series else None,
            dose_label=series.next_dose if series else None,
            parent=self._widget(),
        )

        def saved(result: SavedResult) -> None:
            self.message.emit(self.tr("The result was recorded."), False)

        dialog.saved.connect(saved)
        self._show_dialog(dialog, self._after_write)

    @Slot()
    def record_postponement(self) -> None:
        person_id, detail = self._person_id(), self.view.detail
        if person_id is None or detail is None:
            return
        model = self.view.due_panel.model
        series = [
            (model.series_at(r).id, model.series_at(r).name_ja) for r in range(model.rowCount())
        ]
        selected = self.view.selected_series()
        dialog = PostponementDialog(
            series,
            series_id=selected.id if selected else None,
            today=date.today(),
            parent=self._widget(),
        )
        session = self.session

        def store() -> None:
            sid, on = dialog.series_id, dialog.postponed_on()
            reason, institution = dialog.reason, dialog.institution_code
            self._run_write(
                lambda ctx: results.record_postponement(
                    session, person_id, sid, on, reason, institution
                ),
                self.tr("The postponement was recorded."),
            )

        self._show_dialog(dialog, store)

    def _selected_live_row(self) -> HistoryItem | None:
        """The selected, not voided history row; otherwise say what to choose and return None."""
        item = self.view.selected_history_item()
        if self._person_id() is None:
            return None
        if item is None or item.voided:
            self.message.emit(self.tr("Choose a recorded (not voided) row in the history."), True)
            self.view.history_table.setFocus()
            return None
        return item

    @Slot()
    def correct_result(self) -> None:
        item = self._selected_live_row()
        if item is None:
            return
        dialog = CorrectionDialog(item, self._widget())
        session = self.session

        def store() -> None:
            changes, reason = dialog.changes, dialog.reason
            self._run_write(
                lambda ctx: results.correct(session, item.vaccination_id, changes, reason),
                self.tr("The result was corrected."),
            )

        self._show_dialog(dialog, store)

    @Slot()
    def void_result(self) -> None:
        item = self._selected_live_row()
        if item is None:
            return
        dialog = VoidDialog(item, self._widget())
        session = self.session

        def store() -> None:
            reason = dialog.reason
            self._run_write(
                lambda ctx: results.void(session, item.vaccination_id, reason),
                self.tr("The result was voided."),
            )

        self._show_dialog(dialog, store)

    def _run_write(self, work: Callable[[JobContext], object], done_text: str) -> None:
        job = self.jobs.submit(work)

        def succeeded(_result: object) -> None:
            self.message.emit(done_text, False)
            self._after_write()

        job.succeeded.connect(succeeded)
        job.failed.connect(self.error_message)

    def _after_write(self) -> None:
        self.refresh_requested.emit()
        self.changed.emit()
