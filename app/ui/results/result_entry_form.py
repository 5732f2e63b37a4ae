"""The fields of one returned 予診票's administration record, for the single entry dialog and the
batch entry page.

The series comes first (the vaccine list depends on it; a scan or the due list pre-fills it and
the dose), then 接種日 (where the cursor starts) → vaccine product (only those for the series) →
lot → 医療機関コード (10 digits) → dose amount → route → site → doctor → 受付番号 → 支払月.
After a refused save the cursor goes to the field at fault (``field_for_code``).
Enter in any field asks to save (``submit_requested``). Dates accept R7.4.10, 20250410,
2025-04-10 and the other forms of ``wareki.parse_date``; 支払月 accepts 2025-04, 202504, R7.4.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from app.domain.catalog import Catalog
from app.domain.wareki import format_both, parse_date
from app.errors import InvalidInput
from app.services.results import ResultInput
from app.ui.common.input_text import parse_payment_month

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# Stored values (data, not screen text): the administration record's usual entries.
ROUTES = ("", "皮下", "筋肉内", "経口", "皮内", "経皮")
SITES = ("", "左上腕", "右上腕", "左大腿", "右大腿", "口")


@dataclass(frozen=True, slots=True)
class SeriesChoice:
    series_id: str
    name: str
    products: tuple[tuple[str, str], ...]  # (product id, name), the products for the series


class FormError(Exception):
    """A field that cannot be read; ``field`` gets the focus."""

    def __init__(self, message: str, field: QWidget) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ResultEntryForm(QWidget):
    submit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultEntryForm")
        self._choices: dict[str, SeriesChoice] = {}
        self._build()

    def _build(self) -> None:
        form = QFormLayout(self)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.date_edit = QLineEdit(self)
        self.date_edit.setObjectName("vaccinatedOnEdit")
        self.date_edit.setPlaceholderText(self.tr("e.g. R7.4.10 or 20250410"))
        self.date_edit.setToolTip(self.tr("R7.4.10, 20250410, 2025-04-10 or 令和7年4月10日"))
        self.date_echo = QLabel(self)
        self.date_echo.setObjectName("dateEcho")
        date_row = QHBoxLayout()
        date_row.addWidget(self.date_edit, 3)
        date_row.addWidget(self.date_echo, 2)
        self.product_combo = QComboBox(self)
        self.product_combo.setObjectName("productCombo")
        self.lot_edit = QLineEdit(self)
        self.institution_edit = QLineEdit(self)
        self.institution_edit.setObjectName("institutionEdit")
        self.institution_edit.setPlaceholderText(self.tr("10 digits"))
        self.institution_edit.setMaxLength(10)
        self.amount_edit = QLineEdit(self)
        self.amount_edit.setPlaceholderText(self.tr("mL, e.g. 0.5"))
        self.route_combo = QComboBox(self)
        self.route_combo.addItems(list(ROUTES))
        self.site_combo = QComboBox(self)
        self.site_combo.addItems(list(SITES))
        self.doctor_edit = QLineEdit(self)
        self.receipt_edit = QLineEdit(self)
        self.payment_month_edit = QLineEdit(self)
        self.payment_month_edit.setPlaceholderText(self.tr("e.g. 2025-04"))
        self.series_combo = QComboBox(self)
        self.series_combo.setObjectName("seriesCombo")
        self.dose_edit = QLineEdit(self)
        self.dose_edit.setPlaceholderText(self.tr("From the schedule when empty"))

        form.addRow(self.tr("&Series"), self.series_combo)
        form.addRow(self.tr("Dose (&number)"), self.dose_edit)
        date_label = QLabel(self.tr("&Date given"), self)
        date_label.setBuddy(self.date_edit)
        form.addRow(date_label, date_row)
        form.addRow(self.tr("&Vaccine"), self.product_combo)
        form.addRow(self.tr("&Lot no."), self.lot_edit)
        form.addRow(self.tr("&Institution code"), self.institution_edit)
        form.addRow(self.tr("Dose &amount"), self.amount_edit)
        form.addRow(self.tr("&Route"), self.route_combo)
        form.addRow(self.tr("Si&te"), self.site_combo)
        form.addRow(self.tr("D&octor"), self.doctor_edit)
        form.addRow(self.tr("Re&ceipt no."), self.receipt_edit)
        form.addRow(self.tr("&Payment month"), self.payment_month_edit)
        order = self.fields
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        for field in order:
            field.installEventFilter(self)
        self.date_edit.textChanged.connect(self._echo_date)
        self.series_combo.currentIndexChanged.connect(self._series_changed)

    @property
    def fields(self) -> list[QWidget]:
        """The inputs in tab order (as on the screen, top to bottom)."""
        return [
            self.series_combo,
            self.dose_edit,
            self.date_edit,
            self.product_combo,
            self.lot_edit,
            self.institution_edit,
            self.amount_edit,
            self.route_combo,
            self.site_combo,
            self.doctor_edit,
            self.receipt_edit,
            self.payment_month_edit,
        ]

    def field_for_code(self, code: str) -> QWidget:
        """The input a refused save is about (the date when the code names no field)."""
        by_code: dict[str, QWidget] = {
            "E_RESULT_SERIES": self.series_combo,
            "E_SERIES_UNKNOWN": self.series_combo,
            "E_RESULT_PRODUCT": self.product_combo,
            "E_RESULT_PRODUCT_SERIES": self.product_combo,
            "E_RESULT_INSTITUTION": self.institution_edit,
            "E_PAYMENT_MONTH": self.payment_month_edit,
            "E_PRINT_DOSE_UNKNOWN": self.dose_edit,
        }
        return by_code.get(code, self.date_edit)

    def focus_field(self, code: str) -> None:
        field = self.field_for_code(code)
        field.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(field, QLineEdit):
            field.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER_KEYS
        ):
            self.submit_requested.emit()
            return True
        return super().eventFilter(watched, event)

    # --- choices -----------------------------------------------------------------------------

    def set_series_choices(self, choices: Sequence[SeriesChoice]) -> None:
        self._choices = {c.series_id: c for c in choices}
        self.series_combo.blockSignals(True)
        self.series_combo.clear()
        for choice in choices:
            self.series_combo.addItem(choice.name, choice.series_id)
        self.series_combo.blockSignals(False)
        self._series_changed()

    def prefill(self, series_id: str | None, dose_label: str | None) -> None:
        """Series and dose from a scanned 予診票 or the due list."""
        index = self.series_combo.findData(series_id) if series_id else -1
        if index >= 0:
            self.series_combo.setCurrentIndex(index)
        self._series_changed()
        self.dose_edit.setText(dose_label or "")

    @Slot()
    def _series_changed(self) -> None:
        choice = self._choices.get(str(self.series_combo.currentData()))
        self.product_combo.clear()
        products = choice.products if choice else ()
        if len(products) != 1:
            self.product_combo.addItem(self.tr("(not given)"), None)
        for product_id, name in products:
            self.product_combo.addItem(name, product_id)

    @Slot(str)
    def _echo_date(self, text: str) -> None:
        try:
            self.date_echo.setText(format_both(parse_date(text)) if text.strip() else "")
        except InvalidInput:
            self.date_echo.setText(self.tr("(not a date yet)"))

    # --- values ------------------------------------------------------------------------------

    def focus_first(self) -> None:
        self.date_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.date_edit.selectAll()

    def clear_for_next(self, *, keep: Mapping[str, bool] | None = None) -> None:
        """Empty the sheet; the institution code and the payment month stay (a stack of sheets
        usually comes from one clinic for one month) unless ``keep`` says otherwise."""
        keep = keep or {"institution": True, "payment_month": True}
        for edit in (
            self.date_edit,
            self.lot_edit,
            self.amount_edit,
            self.doctor_edit,
            self.receipt_edit,
            self.dose_edit,
        ):
            edit.clear()
        if not keep.get("institution"):
            self.institution_edit.clear()
        if not keep.get("payment_month"):
            self.payment_month_edit.clear()
        self.route_combo.setCurrentIndex(0)
        self.site_combo.setCurrentIndex(0)
        self.product_combo.setCurrentIndex(0)

    def series_id(self) -> str | None:
        data = self.series_combo.currentData()
        return str(data) if data else None

    def vaccinated_on(self) -> date:
        try:
            return parse_date(self.date_edit.text())
        except InvalidInput as exc:
            raise FormError(
                self.tr("Date given: %1").replace("%1", exc.message_ja), self.date_edit
            ) from None

    def to_input(self, issuance_id: int | None = None) -> ResultInput:
        """The entry as the service takes it; raises FormError for a field that is not readable."""
        series = self.series_id()
        if series is None:
            raise FormError(self.tr("Choose the vaccine series."), self.series_combo)
        on = self.vaccinated_on()
        amount_text = self.amount_edit.text().strip().replace("ｍＬ", "").replace("mL", "")
        try:
            amount = float(amount_text) if amount_text else None
        except ValueError:
            raise FormError(
                self.tr("Dose amount must be a number in mL (e.g. 0.5)."), self.amount_edit
            ) from None
        try:
            month = parse_payment_month(self.payment_month_edit.text())
        except InvalidInput:
            raise FormError(
                self.tr("Payment month must be like 2025-04."), self.payment_month_edit
            ) from None
        product = self.product_combo.currentData()

        def text(edit: QLineEdit) -> str | None:
            return edit.text().strip() or None

        return ResultInput(
            series_id=series,
            vaccinated_on=on,
            product_id=str(product) if product else None,
            dose_label=text(self.dose_edit),
            receipt_no=text(self.receipt_edit),
            institution_code=text(self.institution_edit),
            lot_no=text(self.lot_edit),
            dose_amount_ml=amount,
            route=self.route_combo.currentText() or None,
            site=self.site_combo.currentText() or None,
            doctor=text(self.doctor_edit),
            payment_month=month,
            issuance_id=issuance_id,
        )


def series_choices(catalog: Catalog) -> list[SeriesChoice]:
    """Every series of the catalog with the products that count for it."""
    return [
        SeriesChoice(
            s.id,
            s.name_ja,
            tuple(
                (sp.product, catalog.products[sp.product].name_ja)
                for sp in s.products
                if sp.product in catalog.products
            ),
        )
        for s in catalog.series
    ]
