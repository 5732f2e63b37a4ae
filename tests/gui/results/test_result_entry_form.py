"""Issue 12 item 4: the single result entry (F8) asks for the series before the vaccine, says
10 digits for the 医療機関コード, puts the cursor on the field a refused save is about and shows
Japanese only (the error code is kept in the tooltip)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFormLayout, QWidget
from pytestqt.qtbot import QtBot

from app.security.session import Session
from app.services import persons, schedule
from app.ui.common.jobs import JobRunner
from app.ui.results.result_entry_dialog import ResultEntryDialog
from app.ui.results.result_entry_form import ResultEntryForm, series_choices
from tests.gui import counter_register
from tests.gui.counter_register import WAIT_MS, focused
from tests.gui.sample_register import CHILD_ATENA

counter_dir = counter_register.counter_dir
nurse_session = counter_register.nurse_session


def _row_of(form: ResultEntryForm, field: QWidget) -> int:
    layout = form.layout()
    assert isinstance(layout, QFormLayout)
    for row in range(layout.rowCount()):
        item = layout.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if item is None:
            continue
        inner = item.layout()
        widgets: list[QWidget | None] = []
        if inner is not None:
            for i in range(inner.count()):
                child = inner.itemAt(i)
                assert child is not None
                widgets.append(child.widget())
        if item.widget() is field or field in widgets:
            return row
    raise AssertionError("field not in the form")


def _dialog(qtbot: QtBot, session: Session) -> ResultEntryDialog:
    person = persons.search(session, CHILD_ATENA).people[0]
    catalog = schedule.catalog_for(session)
    jobs = JobRunner()
    dialog = ResultEntryDialog(
        person,
        series_choices(catalog),
        jobs,
        session.view(),  # the UI holds the session's view, as the person view passes it
        series_id="dpt_ipv",
        dose_label=None,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    return dialog


def test_series_comes_before_the_vaccine_and_the_code_has_ten_digits(
    qtbot: QtBot, vaxdesk_app: QApplication
) -> None:
    form = ResultEntryForm()
    qtbot.addWidget(form)
    assert _row_of(form, form.series_combo) < _row_of(form, form.product_combo)
    assert _row_of(form, form.dose_edit) < _row_of(form, form.date_edit)
    assert form.fields.index(form.series_combo) < form.fields.index(form.product_combo)
    assert form.institution_edit.placeholderText() == "10桁"
    assert "7" not in form.institution_edit.placeholderText()
    assert form.institution_edit.maxLength() == 10


def test_a_refused_save_focuses_the_field_at_fault_without_a_raw_code(
    qtbot: QtBot, vaxdesk_app: QApplication, nurse_session: Session
) -> None:
    dialog = _dialog(qtbot, nurse_session)
    form = dialog.form
    assert focused() is form.date_edit  # the cursor starts on 接種日
    qtbot.keyClicks(form.date_edit, f"{date.today():%Y%m%d}")
    form.institution_edit.setText("9999999999")  # no such 医療機関
    with qtbot.waitSignal(dialog.recorder.failed, timeout=WAIT_MS) as failed:
        qtbot.keyClick(form.date_edit, Qt.Key.Key_Return)
    assert failed.args[0] == "E_RESULT_INSTITUTION"
    qtbot.waitUntil(lambda: focused() is form.institution_edit, timeout=WAIT_MS)
    text = dialog.message.text()
    assert "医療機関コード" in text and "E_" not in text and "（" not in text
    assert dialog.message.toolTip() == "E_RESULT_INSTITUTION"

    # A form error (an unreadable amount) names no code either and focuses the amount.
    form.institution_edit.clear()
    form.amount_edit.setText("abc")
    qtbot.keyClick(form.date_edit, Qt.Key.Key_Return)
    assert focused() is form.amount_edit
    assert "E_FORM" not in dialog.message.text() and "mL" in dialog.message.text()
    qtbot.waitUntil(lambda: not dialog.recorder.saving, timeout=WAIT_MS)
