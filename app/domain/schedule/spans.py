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

Modelled exactly: ``on ± timedelta`` (a tracked date with an offset: ``on + k < x`` constrains
``on < x - k``), comparisons between two offsets of the same tracked date (constant), the
difference of two of them, ``max``/``min`` (comparisons), ``fiscal_year(on)`` (the 年度's dates)
and ``after_months_interval(on, n)`` (a tracked image of a non-decreasing map whose comparisons
are turned into constraints on ``on`` by binary search over plain dates). The engine calls the
last two through this module (``engine._status``, ``engine._seasonal``).

Anything else that reads the value — ``hash`` (a dict key, a set), ``str``/``repr``/``format``,
every attribute (``year``, ``isoformat()``, ``toordinal()``, ``replace``…: ``__getattribute__``
lets only ``__class__`` through), subtracting a plain date, pickling or copying — collapses the
span to ``[on, on]`` and then answers as a plain date would: always sound, never wrong on ``on``.
C code reading the date's struct directly (``date.toordinal(on)`` called unbound,
``datetime.combine``) is not seen; tests/unit/test_schedule_spans.py checks that the engine's
modules make no such call. A result that holds a tracked date itself (a field equal to ``on``
through ``max(on, x)``) is not constant over a span: ``fn`` is called again with the plain date
and its result holds for that day only (the engine never returns one).

If ``fn`` raises, the exception propagates unchanged (the caller judges per day).

Pure: no I/O and no clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Any, Generic, TypeVar

from app.domain import legaldate as ld

T = TypeVar("T")

# The span is cut to [on - CAP_BEFORE, on + CAP_AFTER]: a list is made again within days; a span
# is never unbounded, and a binary search over a monotone map costs at most ~11 evaluations.
CAP_BEFORE = 400
CAP_AFTER = 800
# Dates whose cap (and the offsets the engine uses, at most a few years) stays far from year 1
# and 9999 are tracked; the others are judged plainly and hold for their day only.
_MIN_TRACKED = date(1000, 1, 1).toordinal()
_MAX_TRACKED = date(9000, 12, 31).toordinal()
_MAX_ORDINAL = date.max.toordinal()


@dataclass(frozen=True, slots=True)
class Judged(Generic[T]):
    """``status`` is what ``fn`` returns on every date from ``valid_from`` to ``valid_until``
    (both inclusive)."""

    status: T
    valid_from: date
    valid_until: date

    def holds_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until


@dataclass(slots=True)
class Trace:
    """What a judgement recorded (for tests and the benchmark): the dates at which a recorded
    comparison changes answer (``x`` of ``on < x`` and ``x + 1`` of ``on <= x``…, as ordinals),
    and why the span collapsed (None: it did not)."""

    thresholds: list[int] = dataclasses.field(default_factory=list)
    collapsed_by: str | None = None


class _Tracker:
    """The span (ordinals ``lo``..``hi``) of the dates on which every recorded comparison with
    the tracked date (ordinal ``base``) answers as it did."""

    __slots__ = ("base", "hi", "lo", "trace")

    def __init__(self, base: int, trace: Trace | None) -> None:
        self.base = base
        self.lo = base - CAP_BEFORE
        self.hi = base + CAP_AFTER
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


def judge_span(fn: Callable[[date], T], on: date, *, trace: Trace | None = None) -> Judged[T]:
    """``fn(on)`` and the dates around ``on`` over which ``fn`` provably returns it (field by
    field equal): ``fn`` must be a pure function of the date. ``on`` may itself be tracked (a
    judgement inside a tracked judgement): the span found is then recorded on it."""
    if type(on) is not date:
        if isinstance(on, TrackedDate):
            inner = judge_span(fn, _plain(on), trace=trace)
            # The outer judgement read ``fn(on)`` only: it holds while ``on`` stays in the span.
            _ = inner.valid_from <= on
            _ = on <= inner.valid_until
            return inner
        if isinstance(on, (datetime, _Image)):
            return Judged(fn(on), _plain(on), _plain(on))
        on = _plain(on)
    base = on.toordinal()
    if not _MIN_TRACKED <= base <= _MAX_TRACKED:
        return Judged(fn(on), on, on)
    tracker = _Tracker(base, trace)
    result = fn(_tracked(tracker, 0, on))
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
    if tp in _TRACKED_TYPES:
        return True
    get = _FIELDS.get(tp)
    if get is None:
        get = _FIELDS[tp] = _field_getter(tp)
    for x in get(value):
        tx = type(x)
        if tx in _PLAIN_TYPES:
            continue
        if tx in _TRACKED_TYPES or _holds_tracked(x):
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


