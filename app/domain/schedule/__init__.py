"""Immunization schedule engine (pure): ``evaluate(catalog, person, history, on, facts)``."""

from __future__ import annotations

from app.domain.schedule.cohort import open_birth_ranges
from app.domain.schedule.engine import UnknownVaccine, evaluate
from app.domain.schedule.injections import (
    combination_series,
    injection_for,
    one_per_injection,
)
from app.domain.schedule.model import (
    OPEN_STATUSES,
    STATUSES,
    Evaluation,
    Facts,
    HistoryEntry,
    Person,
    SeriesStatus,
    Status,
)

__all__ = [
    "OPEN_STATUSES",
    "STATUSES",
    "Evaluation",
    "Facts",
    "HistoryEntry",
    "Person",
    "SeriesStatus",
    "Status",
    "UnknownVaccine",
    "combination_series",
    "evaluate",
    "injection_for",
    "one_per_injection",
    "open_birth_ranges",
]
