"""Issue 12 items 9 and 10: the audit viewer shows every action, detail and record in Japanese and
in one time zone (the terminal's, also for the date filter); dates on the reports, users and
audit pages are in the app's 和暦 + 西暦 style."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.services.audit_review import ACTION_NAMES_JA, AuditRow, local_day_bounds
from app.ui.admin.audit_table_model import AuditColumn, AuditTableModel
from app.ui.admin.audit_text import detail_text, record_text
from app.ui.common.display_text import fiscal_year_both, local_time_both, month_both

ROOT = Path(__file__).resolve().parents[3]
# Where the app names an audit action: _audit.require/record/record_now(session, "…", …),
# print_document(session, target, "…"), and action="…" in the command-line layer.
_ACTION_CALL = re.compile(
    r"(?:require|record_now|record|print_document)\(\s*[\w.]+,\s*(?:[\w.]+,\s*)?\"([a-z_]+(?:\.[a-z_]+)+)\""
)
_ACTION_KW = re.compile(r"action=\"([a-z_]+(?:\.[a-z_]+)*)\"")


@pytest.fixture
def tokyo() -> Iterator[None]:
    """The terminal's zone is Asia/Tokyo (UTC+9, no daylight saving) for the test."""
    import os

    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def _row(
    action: str, detail: str, record: tuple[str | None, int | None] = (None, None)
) -> AuditRow:
    return AuditRow(
        7,
        "2026-11-30T15:30:00.000+00:00",
        "auditor",
        "90005",
        "T-1",
        action,
        ACTION_NAMES_JA.get(action, action),
        "ok",
        None,
        record[0],
        record[1],
        detail,
    )


def test_every_action_the_app_writes_has_a_japanese_name() -> None:
    found: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        text = path.read_text("utf-8")
        found |= set(_ACTION_CALL.findall(text))
        if "/commands/" in path.as_posix() or "/services/" in path.as_posix():
            found |= {a for a in _ACTION_KW.findall(text) if a not in ("store_true", "append")}
    assert {"print.annual", "print.monthly", "person.search"} <= found  # the scan works
    assert sorted(found - set(ACTION_NAMES_JA)) == []


def test_detail_and_record_are_japanese() -> None:
    assert detail_text('{"needs": "person.search"}') == "必要な権限: 住民検索"
    assert detail_text("{}") == ""
    text = detail_text('{"mode": "atena", "results": 1}')
    assert text == "検索方法: 宛名番号　件数: 1"
    text = detail_text('{"series": "mr1", "rows": 3, "area": null}')
    assert "麻しん風しん" in text and "地区: なし" in text
    assert detail_text('{"number_key": false}') == "個人番号の鍵: なし"
    assert detail_text('{"code": "E_PERMISSION"}') == "エラー: この操作を行う権限がありません。"
    assert record_text("person_number", 488) == "個人番号（ID 488）"
    assert record_text(None, None) == ""


def test_the_table_shows_no_raw_code_or_json(
    qtbot: QtBot, vaxdesk_app: object, tokyo: None
) -> None:
    model = AuditTableModel()
    model.set_rows(
        [
            _row("print.annual", '{"fiscal_year": 2025, "rows": 12, "pages": 3}'),
            _row("person.view", '{"needs": "person.search"}', ("person_number", 488)),
        ]
    )
    cells = [str(model.index(r, c).data()) for r in range(model.rowCount()) for c in AuditColumn]
    assert "年報の印刷" in cells and "個人番号（ID 488）" in cells
    assert all("{" not in c and "print." not in c and "#" not in c for c in cells)
    assert model.index(0, AuditColumn.AT).data() == "R8.12.01 00:30 (2026-12-01)"  # local


def test_the_date_filter_is_in_the_same_local_days_as_the_rows(tokyo: None) -> None:
    first, before = local_day_bounds(date(2026, 12, 1), date(2026, 12, 1))
    assert first == "2026-11-30T15:00:00.000+00:00"
    assert before == "2026-12-01T15:00:00.000+00:00"
    # An entry at 00:30 local on 12-01 (15:30 UTC on 11-30) falls inside that day.
    assert first <= "2026-11-30T15:30:00.000+00:00" < before