def _plain(d: date) -> date:
    """The value of ``d`` as a plain date (reads the struct: records nothing)."""
    return date.fromordinal(date.toordinal(d))


# --------------------------------------------------------------------------- tracked dates


class _Tracked(date):
    """A date that reports every use of its value to its tracker ``_t``; ``_v`` is the value as
    a plain date."""

    __slots__ = ("_t", "_v")

    def __new__(cls, *args: Any, **kwargs: Any) -> _Tracked:
        # ``type(on)(…)`` makes a plain date: only this module makes tracked ones.
        return date(*args, **kwargs)  # type: ignore[return-value]

    def __getattribute__(self, name: str) -> Any:
        if name == "__class__":
            return object.__getattribute__(self, name)
        _T(self).collapse(name)
        return getattr(_V(self), name)  # the plain date's: ``replace`` makes a plain date

    def __hash__(self) -> int:
        _T(self).collapse("hash")
        return date.__hash__(_V(self))

    def __repr__(self) -> str:
        _T(self).collapse("repr")
        return repr(_V(self))

    def __str__(self) -> str:
        _T(self).collapse("str")
        return str(_V(self))

    def __format__(self, spec: str) -> str:
        _T(self).collapse("format")
        return format(_V(self), spec)

    def __reduce__(self) -> Any:
        _T(self).collapse("reduce")
        return _V(self).__reduce__()

    def __reduce_ex__(self, protocol: Any) -> Any:
        _T(self).collapse("reduce")
        return _V(self).__reduce_ex__(protocol)


class TrackedDate(_Tracked):
    """``on + k`` days for the tracked ``on`` (``k`` = 0 for ``on`` itself)."""

    __slots__ = ("_k",)
    __hash__ = _Tracked.__hash__  # defining __eq__ would set it to None

    def __lt__(self, other: object) -> bool:
        if type(other) is date:
            t = _T(self)
            y = other.toordinal() - _K(self)
            if t.base < y:
                t.below(y)
                return True
            t.from_(y)
            return False
        return _compare(self, other, "lt")

    def __le__(self, other: object) -> bool:
        if type(other) is date:
            t = _T(self)
            y = other.toordinal() - _K(self) + 1
            if t.base < y:
                t.below(y)
                return True
            t.from_(y)
            return False
        return _compare(self, other, "le")

    def __gt__(self, other: object) -> bool:
        if type(other) is date:
            t = _T(self)
            y = other.toordinal() - _K(self) + 1
            if t.base < y:
                t.below(y)
                return False
            t.from_(y)
            return True
        return _compare(self, other, "gt")

    def __ge__(self, other: object) -> bool:
        if type(other) is date:
            t = _T(self)
            y = other.toordinal() - _K(self)
            if t.base < y:
                t.below(y)
                return False
            t.from_(y)
            return True
        return _compare(self, other, "ge")

    def __eq__(self, other: object) -> bool:
        if type(other) is date:
            return _equal(_T(self), other.toordinal() - _K(self))
        return _compare(self, other, "eq")

    def __ne__(self, other: object) -> bool:
        if type(other) is date:
            return not _equal(_T(self), other.toordinal() - _K(self))
        return _compare(self, other, "ne")

    def __add__(self, other: object) -> Any:
        if type(other) is timedelta:
            return _offset(self, other.days)
        if isinstance(other, timedelta):
            _T(self).collapse("add")
        return date.__add__(_V(self), other)  # type: ignore[operator]

    def __radd__(self, other: object) -> Any:
        return TrackedDate.__add__(self, other)

    def __sub__(self, other: object) -> Any:
        if type(other) is timedelta:
            return _offset(self, -other.days)
        if type(other) is TrackedDate and _T(other) is _T(self):
            return timedelta(days=_K(self) - _K(other))
        if isinstance(other, date):
            _T(self).collapse("subtract")
            if isinstance(other, _TRACKED_TYPES):
                _T(other).collapse("subtract")
            return _V(self) - _plain(other)
        if isinstance(other, timedelta):
            _T(self).collapse("subtract")
        return date.__sub__(_V(self), other)  # type: ignore[operator]

    def __rsub__(self, other: object) -> Any:
        if isinstance(other, date):  # a plain date (a tracked one calls __sub__)
            _T(self).collapse("subtract")
            return _plain(other) - _V(self)
        return NotImplemented


