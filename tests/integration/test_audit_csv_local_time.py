"""The audit CSV (issue 12 item 9, left open): times in the terminal's local time, as the audit
viewer shows them, with the offset from UTC stated in the header (no UTC column any more)."""

from __future__ import annotations

import csv
import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.services import audit_review
from app.ui.common.display_text import local_time_both
from tests.support.registers import login_as, make_register


@pytest.fixture
def tokyo() -> Iterator[None]:
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


def test_local_time_and_offset_text(tokyo: None) -> None:
    assert audit_review.utc_offset_text() == "UTC+09:00"
    assert audit_review.local_time_csv("2026-11-30T20:05:09.123+00:00") == "2026-12-01 05:05:09"
    assert audit_review.local_time_csv("2026-11-30 20:05:09") == "2026-12-01 05:05:09"
    assert audit_review.local_time_csv("not a time") == "not a time"


def test_offset_text_west_of_utc() -> None:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/St_Johns"  # UTC-03:30 in winter
    time.tzset()
    try:
        winter = datetime(2026, 1, 15, 12, tzinfo=UTC)
        assert audit_review.utc_offset_text(winter) == "UTC-03:30"
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def test_csv_times_are_local_like_the_viewer(tokyo: None, tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    make_register(reg, with_people=False)
    login_as(reg, "clerk").register.close()
    auditor = login_as(reg, "auditor")
    try:
        rows = audit_review.list_entries(auditor, audit_review.AuditFilter())
        out = tmp_path / "audit.csv"
        n = audit_review.export_csv(auditor, audit_review.AuditFilter(), out)
    finally:
        auditor.register.close()
    table = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert table[0][:3] == ["連番", "日時(UTC+09:00)", "ユーザー"]
    assert not any("UTC)" in c for c in table[0])
    assert len(table) == n + 1 and n >= 2
    viewer = {r.seq: local_time_both(r.at) for r in rows}
    for line in table[1:]:
        seq, at = int(line[0]), line[1]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", at), at
        shown = viewer.get(seq)
        if shown is None:  # rows written after the list (the view's own entry)
            continue
        # the viewer's 「R8.12.01 15:36 (2026-12-01)」 is the same local day and minute
        assert shown.endswith(f"({at[:10]})") and f" {at[11:16]} " in shown
    utc_rows = {r.seq: r.at for r in rows}
    some = next(iter(utc_rows))
    utc = datetime.fromisoformat(utc_rows[some].replace("Z", "+00:00"))
    local = next(line[1] for line in table[1:] if int(line[0]) == some)
    assert (
        local == utc.astimezone().strftime("%Y-%m-%d %H:%M:%S") != utc.strftime("%Y-%m-%d %H:%M:%S")
    )
