"""The tracked image ``f(on)`` of the tracked date under a non-decreasing map ``f`` (the engine's
``after_months_interval(on, n)``): its comparisons with a plain date are turned into constraints
on ``on`` by binary search over the span, ``f`` being called on plain dates only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from app.domain import legaldate as ld
from app.domain.schedule.tracked import (
    Tracked,
    TrackedDate,
    Tracker,
    compare_other,
    offset_of,
    plain,
    set_tracker,
    set_value,
    tracker_of,
    value_of,
)


class _Image(Tracked):
    """``f(on)`` for the tracked ``on``, ``f`` non-decreasing: ``_g`` maps the ordinal of ``on`` to
    the ordinal of the image. Comparisons with a plain date are turned into constraints on
    ``on`` by binary search over the span (``g`` is only ever called on plain ordinals)."""

    __slots__ = ("_g",)
    __hash__ = Tracked.__hash__

    def __lt__(self, other: object) -> bool:
        if type(other) is date:
            x = other.toordinal()
            g = _G(self)
            return _holds_down(tracker_of(self), lambda o: g(o) < x)
        return compare_other(self, other, "lt")

    def __le__(self, other: object) -> bool:
        if type(other) is date:
            x = other.toordinal()
            g = _G(self)
            return _holds_down(tracker_of(self), lambda o: g(o) <= x)
        return compare_other(self, other, "le")

    def __gt__(self, other: object) -> bool:
        if type(other) is date:
            x = other.toordinal()
            g = _G(self)
            return not _holds_down(tracker_of(self), lambda o: g(o) <= x)
        return compare_other(self, other, "gt")

    def __ge__(self, other: object) -> bool:
        if type(other) is date:
            x = other.toordinal()
            g = _G(self)
            return not _holds_down(tracker_of(self), lambda o: g(o) < x)
        return compare_other(self, other, "ge")

    def __eq__(self, other: object) -> bool:
        if type(other) is date:
            return _image_equal(self, other.toordinal())
        return compare_other(self, other, "eq")

    def __ne__(self, other: object) -> bool:
        if type(other) is date:
            return not _image_equal(self, other.toordinal())
        return compare_other(self, other, "ne")

    def __add__(self, other: object) -> Any:
        if type(other) is timedelta:
            days, g = other.days, _G(self)
            return _image(tracker_of(self), lambda o: g(o) + days, value_of(self) + other)
        if isinstance(other, timedelta):
            tracker_of(self).collapse("add")
        return date.__add__(value_of(self), other)  # type: ignore[operator]

    def __radd__(self, other: object) -> Any:
        return _Image.__add__(self, other)

    def __sub__(self, other: object) -> Any:
        if type(other) is timedelta:
            days, g = other.days, _G(self)
            return _image(tracker_of(self), lambda o: g(o) - days, value_of(self) - other)
        tracker_of(self).collapse("subtract")
        if isinstance(other, Tracked):
            tracker_of(other).collapse("subtract")
        if isinstance(other, date):
            return value_of(self) - plain(other)
        return date.__sub__(value_of(self), other)  # type: ignore[operator]

    def __rsub__(self, other: object) -> Any:
        if isinstance(other, date):
            tracker_of(self).collapse("subtract")
            return plain(other) - value_of(self)
        return NotImplemented


_G: Callable[[date], Callable[[int], int]] = _Image.__dict__["_g"].__get__
_SET_G = _Image.__dict__["_g"].__set__


def _image(tracker: Tracker, g: Callable[[int], int], value: date) -> _Image:
    obj = date.__new__(_Image, value.year, value.month, value.day)
    set_tracker(obj, tracker)
    _SET_G(obj, g)
    set_value(obj, value)
    return obj


def _holds_down(t: Tracker, pred: Callable[[int], bool]) -> bool:
    """``pred(base)`` for a predicate that is down-closed over the span (true up to some date,
    false after), recording the part of the span on which it answers the same."""
    if pred(t.base):
        no = _first_false(t, pred)
        if no is not None:
            t.below(no)
        return True
    yes = _last_true(t, pred)
    if yes is not None:
        t.from_(yes + 1)
    return False


def _first_false(t: Tracker, pred: Callable[[int], bool]) -> int | None:
    """The first ordinal of (base, hi] where the down-closed ``pred`` is false (true at base)."""
    if pred(t.hi):
        return None
    yes, no = t.base, t.hi
    while no - yes > 1:
        mid = (yes + no) // 2
        if pred(mid):
            yes = mid
        else:
            no = mid
    return no


def _last_true(t: Tracker, pred: Callable[[int], bool]) -> int | None:
    """The last ordinal of [lo, base) where the down-closed ``pred`` is true (false at base)."""
    if not pred(t.lo):
        return None
    yes, no = t.lo, t.base
    while no - yes > 1:
        mid = (yes + no) // 2
        if pred(mid):
            yes = mid
        else:
            no = mid
    return yes


def _image_equal(img: _Image, x: int) -> bool:
    """``g(on) == x``. False: the days with ``g == x`` (an interval, maybe empty: a map like
    ``after_months_interval`` skips dates) are cut off on their side; true: the span keeps to
    them."""
    t, g = tracker_of(img), _G(img)
    now = g(t.base)
    if now < x:
        first = _first_false(t, lambda o: g(o) < x)
        if first is not None and g(first) == x:
            t.below(first)
        return False
    if now > x:
        last = _last_true(t, lambda o: g(o) <= x)
        if last is not None and g(last) == x:
            t.from_(last + 1)
        return False
    _holds_down(t, lambda o: g(o) <= x)
    _holds_down(t, lambda o: g(o) < x)
    return True


def after_months_interval(on: date, months: int) -> date:
    """``legaldate.after_months_interval(on, months)``; for a tracked date, a tracked image.

    The map is non-decreasing in ``on`` for every ``months`` >= 0: within one month the day
    grows (a day the target month lacks gives the 1st of the month after, later than every day
    it has); a later month gives a target month at least one later, whose every result is on
    or after that 1st. tests/unit/test_schedule_spans_tracker.py checks it day by day for 1990–2040.
    """
    if type(on) is TrackedDate and months >= 0:
        k = offset_of(on)

        def g(o: int) -> int:
            return ld.after_months_interval(date.fromordinal(o + k), months).toordinal()

        return _image(tracker_of(on), g, ld.after_months_interval(value_of(on), months))
    return ld.after_months_interval(on, months)