class _Image(_Tracked):
    """``f(on)`` for the tracked ``on``, ``f`` non-decreasing: ``_g`` maps the ordinal of ``on`` to
    the ordinal of the image. Comparisons with a plain date are turned into constraints on
    ``on`` by binary search over the span (``g`` is only ever called on plain ordinals)."""

    __slots__ = ("_g",)
    __hash__ = _Tracked.__hash__

    def __lt__(self, other: object) -> bool:
        if type(other) is date:
            x = other.toordinal()
            g = _G(self)
            return _holds_down(_T(self), lambda o: g(o) < x)
        return _compare(self, other, "lt")

    def __le__(self, other: object) -> bool:
        if type(other) is date:
            x = other.toordinal()
            g = _G(self)
            return _holds_down(_T(self), lambda o: g(o) <= x)
        return _compare(self, other, "le")

    def __gt__(self, other: object) -> bool:
        if type(other) is date:
            x = other.toordinal()
            g = _G(self)
            return not _holds_down(_T(self), lambda o: g(o) <= x)
        return _compare(self, other, "gt")

    def __ge__(self, other: object) -> bool:
        if type(other) is date:
            x = other.toordinal()
            g = _G(self)
            return not _holds_down(_T(self), lambda o: g(o) < x)
        return _compare(self, other, "ge")

    def __eq__(self, other: object) -> bool:
        if type(other) is date:
            return _image_equal(self, other.toordinal())
        return _compare(self, other, "eq")

    def __ne__(self, other: object) -> bool:
        if type(other) is date:
            return not _image_equal(self, other.toordinal())
        return _compare(self, other, "ne")

    def __add__(self, other: object) -> Any:
        if type(other) is timedelta:
            days, g = other.days, _G(self)
            return _image(_T(self), lambda o: g(o) + days, _V(self) + other)
        if isinstance(other, timedelta):
            _T(self).collapse("add")
        return date.__add__(_V(self), other)  # type: ignore[operator]

    def __radd__(self, other: object) -> Any:
        return _Image.__add__(self, other)

    def __sub__(self, other: object) -> Any:
        if type(other) is timedelta:
            days, g = other.days, _G(self)
            return _image(_T(self), lambda o: g(o) - days, _V(self) - other)
        _T(self).collapse("subtract")
        if isinstance(other, _TRACKED_TYPES):
            _T(other).collapse("subtract")
        if isinstance(other, date):
            return _V(self) - _plain(other)
        return date.__sub__(_V(self), other)  # type: ignore[operator]

    def __rsub__(self, other: object) -> Any:
        if isinstance(other, date):
            _T(self).collapse("subtract")
            return _plain(other) - _V(self)
        return NotImplemented


_TRACKED_TYPES = (TrackedDate, _Image)  # the concrete tracked types

# Slot access through the descriptors themselves (``__getattribute__`` would collapse).
_T: Callable[[date], _Tracker] = _Tracked.__dict__["_t"].__get__
_V: Callable[[date], date] = _Tracked.__dict__["_v"].__get__
_K: Callable[[date], int] = TrackedDate.__dict__["_k"].__get__
_G: Callable[[date], Callable[[int], int]] = _Image.__dict__["_g"].__get__
_SET_T = _Tracked.__dict__["_t"].__set__
_SET_V = _Tracked.__dict__["_v"].__set__
_SET_K = TrackedDate.__dict__["_k"].__set__
_SET_G = _Image.__dict__["_g"].__set__


