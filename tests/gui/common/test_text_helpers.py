"""The shared text helpers of app/ui/common: local times, series status words (Japanese by
default) and reading a typed 支払月."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QApplication

from app.errors import InvalidInput
from app.ui.common.display_text import local_time_text, status_text
from app.ui.common.input_text import parse_payment_month


def test_local_time_text_reads_utc_and_shows_local_minutes() -> None:
    expected = datetime(2025, 4, 10, 0, 12, 33, tzinfo=UTC).astimezone()
    assert local_time_text("2025-04-10 00:12:33") == expected.strftime("%Y-%m-%d %H:%M")
    assert local_time_text("2025-04-10T00:12:33Z") == expected.strftime("%Y-%m-%d %H:%M")
    assert local_time_text(None) == ""
    assert local_time_text("not a time") == "not a time"


def test_status_text_is_japanese_and_passes_unknown_codes_through(
    vaxdesk_app: QApplication,
) -> None:
    assert status_text("due") == "接種可"
    assert status_text("complete") == "完了"
    assert status_text("something_new") == "something_new"


@pytest.mark.parametrize(
    ("typed", "month"),
    [
        ("2025-04", "2025-04"),
        ("202504", "2025-04"),
        ("２０２５年４月", "2025-04"),
        ("R7.4", "2025-04"),
        ("", None),
        ("  ", None),
    ],
)
def test_payment_month_forms(typed: str, month: str | None) -> None:
    assert parse_payment_month(typed) == month


@pytest.mark.parametrize("typed", ["2025-13", "202500", "abc"])
def test_unreadable_payment_month_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput):
        parse_payment_month(typed)
