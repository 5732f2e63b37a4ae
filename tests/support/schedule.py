"""Helpers for schedule-engine tests: evaluate one series with ISO-date strings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.domain.schedule import Evaluation, Facts, HistoryEntry, Person, SeriesStatus, evaluate
from app.store.catalog_files import load_catalog


def d(iso: str) -> date:
    return date.fromisoformat(iso)


def h(code: str, iso: str) -> HistoryEntry:
    return HistoryEntry(code, d(iso))


def run_all(
    dob: str,
    on: str,
    history: Sequence[tuple[str, str]] = (),
    sex: str | None = "F",
    facts: Facts | None = None,
) -> Evaluation:
    person = Person(d(dob), sex)  # type: ignore[arg-type]
    entries = [h(code, when) for code, when in history]
    return evaluate(load_catalog(), person, entries, d(on), facts or Facts())


def status(
    series_id: str,
    dob: str,
    on: str,
    history: Sequence[tuple[str, str]] = (),
    sex: str | None = "F",
    facts: Facts | None = None,
) -> SeriesStatus:
    return run_all(dob, on, history, sex, facts).get(series_id)


def codes(s: SeriesStatus) -> list[str]:
    """Warning codes only (text before the first colon)."""
    return [w.split(":", 1)[0] for w in s.warnings]
