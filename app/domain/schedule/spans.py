"""How long a judgement holds: the list dates over which a date-judging function provably returns
the same value (issue 12 item 20).

``judge_span(fn, on)`` calls ``fn`` once with a ``TrackedDate``: a ``datetime.date`` equal to
``on`` that records every comparison made with it. ``on < x`` being true tells that the result
was reached with ``on <= x - 1``; false, with ``on >= x``; and so on for ``<=``, ``>``, ``>=``,
``==``, ``!=`` (both operand orders: for ``x < on`` Python asks the subclass's reflected method
first). ``fn`` being pure, it returns the same value on every date that answers all those
comparisons the same way: the span is the intersection of the recorded half-lines, cut to
``[on - CAP_BEFORE, on + CAP_AFTER]`` so that it is never unbounded. A ``!=`` that is true (a
hole) keeps the side of the hole that holds ``on``.

Modelled exactly (tracked.py, tracked_image.py): ``on ± timedelta`` (a tracked date with an
offset: ``on + k < x`` constrains ``on < x - k``), comparisons between two offsets of the same
tracked date (constant), the difference of two of them, ``max``/``min`` (comparisons),
``fiscal_year(on)`` (the 年度's dates) and ``after_months_interval(on, n)`` (a tracked image of a
non-decreasing map whose comparisons are turned into constraints on ``on`` by binary search over
plain dates). The engine calls the last two through this module (``engine._status``,
``engine._seasonal``); ``one_series`` keeps the statuses of dependencies by span
(``kept_span``) instead of by day for a tracked date.

Anything else that reads the value — ``hash`` (a dict key, a set), ``str``/``repr``/``format``,
every attribute (``year``, ``isoformat()``, ``toordinal()``, ``replace``…: ``__getattribute__``
lets only ``__class__`` through and answers with the plain date's), subtracting a plain date,
pickling or copying, comparing with a tracked date of another judgement or a date subclass —
collapses the span to ``[on, on]`` and then answers as a plain date would: always sound, never
wrong on ``on``. Not seen: C code reading the date's struct directly (``date.toordinal(on)``
called unbound, ``datetime.combine``) and a date subclass of another kind on the left of a
comparison (its C comparison runs first); tests/unit/test_schedule_spans_engine.py checks that
the engine's modules do neither. A result that holds a tracked date itself (a field equal to
``on`` through ``max(on, x)``) is not constant over a span: ``fn`` is called again with the plain
date and its result holds for that day only (the engine never returns one).

If ``fn`` raises, the exception propagates unchanged (the caller judges per day).

Pure: no I/O and no clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any, Generic, TypeVar

from app.domain.schedule.tracked import (
    Trace,
    Tracked,
    TrackedDate,
    Tracker,
    fiscal_year,
    make_tracked,
    plain,
    value_of,
)
from app.domain.schedule.tracked_image import after_months_interval

__all__ = [
    "CAP_AFTER",
    "CAP_BEFORE",
    "Judged",
    "Trace",
    "TrackedDate",
    "after_months_interval",
    "fiscal_year",
    "judge_span",
    "kept_span",
]

T = TypeVar("T")

# The span is cut to [on - CAP_BEFORE, on + CAP_AFTER]: a list is made again within days; a span
# is never unbounded, and a binary search over a monotone map costs at most ~11 evaluations.
CAP_BEFORE = 400
CAP_AFTER = 800
# Dates whose cap (and the offsets the engine uses, at most a few years) stays far from year 1
# and 9999 are tracked; the others are judged plainly and hold for their day only.
_MIN_TRACKED = date(1000, 1, 1).toordinal()
_MAX_TRACKED = date(9000, 12, 31).toordinal()


@dataclass(frozen=True, slots=True)
class Judged(Generic[T]):
    """``status`` is what ``fn`` returns on every date from ``valid_from`` to ``valid_until``
    (both inclusive)."""

    status: T
    valid_from: date
    valid_until: date

    def holds_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until


def judge_span(fn: Callable[[date], T], on: date, *, trace: Trace | None = None) -> Judged[T]:
    """``fn(on)`` and the dates around ``on`` over which ``fn`` provably returns it (field by
    field equal): ``fn`` must be a pure function of the date. ``on`` may itself be tracked (a
    judgement inside a tracked judgement): the span found is then recorded on it."""
    if type(on) is not date:
        if isinstance(on, TrackedDate):
            inner = judge_span(fn, plain(on), trace=trace)
            # The outer judgement read ``fn(on)`` only: it holds while ``on`` stays in the span.
            _ = inner.valid_from <= on
            _ = on <= inner.valid_until
            return inner
        # A tracked image, a datetime, another date subclass: judged for its day.
        return Judged(fn(on), plain(on), plain(on))
    base = on.toordinal()
    if not _MIN_TRACKED <= base <= _MAX_TRACKED:
        return Judged(fn(on), on, on)
    tracker = Tracker(base, base - CAP_BEFORE, base + CAP_AFTER, trace)
    result = fn(make_tracked(tracker, 0, on))
    if _holds_tracked(result):
        # Not constant over a span; judged again on the plain date so that no tracked date
        # leaves this module.
        tracker.collapse("result")
        return Judged(fn(on), on, on)
    if tracker.lo > base or tracker.hi < base:  # pragma: no cover - the rules above keep base
        raise AssertionError("span lost its own date")
    return Judged(result, date.fromordinal(tracker.lo), date.fromordinal(tracker.hi))


def _holds_tracked(value: object) -> bool:
    """Whether ``value`` is a tracked date, or holds one in a field (of a dataclass, nested) or
    an item (of a tuple, list or set)."""
    tp = type(value)
    if issubclass(tp, Tracked):
        return True
    get = _FIELDS.get(tp)
    if get is None:
        get = _FIELDS[tp] = _field_getter(tp)
    for x in get(value):
        tx = type(x)
        if tx in _PLAIN_TYPES:
            continue
        if issubclass(tx, Tracked) or _holds_tracked(x):
            return True
    return False


_PLAIN_TYPES = frozenset({date, str, int, bool, type(None), float})
_FIELDS: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _field_getter(tp: type) -> Callable[[Any], tuple[Any, ...]]:
    if tp in (tuple, list, set, frozenset):
        return tuple
    if dataclasses.is_dataclass(tp):
        names = [f.name for f in dataclasses.fields(tp)]
        if len(names) > 1:
            return attrgetter(*names)
        return lambda v: tuple(getattr(v, n) for n in names)
    return lambda v: ()


# ---------------------------------------------------------------- memo of a dependency's status

_SPANS = object()  # the key's last item for the spans kept of a tracked judgement
_SPANS_KEPT = 8  # spans kept per key (birth date, sex…): a list asks about one day or a few


def kept_span(
    kept: dict[Any, Any], key: tuple[Any, ...], on: date, judge: Callable[[date], T]
) -> T:
    """``judge(on)`` for a tracked ``on``, kept in ``kept`` (``one_series``'s memo of the statuses
    of dependencies holding no dose) with the span over which it holds: ``kept[(*key, on)]`` would
    hash ``on`` and collapse the judgement. A kept span holding ``on``'s day answers it, recording
    that ``on`` stays in that span; otherwise ``judge`` is judged for a span (recorded on ``on``
    in the same way) and kept. ``judge`` must be a pure function of the date."""
    if type(on) is not TrackedDate:
        full = (*key, on)
        hit: T | None = kept.get(full)
        if hit is None:
            hit = kept[full] = judge(on)
        return hit
    held: list[Judged[T]] | None = kept.get((*key, _SPANS))
    if held is None:
        held = kept[(*key, _SPANS)] = []
    day = value_of(on)
    for j in held:
        if j.valid_from <= day <= j.valid_until:
            # The caller read j.status only: it holds while on stays in j's span.
            _ = on >= j.valid_from
            _ = on <= j.valid_until
            return j.status
    found = judge_span(judge, on)  # records found's span on ``on``
    if len(held) >= _SPANS_KEPT:
        del held[0]
    held.append(found)
    return found.status
