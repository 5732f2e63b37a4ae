"""The tracked date of ``spans.judge_span``: a ``datetime.date`` that records every comparison
made with it as a constraint on its value, and collapses its span to the day on any other use of
the value (see spans.py for the rules and why they are sound).

Used by spans.py and tracked_image.py only (and by the engine through ``fiscal_year``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from app.domain import legaldate as ld

MAX_ORDINAL = date.max.toordinal()


@dataclass(slots=True)
class Trace:
    """What a judgement recorded (for tests and the benchmark): the dates at which a recorded
    comparison changes answer (``x`` of ``on < x`` and ``x + 1`` of ``on <= x``…, as ordinals),
    and why the span collapsed (None: it did not)."""

    thresholds: list[int] = dataclasses.field(default_factory=list)
    collapsed_by: str | None = None


class Tracker:
    """The span (ordinals ``lo``..``hi``) of the dates on which every recorded comparison with
    the tracked date (ordinal ``base``) answers as it did."""

    __slots__ = ("base", "hi", "lo", "trace")

    def __init__(self, base: int, lo: int, hi: int, trace: Trace | None) -> None:
        self.base = base
        self.lo = lo
        self.hi = hi
        self.trace = trace

    def below(self, y: int) -> None:
        """The result holds for ``on < y`` (``y`` > base)."""
        if y - 1 < self.hi:
            self.hi = y - 1
        if self.trace is not None:
            self.trace.thresholds.append(y)

    def from_(self, y: int) -> None:
        """The result holds for ``on >= y`` (``y`` <= base)."""
        if y > self.lo:
            self.lo = y
        if self.trace is not None:
            self.trace.thresholds.append(y)

    def collapse(self, why: str) -> None:
        self.lo = self.hi = self.base
        if self.trace is not None and self.trace.collapsed_by is None:
            self.trace.collapsed_by = why


def plain(d: date) -> date:
    """The value of ``d`` as a plain date (reads the struct: records nothing)."""
    return date.fromordinal(date.toordinal(d))


class Tracked(date):
    """A date that reports every use of its value to its tracker ``_t``; ``_v`` is the value as
    a plain date."""

    __slots__ = ("_t", "_v")

    def __new__(cls, *args: Any, **kwargs: Any) -> Tracked:
        # ``type(on)(…)`` makes a plain date: only this module makes tracked ones.
        return date(*args, **kwargs)  # type: ignore[return-value]

    def __getattribute__(self, name: str) -> Any:
        if name == "__class__":
            return object.__getattribute__(self, name)
        tracker_of(self).collapse(name)
        return getattr(value_of(self), name)  # the plain date's: ``replace`` makes a plain date

    def __hash__(self) -> int:
        tracker_of(self).collapse("hash")
        return date.__hash__(value_of(self))

    def __repr__(self) -> str:
        tracker_of(self).collapse("repr")
        return repr(value_of(self))

    def __str__(self) -> str:
        tracker_of(self).collapse("str")
        return str(value_of(self))

    def __format__(self, spec: str) -> str:
        tracker_of(self).collapse("format")
        return format(value_of(self), spec)

    def __reduce__(self) -> Any:
        tracker_of(self).collapse("reduce")
        return value_of(self).__reduce__()

    def __reduce_ex__(self, protocol: Any) -> Any:
        tracker_of(self).collapse("reduce")
        return value_of(self).__reduce_ex__(protocol)


class TrackedDate(Tracked):
    """``on + k`` days for the tracked ``on`` (``k`` = 0 for ``on`` itself)."""

    __slots__ = ("_k",)
    __hash__ = Tracked.__hash__  # defining __eq__ would set it to None

    def __lt__(self, other: object) -> bool:
        if type(other) is date:  # inlined Tracker.below / from_ (the hot path)
            t = tracker_of(self)
            y = other.toordinal() - offset_of(self)
            if t.trace is not None:
                t.trace.thresholds.append(y)
            if t.base < y:
                if y <= t.hi:
                    t.hi = y - 1
                return True
            if y > t.lo:
                t.lo = y
            return False
        return compare_other(self, other, "lt")

    def __le__(self, other: object) -> bool:
        if type(other) is date:  # inlined Tracker.below / from_ (the hot path)
            t = tracker_of(self)
            y = other.toordinal() - offset_of(self) + 1
            if t.trace is not None:
                t.trace.thresholds.append(y)
            if t.base < y:
                if y <= t.hi:
                    t.hi = y - 1
                return True
            if y > t.lo:
                t.lo = y
            return False
        return compare_other(self, other, "le")

    def __gt__(self, other: object) -> bool:
        if type(other) is date:  # inlined Tracker.below / from_ (the hot path)
            t = tracker_of(self)
            y = other.toordinal() - offset_of(self) + 1
            if t.trace is not None:
                t.trace.thresholds.append(y)
            if t.base < y:
                if y <= t.hi:
                    t.hi = y - 1
                return False
            if y > t.lo:
                t.lo = y
            return True
        return compare_other(self, other, "gt")

    def __ge__(self, other: object) -> bool:
        if type(other) is date:  # inlined Tracker.below / from_ (the hot path)
            t = tracker_of(self)
            y = other.toordinal() - offset_of(self)
            if t.trace is not None:
                t.trace.thresholds.append(y)
            if t.base < y:
                if y <= t.hi:
                    t.hi = y - 1
                return False
            if y > t.lo:
                t.lo = y
            return True
        return compare_other(self, other, "ge")

    def __eq__(self, other: object) -> bool:
        if type(other) is date:
            return _equal(tracker_of(self), other.toordinal() - offset_of(self))
        return compare_other(self, other, "eq")

    def __ne__(self, other: object) -> bool:
        if type(other) is date:
            return not _equal(tracker_of(self), other.toordinal() - offset_of(self))
        return compare_other(self, other, "ne")

    def __add__(self, other: object) -> Any:
        if type(other) is timedelta:
            return _offset(self, other.days)
        if isinstance(other, timedelta):
            tracker_of(self).collapse("add")
        return date.__add__(value_of(self), other)  # type: ignore[operator]

    def __radd__(self, other: object) -> Any:
        return TrackedDate.__add__(self, other)

    def __sub__(self, other: object) -> Any:
        if type(other) is timedelta:
            return _offset(self, -other.days)
        if type(other) is TrackedDate and tracker_of(other) is tracker_of(self):
            return timedelta(days=offset_of(self) - offset_of(other))
        if isinstance(other, date):
            tracker_of(self).collapse("subtract")
            if isinstance(other, Tracked):
                tracker_of(other).collapse("subtract")
            return value_of(self) - plain(other)
        if isinstance(other, timedelta):
            tracker_of(self).collapse("subtract")
        return date.__sub__(value_of(self), other)  # type: ignore[operator]

    def __rsub__(self, other: object) -> Any:
        if isinstance(other, date):  # a plain date (a tracked one calls __sub__)
            tracker_of(self).collapse("subtract")
            return plain(other) - value_of(self)
        return NotImplemented


# Slot access through the descriptors themselves (``__getattribute__`` would collapse).
tracker_of: Callable[[date], Tracker] = Tracked.__dict__["_t"].__get__
value_of: Callable[[date], date] = Tracked.__dict__["_v"].__get__
offset_of: Callable[[date], int] = TrackedDate.__dict__["_k"].__get__
set_tracker = Tracked.__dict__["_t"].__set__
set_value = Tracked.__dict__["_v"].__set__
set_offset = TrackedDate.__dict__["_k"].__set__


def make_tracked(tracker: Tracker, k: int, value: date) -> TrackedDate:
    obj = date.__new__(TrackedDate, value.year, value.month, value.day)
    set_tracker(obj, tracker)
    set_offset(obj, k)
    set_value(obj, value)
    return obj


def _offset(d: TrackedDate, days: int) -> TrackedDate:
    t, k = tracker_of(d), offset_of(d) + days
    value = value_of(d) + timedelta(days=days)  # raises OverflowError exactly as a plain date does
    # Every date of the span must give a valid date too.
    if 1 - k > t.lo:
        t.from_(1 - k)
    if MAX_ORDINAL - k < t.hi:
        t.below(MAX_ORDINAL - k + 1)
    return make_tracked(t, k, value)


def _equal(t: Tracker, y: int) -> bool:
    if t.base == y:
        t.from_(y)
        t.below(y + 1)
        return True
    if t.base < y:  # on != y: keep the side of the hole that holds on
        t.below(y)
    else:
        t.from_(y + 1)
    return False


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
}


def compare_other(self: date, other: object, op: str) -> bool:
    """A comparison with anything but a plain date."""
    if (
        type(self) is TrackedDate
        and type(other) is TrackedDate
        and tracker_of(other) is tracker_of(self)
    ):
        return bool(_OPS[op](offset_of(self), offset_of(other)))  # both move with on: constant
    if isinstance(other, Tracked):
        tracker_of(self).collapse("compare " + op)
        tracker_of(other).collapse("compare " + op)
        return bool(_OPS[op](plain(self), plain(other)))
    if isinstance(other, date) and not isinstance(other, datetime):
        tracker_of(self).collapse("compare " + op)
        return bool(_OPS[op](plain(self), other))
    # None, a datetime (a date never orders with it), anything else: the other side decides
    # as it would for a plain date (reading this one only through what is tracked).
    return NotImplemented  # type: ignore[no-any-return]


def fiscal_year(on: date) -> int:
    """``legaldate.fiscal_year(on)``; for a tracked date, the span keeps to that 年度."""
    if type(on) is TrackedDate:
        fy = ld.fiscal_year(value_of(on))
        t, k = tracker_of(on), offset_of(on)
        t.from_(date(fy, 4, 1).toordinal() - k)
        t.below(date(fy + 1, 4, 1).toordinal() - k)
        return fy
    return ld.fiscal_year(on)