def _tracked(tracker: _Tracker, k: int, value: date) -> TrackedDate:
    obj = date.__new__(TrackedDate, value.year, value.month, value.day)
    _SET_T(obj, tracker)
    _SET_K(obj, k)
    _SET_V(obj, value)
    return obj


def _image(tracker: _Tracker, g: Callable[[int], int], value: date) -> _Image:
    obj = date.__new__(_Image, value.year, value.month, value.day)
    _SET_T(obj, tracker)
    _SET_G(obj, g)
    _SET_V(obj, value)
    return obj


def _offset(d: TrackedDate, days: int) -> TrackedDate:
    t, k = _T(d), _K(d) + days
    value = _V(d) + timedelta(days=days)  # raises OverflowError exactly as a plain date does
    # Every date of the span must give a valid date too.
    if 1 - k > t.lo:
        t.from_(1 - k)
    if _MAX_ORDINAL - k < t.hi:
        t.below(_MAX_ORDINAL - k + 1)
    return _tracked(t, k, value)


def _equal(t: _Tracker, y: int) -> bool:
    if t.base == y:
        t.from_(y)
        t.below(y + 1)
        return True
    if t.base < y:  # on != y: keep the side of the hole that holds on
        t.below(y)
    else:
        t.from_(y + 1)
    return False


def _holds_down(t: _Tracker, pred: Callable[[int], bool]) -> bool:
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


def _first_false(t: _Tracker, pred: Callable[[int], bool]) -> int | None:
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


def _last_true(t: _Tracker, pred: Callable[[int], bool]) -> int | None:
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
    t, g = _T(img), _G(img)
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


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
}


def _compare(self: date, other: object, op: str) -> bool:
    """A comparison with anything but a plain date."""
    if type(self) is TrackedDate and type(other) is TrackedDate and _T(other) is _T(self):
        return bool(_OPS[op](_K(self), _K(other)))  # both move with on: constant
    if isinstance(other, _TRACKED_TYPES):
        _T(self).collapse("compare " + op)
        _T(other).collapse("compare " + op)
        return bool(_OPS[op](_plain(self), _plain(other)))
    if isinstance(other, date) and not isinstance(other, datetime):
        _T(self).collapse("compare " + op)
        return bool(_OPS[op](_plain(self), other))
    # None, a datetime (a date never orders with it), anything else: the other side decides
    # as it would for a plain date (reading this one only through what is tracked).
    return NotImplemented  # type: ignore[no-any-return]


# ------------------------------------------------------------- monotone maps the engine uses


def fiscal_year(on: date) -> int:
    """``legaldate.fiscal_year(on)``; for a tracked date, the span keeps to that 年度."""
    if type(on) is TrackedDate:
        fy = ld.fiscal_year(_V(on))
        t, k = _T(on), _K(on)
        t.from_(date(fy, 4, 1).toordinal() - k)
        t.below(date(fy + 1, 4, 1).toordinal() - k)
        return fy
    return ld.fiscal_year(on)


def after_months_interval(on: date, months: int) -> date:
    """``legaldate.after_months_interval(on, months)``; for a tracked date, a tracked image.

    The map is non-decreasing in ``on`` for every ``months`` >= 0: within one month the day
    grows (a day the target month lacks gives the 1st of the month after, later than every day
    it has); a later month gives a target month at least one later, whose every result is on
    or after that 1st. tests/unit/test_schedule_spans.py checks it day by day for 1990–2040.
    """
    if type(on) is TrackedDate and months >= 0:
        k = _K(on)

        def g(o: int) -> int:
            return ld.after_months_interval(date.fromordinal(o + k), months).toordinal()

        return _image(_T(on), g, ld.after_months_interval(_V(on), months))
    return ld.after_months_interval(on, months)


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
    day = _V(on)
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
