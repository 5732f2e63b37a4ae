"""管理 → 保存期間と消去 (``retention.manage``): the retention policy (display and edit), what is
past retention as counts by kind (never names), and the purge: preview → confirmation dialog in
which the administrator types the total count → progress → result. Every service call runs
through the window's job runner; the services check the permission and the counts again."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.retention import KIND_NAMES_JA, KINDS, MAX_YEARS, RetentionPolicy
from app.security import permissions as perm
from app.security.session import SessionView
from app.services import retention
from app.ui.common.dialog_parts import message_label, ok_cancel_buttons, set_message
from app.ui.common.jobs import JobContext, JobRunner


class RetentionConfirmDialog(QDialog):
    """Shows the previewed counts and asks to type their total before the purge may start."""

    def __init__(self, preview: retention.PurgePreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setObjectName("retentionConfirmDialog")
        self.setWindowTitle(self.tr("Confirm the purge"))
        layout = QVBoxLayout(self)
        lines = [f"{KIND_NAMES_JA[k]}: {preview.counts[k]}" for k in KINDS if preview.counts[k]]
        intro = QLabel(
            self.tr(
                "These records are past retention on %1 and will be removed for good, here and"
                " (with the next sync) on the server:"
            ).replace("%1", preview.on.isoformat()),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        counts = QLabel("\n".join(lines), self)
        counts.setObjectName("confirmCounts")
        layout.addWidget(counts)
        form = QFormLayout()
        self.total_edit = QLineEdit(self)
        self.total_edit.setObjectName("confirmTotalEdit")
        self.total_edit.setPlaceholderText(str(preview.total))
        label = QLabel(
            self.tr("Type the total number (%1) to confirm:").replace("%1", str(preview.total)),
            self,
        )
        label.setBuddy(self.total_edit)
        form.addRow(label, self.total_edit)
        layout.addLayout(form)
        self.message_label = message_label(self)
        layout.addWidget(self.message_label)
        buttons, self.ok_button = ok_cancel_buttons(
            self, self.tr("Purge"), self.tr("Cancel"), self._confirm
        )
        self.ok_button.setEnabled(False)
        self.total_edit.textChanged.connect(self._typed)
        layout.addWidget(buttons)
        self.total_edit.setFocus()

    @Slot(str)
    def _typed(self, text: str) -> None:
        self.ok_button.setEnabled(text.strip() == str(self.preview.total))

    @Slot()
    def _confirm(self) -> None:
        if self.total_edit.text().strip() != str(self.preview.total):
            set_message(self.message_label, self.tr("The number does not match."), error=True)
            return
        self.accept()

    def confirmed_counts(self) -> dict[str, int]:
        return dict(self.preview.counts)


class RetentionPage(QWidget):
    loaded = Signal()  # the policy was shown
    previewed = Signal(object)  # PurgePreview
    action_finished = Signal(str, bool)  # Japanese message, is_error
    dialog_opened = Signal(object)

    def __init__(
        self, session: SessionView, jobs: JobRunner, *, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        session.require(perm.RETENTION_MANAGE)
        self.session = session
        self.jobs = jobs
        self.preview: retention.PurgePreview | None = None
        self.policy: RetentionPolicy | None = None
        self.setObjectName("retentionPage")
        self._build()

    def _years(self, name: str) -> QSpinBox:
        box = QSpinBox(self)
        box.setObjectName(name)
        box.setRange(1, MAX_YEARS)
        box.setSuffix(self.tr(" years"))
        return box

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("Retention and erasure"), self)
        title.setObjectName("pageHeading")
        layout.addWidget(title)
        self.message_label = message_label(self, "pageMessage", plain_text=True)
        layout.addWidget(self.message_label)

        policy_box = QGroupBox(self.tr("Retention policy"), self)
        form = QFormLayout(policy_box)
        self.vaccination_years = self._years("vaccinationYears")
        self.issuance_years = self._years("issuanceYears")
        self.exit_years = self._years("exitYears")
        self.keep_residents = QCheckBox(self.tr("&Keep all records of residents"), self)
        self.keep_residents.setObjectName("keepResidents")
        for text, widget in (
            (self.tr("&Vaccinations and postponements (from the date):"), self.vaccination_years),
            (self.tr("&Issuances (from the issue date):"), self.issuance_years),
            (self.tr("Persons who moved out or &died (after that date):"), self.exit_years),
        ):
            label = QLabel(text, self)
            label.setBuddy(widget)
            form.addRow(label, widget)
        form.addRow(self.keep_residents)
        self.extended_label = QLabel(self)
        self.extended_label.setObjectName("extendedRules")
        self.extended_label.setWordWrap(True)
        form.addRow(self.extended_label)
        self.save_button = QPushButton(self.tr("&Save the policy"), self)
        self.save_button.setObjectName("savePolicyButton")
        self.save_button.clicked.connect(self.save_policy)
        form.addRow(self.save_button)
        layout.addWidget(policy_box)

        counts_box = QGroupBox(self.tr("Past retention (counts by kind)"), self)
        counts_form = QFormLayout(counts_box)
        self.count_labels: dict[str, QLabel] = {}
        for kind in KINDS:
            value = QLabel("-", self)
            value.setObjectName(f"count_{kind}")
            self.count_labels[kind] = value
            counts_form.addRow(KIND_NAMES_JA[kind], value)
        row = QHBoxLayout()
        self.preview_button = QPushButton(self.tr("&Check what is past retention"), self)
        self.preview_button.setObjectName("previewButton")
        self.preview_button.clicked.connect(self.run_preview)
        self.purge_button = QPushButton(self.tr("&Purge..."), self)
        self.purge_button.setObjectName("purgeButton")
        self.purge_button.setEnabled(False)
        self.purge_button.clicked.connect(self.ask_purge)
        row.addWidget(self.preview_button)
        row.addWidget(self.purge_button)
        row.addStretch(1)
        counts_form.addRow(row)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("purgeProgress")
        self.progress.setVisible(False)
        counts_form.addRow(self.progress)
        layout.addWidget(counts_box)
        layout.addStretch(1)
        self.setTabOrder(self.vaccination_years, self.issuance_years)
        self.setTabOrder(self.issuance_years, self.exit_years)
        self.setTabOrder(self.exit_years, self.keep_residents)
        self.setTabOrder(self.keep_residents, self.save_button)
        self.setTabOrder(self.save_button, self.preview_button)
        self.setTabOrder(self.preview_button, self.purge_button)

    # --- policy ----------------------------------------------------------------------------

    def refresh(self) -> None:
        session = self.session
        job = self.jobs.submit(lambda ctx: retention.current_policy(session))
        job.succeeded.connect(self._show_policy)
        job.failed.connect(self._failed)

    @Slot(object)
    def _show_policy(self, view: Any) -> None:
        policy: RetentionPolicy = view.policy
        self.policy = policy
        self.vaccination_years.setValue(policy.vaccination_years)
        self.issuance_years.setValue(policy.issuance_years)
        self.exit_years.setValue(policy.exit_years)
        self.keep_residents.setChecked(policy.keep_records_of_residents)
        rules = [
            self.tr("%1: kept until %2 years after death (from %3)")
            .replace("%1", ", ".join(r.series))
            .replace("%2", str(r.after_death_years))
            .replace("%3", r.effective_from)
            for r in policy.extended
        ]
        self.extended_label.setText("\n".join(rules))
        self.loaded.emit()

    def edited_policy(self) -> RetentionPolicy | None:
        if self.policy is None:
            return None
        return replace(
            self.policy,
            vaccination_years=self.vaccination_years.value(),
            issuance_years=self.issuance_years.value(),
            exit_years=self.exit_years.value(),
            keep_records_of_residents=self.keep_residents.isChecked(),
        )

    @Slot()
    def save_policy(self) -> None:
        policy = self.edited_policy()
        if policy is None:
            return
        session = self.session
        job = self.jobs.submit(lambda ctx: retention.set_policy(session, policy))
        job.succeeded.connect(lambda _: self._policy_saved(policy))
        job.failed.connect(self._failed)

    def _policy_saved(self, policy: RetentionPolicy) -> None:
        self.policy = policy
        self._clear_preview()
        self._done(self.tr("The retention policy was saved."), False)

    # --- preview and purge -------------------------------------------------------------------

    def _clear_preview(self) -> None:
        self.preview = None
        self.purge_button.setEnabled(False)
        for label in self.count_labels.values():
            label.setText("-")

    @Slot()
    def run_preview(self) -> None:
        self._clear_preview()
        session = self.session
        job = self.jobs.submit(lambda ctx: retention.preview(session))
        job.succeeded.connect(self._show_preview)
        job.failed.connect(self._failed)

    @Slot(object)
    def _show_preview(self, preview: retention.PurgePreview) -> None:
        self.preview = preview
        for kind in KINDS:
            self.count_labels[kind].setText(
                self.tr("%1 records").replace("%1", f"{preview.counts[kind]:,}")
            )
        self.purge_button.setEnabled(preview.total > 0)
        text = (
            self.tr("Nothing is past retention.")
            if preview.total == 0
            else self.tr("%1 records are past retention.").replace("%1", f"{preview.total:,}")
        )
        set_message(self.message_label, text)
        self.previewed.emit(preview)

    @Slot()
    def ask_purge(self) -> None:
        if self.preview is None or self.preview.total == 0:
            return
        dialog = RetentionConfirmDialog(self.preview, self)
        dialog.accepted.connect(lambda: self.purge(dialog.preview, dialog.confirmed_counts()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.dialog_opened.emit(dialog)

    def purge(self, preview: retention.PurgePreview, counts: dict[str, int]) -> None:
        session = self.session

        def work(ctx: JobContext) -> retention.PurgeResult:
            def progress(stage: str, done: int, total: int) -> None:
                ctx.report_progress(done, total if stage == "vacuum" else 0)

            return retention.purge(session, preview, counts, progress=progress)

        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self._set_busy(True)
        job = self.jobs.submit(work)
        job.progress.connect(self._progress)
        job.succeeded.connect(self._purged)
        job.failed.connect(self._failed)
        job.finished.connect(lambda: self._set_busy(False))

    @Slot(int, int)
    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        if total:
            self.progress.setValue(done)

    @Slot(object)
    def _purged(self, result: retention.PurgeResult) -> None:
        self.progress.setVisible(False)
        self._clear_preview()
        text = self.tr("%1 records were purged. The purge is queued for the server.").replace(
            "%1", f"{result.total:,}"
        )
        if not result.vacuumed:
            text += self.tr(" The freed space is reclaimed by the next purge.")
        self._done(text, False)

    def _set_busy(self, busy: bool) -> None:
        for button in (self.save_button, self.preview_button):
            button.setEnabled(not busy)
        if busy:
            self.purge_button.setEnabled(False)

    @Slot(str, str)
    def _failed(self, code: str, message_ja: str) -> None:
        self.progress.setVisible(False)
        if code == "E_RETENTION_PREVIEW_STALE":
            self._clear_preview()
        self._done(message_ja, True)

    def _done(self, text: str, error: bool) -> None:
        set_message(self.message_label, text, error=error)
        self.action_finished.emit(text, error)
