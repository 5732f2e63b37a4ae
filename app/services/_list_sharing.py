"""Which series a person's doses go to when the list's series shares a product the engine gives
to one series by date (MR mr1/mr2/rubella5, 日本脳炎 je1/je2, PCV20 pcv/pneumo65).

The engine (``schedule.engine._assign``) first gives every dose recorded by series, or of a
product of one series, to that series; then each shared-product dose, in date order, to the first
series of the product whose window holds its date and that still needs a dose (else the first
whose window holds it, else the first with any window). The windows come from the birth date
alone (``engine.assignment_spans``, the function the engine calls) once no rule of the group
needs a dose by a date, so ``split`` replays that choice exactly in a few comparisons and the
list's series is judged from its own doses only — by the engine, on the catalog restricted to
the series, as a series sharing nothing is. The flag returned with the history (every dose
recorded under the series as routine, reaching its largest plan) is no proof of completeness —
the engine does not count a dose too close to the previous one or of a product not yet routine —
so the list judges every history by the engine whatever the flag says.

Two cases stay with the engine on the whole group (``split`` returns None): the series' doses
given by series or single-series product not all dated before those it got by date (the engine
walks them in that order, not by date), and a live dose given to another series less than the
live-vaccine interval before the series' first window day (it could delay this series' dose).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from app.domain import legaldate as ld
from app.domain.catalog import Catalog
from app.domain.catalog_bounds import BoundContext
from app.domain.schedule import Person
from app.domain.schedule.doses import default_product
from app.domain.schedule.model import NO_FACTS
from app.domain.schedule.person_windows import assignment_spans
from app.domain.schedule.windows import Span, merged
from app.store.lists import Dose

Entry = tuple[str, date]  # (product or series id as the engine is given it, date given)
History = tuple[Entry, ...]


class Sharing:
    """The split of persons' doses for one series of a group, on the group's catalog (restricted
    as for the list). Memoizes the windows per birth date and sex."""

    def __init__(self, catalog: Catalog, series_id: str, group: Sequence[str]) -> None:
        self.catalog = catalog
        self.series_id = series_id
        # The replay relies on the windows not depending on the doses: no rule needing a dose
        # by a date (HPV's 経過措置) in the group, no series deciding the products (5種混合).
        # And on the windows not depending on the person's sex beyond the series' own (the list
        # judges persons of either sex alike unless the series is for one sex): no other
        # series of the group for one sex without needing a fact (風しん第5期 needs one, and a
        # list passes no facts).
        self.usable = (
            not any(catalog.depends_on(sid) for sid in group)
            and not any(
                rule.requires_dose_by is not None
                for sid in group
                for rule in catalog.rules_by_series.get(sid, ())
            )
            and not any(
                s.sex is not None and s.requires_fact is None and s.id != series_id
                for s in catalog.series
            )
        )
        products = catalog.products
        self._deferred = {
            p: targets
            for p, targets in catalog.series_by_product.items()
            if p in products and products[p].assign == "one" and len(targets) > 1
        }
        self._live = frozenset(p for p, product in products.items() if product.live_injected)
        self._min_live = catalog.live_injected_min_days
        self._most = {s.id: max(len(p.doses) for p in s.plans) for s in catalog.series}
        self._direct = frozenset(
            p
            for p, targets in catalog.series_by_product.items()
            if series_id in targets and p not in self._deferred
        )
        # Every shared product goes to any series of the group (``_quick``'s premise).
        names = {s.id for s in catalog.series}
        self._whole = all(set(t) == names for t in self._deferred.values())
        self._mine = frozenset(p for p, targets in self._deferred.items() if series_id in targets)
        self._windows: dict[tuple[date, str | None], Windows] = {}

    def _spans(self, person: Person) -> Windows:
        key = (person.dob, person.sex)
        hit = self._windows.get(key)
        if hit is None:
            ctx = BoundContext(person.dob, NO_FACTS.date_facts(), None)
            spans = {
                s.id: assignment_spans(self.catalog, s.id, person, NO_FACTS, ctx, ())
                for s in self.catalog.series
            }
            theirs = [x for sid, xs in spans.items() if sid != self.series_id for x in xs]
            alone = tuple(
                (a.isoformat(), b.isoformat())
                for x in merged(spans[self.series_id])
                for a, b in _minus((x.start, x.until), theirs)
            )
            others = tuple(
                (a.isoformat(), b.isoformat())
                for x in merged(theirs)
                for a, b in _minus((x.start, x.until), spans[self.series_id])
            )
            first = min((x.start for x in spans[self.series_id]), default=None)
            hit = Windows(spans, alone, others, first)
            if len(self._windows) > 100_000:
                self._windows.clear()
            self._windows[key] = hit
        return hit

    @property
    def shared(self) -> tuple[str, ...]:
        """The shared products the series may get by date."""
        return tuple(sorted(self._mine))

    @property
    def direct(self) -> tuple[str, ...]:
        """The products that always go to the series (its own)."""
        return tuple(sorted(self._direct))

    def split(
        self, person: Person, doses: Sequence[Dose], code: Callable[[str | None, str], str]
    ) -> tuple[History, bool] | None:
        """The person's history for the series alone (in the order the engine walks it, codes
        as the group's engine is given them) and whether it makes the series complete by the
        rule above — or None when the group's engine must judge the person."""
        windows = self._spans(person)
        sid = self.series_id
        if self._whole:
            quick = self._quick(windows, doses)
            if quick is not None:
                return quick
        spans = windows.spans
        mine = spans.get(sid)
        if not mine:
            return None
        routine: set[Entry] = set()  # recorded under the series as routine
        # the engine's order: the doses come by date, then entry (``given_for_persons``)
        ordered: dict[Entry, None] = {}
        for on, product, recorded, r in doses:
            entry = (code(product, recorded), date.fromisoformat(on))
            ordered[entry] = None
            if r and recorded == sid:
                routine.add(entry)
        held = dict.fromkeys(spans, 0)
        direct: list[Entry] = []
        shared: list[Entry] = []
        others: list[Entry] = []
        products = self.catalog.products
        for c, d in ordered:
            if c in self._deferred:
                continue
            # as the engine: a product id first, then a series id
            if c in products:
                owners = self.catalog.series_by_product.get(c, ())
            else:
                owners = (c,) if c in held else ()
            for o in owners:
                held[o] += 1
            (direct if sid in owners else others).append((c, d))
        for c, d in ordered:
            targets = self._deferred.get(c)
            if targets is None:
                continue
            open_ones = [t for t in targets if any(s.contains(d) for s in spans[t])]
            needing = [t for t in open_ones if held[t] < self._most[t]]
            applicable = [t for t in targets if spans[t]]
            to = (needing or open_ones or applicable or list(targets))[0]
            held[to] += 1
            (shared if to == sid else others).append((c, d))
        first = min(s.start for s in mine)
        for c, d in others:
            if ld.after_days_interval(d, self._min_live) > first and self._is_live(c, d):
                return None  # a live dose of another series may delay this one's
        if direct and shared and direct[-1][1] >= shared[0][1]:
            return None  # walked out of date order by the engine
        history = (*direct, *shared)
        # A dose from another series' record: only the engine can tell what counts.
        complete = (
            len(history) >= self._most[sid]
            and all(e in routine for e in history)
            and all(any(s.contains(d) for s in mine) for _, d in shared)
        )
        return history, complete

    def _quick(self, windows: Windows, doses: Sequence[Dose]) -> tuple[History, bool] | None:
        """The common case at once: only shared-product doses, each dated where only the
        series' windows hold it (it goes to the series) or only others' (it does not, and is
        no live dose near the series' window). None: ``split`` replays the engine."""
        sid = self.series_id
        mine: dict[tuple[str, str], None] = {}  # in the doses' order (date, then entry)
        counted: set[tuple[str, str]] = set()  # recorded under the series as routine
        first = windows.first
        last_direct = first_shared = ""
        for on, product, recorded, r in doses:
            if product in self._direct:
                mine[(product, on)] = None
                if r and recorded == sid:
                    counted.add((product, on))
                last_direct = max(last_direct, on)
                continue
            if product not in self._deferred:
                return None
            if any(a <= on <= b for a, b in windows.alone):
                first_shared = min(first_shared or on, on)
                mine[(product, on)] = None
                if r and recorded == sid:
                    counted.add((product, on))
            elif not any(a <= on <= b for a, b in windows.others) or (
                product in self._live
                and first is not None
                and ld.after_days_interval(date.fromisoformat(on), self._min_live) > first
            ):
                return None
        if last_direct and first_shared and last_direct >= first_shared:
            return None  # walked out of date order by the engine
        history = tuple((p, date.fromisoformat(on)) for p, on in mine)
        return history, len(mine) >= self._most[sid] and counted == mine.keys()

    def _is_live(self, code: str, on: date) -> bool:
        if code in self._live:
            return True
        if code in self.catalog.products:
            return False
        # A dose recorded by series only: the engine assumes the series' default product.
        return default_product(self.catalog.series_by_id(code), on) in self._live


class Windows(NamedTuple):
    """One birth date's windows: every series of the group's (as the engine assigns doses), and
    the days (ISO, inclusive) only the list's series' windows hold."""

    spans: dict[str, list[Span]]
    alone: tuple[tuple[str, str], ...]
    others: tuple[tuple[str, str], ...]  # the days only other series' windows hold
    first: date | None  # the first day of the series' windows


def _minus(span: tuple[date, date], others: Sequence[Span]) -> list[tuple[date, date]]:
    """The parts of ``span`` (inclusive) outside every one of ``others``."""
    parts = [span]
    for o in others:
        kept = []
        for a, b in parts:
            if o.until < a or o.start > b:
                kept.append((a, b))
                continue
            if a < o.start:
                kept.append((a, o.start - timedelta(days=1)))
            if o.until < b:
                kept.append((o.until + timedelta(days=1), b))
        parts = kept
    return parts
