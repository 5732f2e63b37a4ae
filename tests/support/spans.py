"""The list date of the ``spans.judge_span`` tests and the cap of days around it (LOW..HIGH),
shared by tests/unit/test_schedule_spans_tracker.py and test_schedule_spans_engine.py."""

from __future__ import annotations

from datetime import date, timedelta

from app.domain.schedule.spans import CAP_AFTER, CAP_BEFORE

ON = date(2026, 11, 27)
LOW, HIGH = ON - timedelta(days=CAP_BEFORE), ON + timedelta(days=CAP_AFTER)