def test_dates_in_wareki_and_seireki(tokyo: None) -> None:
    assert month_both("2026-11") == "令和8年11月 (2026-11)"
    assert month_both("2019-05") == "令和元年5月 (2019-05)"
    assert fiscal_year_both(2025) == "令和7年度 (2025年度)"
    assert fiscal_year_both(2018) == "平成30年度 (2018年度)"
    assert local_time_both("2025-04-10T00:12:33+00:00") == "R7.04.10 09:12 (2025-04-10)"


def test_pages_show_wareki_with_seireki(
    qtbot: QtBot, vaxdesk_app: object, tmp_path: Path, tokyo: None
) -> None:
    from PySide6.QtWidgets import QFormLayout, QLabel

    from app.ui.admin.access_table_model import AccessColumn
    from app.ui.shell.access_menu import access_actions_of
    from tests.gui.counter_register import make_counter_register, open_window, settle
    from tests.gui.test_access_support import open_window as open_access_window
    from tests.support.registers import login_as, make_register

    # Reports (nurse): the 支払月 and the 年度 are echoed in 和暦 + 西暦.
    counter = make_counter_register(tmp_path / "counter")
    from app.services.register import login

    nurse = open_window(qtbot, login(counter, "nurse", "demo-nurse"))
    nurse.show_reports()
    page = nurse.reports_page
    assert page is not None
    page.month_edit.setText("2026-11")
    assert page.month_echo.text() == "令和8年11月 (2026-11)"
    page.year_spin.setValue(2025)
    assert page.year_echo.text() == "令和7年度 (2025年度)"
    settle(qtbot, nurse)

    # Audit log (auditor): the date filter names no other zone than the rows' and echoes 和暦.
    reg = tmp_path / "reg"
    make_register(reg)
    login_as(reg, "clerk").register.close()  # the clerk has a 最終ログイン now
    auditor = open_access_window(qtbot, reg, "auditor")
    actions = access_actions_of(auditor)
    actions.show_audit_page()
    viewer = actions.audit_page
    assert viewer is not None
    form = viewer.findChild(QFormLayout)
    assert form is not None
    captions = []
    for r in range(form.rowCount()):
        label = form.itemAt(r, QFormLayout.ItemRole.LabelRole)
        assert label is not None
        caption = label.widget()
        assert isinstance(caption, QLabel)  # every row is addRow(text, field)
        captions.append(caption.text())
    assert "日付（この端末の時刻）" in captions and not any("UTC" in c for c in captions)
    viewer.date_check.setChecked(True)
    assert "令和" in viewer.period_echo.text() and "(" in viewer.period_echo.text()
    qtbot.waitUntil(lambda: viewer.model.rowCount() > 0, timeout=10_000)
    assert re.fullmatch(
        r"R\d+\.\d\d\.\d\d \d\d:\d\d \(\d{4}-\d\d-\d\d\)",
        viewer.model.index(0, AuditColumn.AT).data(),
    )

    # Users (auditor's access review): 最終ログイン in 和暦 + 西暦.
    actions.show_users_page()
    users = actions.users_page
    assert users is not None
    qtbot.waitUntil(lambda: users.model.rowCount() > 0, timeout=10_000)
    last = [
        users.model.index(r, AccessColumn.LAST_LOGIN).data() for r in range(users.model.rowCount())
    ]
    assert any(re.fullmatch(r"R\d+\.\d\d\.\d\d \d\d:\d\d \(\d{4}-\d\d-\d\d\)", t) for t in last)
    assert isinstance(viewer.period_echo, QLabel)
    qtbot.waitUntil(lambda: not auditor.jobs.busy, timeout=10_000)


def test_the_unvaccinated_reference_date_is_echoed_in_both_calendars(
    qtbot: QtBot, vaxdesk_app: object, tmp_path: Path
) -> None:
    from app.services.register import login
    from tests.gui.counter_register import make_counter_register, open_window, settle

    counter = make_counter_register(tmp_path / "counter")
    window = open_window(qtbot, login(counter, "nurse", "demo-nurse"))
    window.show_unvaccinated()
    page = window.unvaccinated_page
    assert page is not None
    page.date_edit.setText("R8.12.1")
    assert page.date_echo.text() == "令和8年12月1日 (2026-12-01)"
    page.date_edit.setText("not a date")
    assert page.date_echo.text() == ""
    settle(qtbot, window)
