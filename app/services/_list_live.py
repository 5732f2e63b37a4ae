"""Injected live vaccines of OTHER series in a 未接種者一覧 (the engine's 27-day rule).

A list gives the engine the doses of the listed series and of those sharing its products only.
For a series with an injected live product (MR, 水痘) the engine also reads every injected live
dose of the person (``engine.distribute``: ``live``): a dose given fewer than
``live_injected_min_days`` days after another live injection does not count
(``doses.live_blocked_until``), and the next dose's earliest date and the list date itself are
pushed past such an injection (``doses.live_earliest``). Each of these needs another series'
live dose ``s`` shortly before a date ``c`` the judgement reads (``s < c``): a dose of the group, the list
date, or the earliest date of the next dose (any pushed value of it lies within the rule's span
after a live dose of the group). So a person none of whose other live doses lies within
``near_days`` before such a date is judged exactly without them; any other person is judged
as the person view judges (``schedule.due_list``): every given dose, the whole catalog.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from app.domain.catalog import Catalog
from app.domain.schedule import HistoryEntry, Person, SeriesStatus
from app.domain.schedule.engine import _live_products
from app.domain.schedule.one_series import evaluate_series
from app.services._list_memo import JUDGED_MAX
from app.store import lists
from app.store.db import Connection


class OtherLive:
    """The other series' injected live doses of a list's cohort, and the persons they affect."""

    def __init__(
        self,
        conn: Connection,
        full: Catalog,
        series_id: str,
        group: Sequence[str],
        day: date,
        members: Iterable[int],
    ) -> None:
        self.conn, self.full, self.series_id, self.day = conn, full, series_id, day
        # beyond the rule's days: the legal date arithmetic of a span never adds more than 3
        self.near_days = full.live_injected_min_days + 4
        self.doses: dict[int, list[date]] = {}
        self.judged_fully: set[int] = set()
        live = _live_products(full.products)
        mine = {sp.product for sid in group for sp in full.series_by_id(sid).products}
        if not mine & live:
            return
        others = tuple(
            s.id
            for s in full.series
            if s.id not in group and any(sp.product in live for sp in s.products)
        )
        if not others:
            return
        rows = lists.given_for_persons(conn, members, others, day.isoformat())
        for pid, doses in rows.items():
            # a dose recorded without its product may be the series' live vaccine
            dates = [date.fromisoformat(d[0]) for d in doses if d[1] is None or d[1] in live]
            if dates:
                self.doses[pid] = dates

    def near(self, person_id: int, dates: Iterable[date | None]) -> bool:
        """Whether another series' live dose of the person lies within ``near_days`` before
        one of ``dates`` or the list date (the rule reads only a live dose before the date it
        judges: one given the same day, or after, changes nothing)."""
        lives = self.doses.get(person_id)
        if not lives:
            return False
        span = self.near_days
        for c in (*dates, self.day):
            if c is not None and any(0 < (c - s).days <= span for s in lives):
                return True
        return False

    def judge(
        self,
        person_id: int,
        dob: date,
        sex: str,
        kept: dict[Any, SeriesStatus],
        memo: dict[Any, SeriesStatus],
    ) -> SeriesStatus:
        """The series as the person view judges it: every given dose up to the list date, in
        entry order (``schedule.history_entries``), on the whole catalog; ``memo`` keeps the
        judgements of the list's day by (birth date, sex, history)."""
        self.judged_fully.add(person_id)
        rows = lists.given_for_persons(
            self.conn, [person_id], tuple(s.id for s in self.full.series), self.day.isoformat()
        )[person_id]
        seen: set[tuple[str, str]] = set()
        history = []
        for on, product, series, _routine in rows:
            code = product or series
            if (code, on) not in seen:
                seen.add((code, on))
                history.append(HistoryEntry(code, date.fromisoformat(on)))
        person = Person(dob, "F" if sex == "F" else "M")
        key = ("all doses", dob, person.sex, tuple(history))
        hit = memo.get(key)
        if hit is None:
            hit = evaluate_series(self.full, person, history, self.day, self.series_id, kept)
            if len(memo) < JUDGED_MAX:
                memo[key] = hit
        return hit
