"""未接種者一覧 of a series without a season: the cohort joined with the kept judgements
(``_list_kept``, migration 0013) in one statement; doses are read and judged only for the
persons without a usable kept row, and their judgements are kept with the span of list dates
over which they hold (in the list's transaction, by the caller).

The judgement of a person is the one the list has always made (``unvaccinated.decide_list``):
the series' own doses (or, for a series sharing a product given to one series by date, the
doses the engine gives it: ``_list_sharing``), another series' injected live dose near making
it the person view's judgement (``_list_live``), and for an open series depending on another
(Hib on DPT-IPV) the judgement again with that series' doses merged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from app.domain.catalog import Catalog
from app.domain.schedule import OPEN_STATUSES, HistoryEntry, Person, SeriesStatus
from app.domain.schedule.one_series import evaluate_series
from app.services import _list_kept
from app.services._list_history import history as history_of
from app.services._list_kept import FOREVER, Judged, judge_span
from app.services._list_live import OtherLive
from app.services._list_memo import JUDGED_MAX, judged, judged_spans, kept_dependencies
from app.services._list_sharing import Sharing
from app.services._list_types import Decided
from app.store import list_kept, lists
from app.store.db import Connection


class Keeping(NamedTuple):
    """What a list keeps, written by the caller in the list's transaction."""

    key: bytes | None  # the rules key (None: nothing is kept)
    rows: list[list_kept.KeptRow]


def decide(
    conn: Connection,
    full: Catalog,
    catalog: Catalog,
    solo: Catalog,
    series_id: str,
    group: Sequence[str],
    ranges: Sequence[tuple[str, str]],
    day: date,
    area_code: str | None,
    split_by: Sharing | None,
    code: Callable[[str | None, str], str],
) -> tuple[list[Decided], int, Keeping]:
    """The open rows of the list (in birth-date, id order), the cohort's size and what to
    keep."""
    series = catalog.series_by_id(series_id)
    sex_matters = series.sex is not None
    key = _list_kept.rules_key(conn, full, series_id)
    rules = list_kept.rules_id(conn, key) if key is not None else None
    today = day.toordinal()
    until = day.isoformat()
    members = list_kept.cohort(
        conn,
        series_id,
        ranges,
        rules,
        today,
        sex="F" if series.sex == "F" else None,
        area_code=area_code,
    )
    need = [m[0] for m in members if not m[4]]
    facts: dict[int, str] = {}
    doses: dict[int, list[lists.Dose]] = {}
    if split_by is None:
        facts = lists.dose_facts(conn, need, group, None, until)
    else:
        doses = lists.given_for_persons(conn, need, group, until)
    memo = judged(full, series_id, day)  # (the person view's judgements: ``OtherLive.judge``)
    spans = judged_spans(full, series_id, day)
    kept = kept_dependencies(full, day)
    live = OtherLive(conn, full, series_id, group, day, need)
    lives = live.doses

    def judge(
        dob: date, sex: str, history: tuple[tuple[str, date], ...], alone: bool = False
    ) -> Judged[SeriesStatus]:
        memo_key = (dob, sex, history, alone)
        hit = spans.get(memo_key)
        if hit is None:
            entries = [HistoryEntry(c, d) for c, d in history]
            person = Person(dob, "F" if sex == "F" else "M")
            # Without doses nothing is shared: the series' own catalog judges as the group's.
            on_catalog = solo if alone or not history else catalog

            def fn(on: date) -> SeriesStatus:
                # (a tracked day keeps the dependencies' statuses by span: ``one_series``)
                return evaluate_series(on_catalog, person, entries, on, series_id, kept)

            hit = judge_span(fn, day)
            if len(spans) < JUDGED_MAX:
                spans[memo_key] = hit
        return hit

    born_on = lru_cache(maxsize=None)(date.fromisoformat)
    decode = _list_kept.decode
    make = tuple.__new__  # a Decided without the Python-level constructor (~10⁵ per list)
    open_: list[Decided] = []
    append = open_.append
    fresh: dict[int, tuple[SeriesStatus, int]] = {}  # person id → (judgement, last day held)
    for pid, sex, born, text, usable in members:
        if usable:
            if text is not None:
                st = decode(text)
                if st.status in OPEN_STATUSES:
                    append(make(Decided, (pid, sex, born_on(born), st)))
            continue
        dob = born_on(born)
        key_sex = sex if sex_matters else ""
        rows: Sequence[tuple[Any, ...]] = ()  # (the dose rows: their dates for ``near``)
        if split_by is None:
            text = facts.get(pid, "")
            if text:
                rows = lists.parse_facts(text) if pid in lives else ()
                seen = (dob, key_sex, text)  # (not a judge key: those have 4 parts)
                j = spans.get(seen)
                if j is None:
                    j = judge(dob, key_sex, history_of(lists.parse_facts(text), code, None))
                    if len(spans) < JUDGED_MAX:
                        spans[seen] = j
            else:
                j = judge(dob, key_sex, ())
        else:
            rows = mine = doses.get(pid, [])
            if not mine:
                j = judge(dob, key_sex, ())
            else:
                split = split_by.split(Person(dob, "F" if key_sex == "F" else "M"), mine, code)
                if split is not None:
                    j = judge(dob, key_sex, split[0], alone=bool(split[0]))
                else:
                    j = judge(dob, key_sex, history_of(mine, code, None))
        st = j.status
        last = FOREVER if st.status == "complete" else j.valid_until.toordinal()
        if pid in lives:
            # the person view's judgement when another live dose lies near what it read (the
            # series' doses and the next dose's earliest date: fixed over the span) or the list
            # date
            if live.near(pid, [born_on(r[0]) for r in rows]) or (
                st.status != "complete" and live.near(pid, (st.earliest,))
            ):
                st = live.judge(pid, dob, sex, kept, memo)
                # (judged so every day: a complete judgement reads no date)
                last = FOREVER if st.status == "complete" else today
            # The rule's reach moves with the list date: a live dose within it before the list
            # date (or on it) may come near a later one; one further back never does (every
            # live dose of the person is dated up to the list date: later ones end the span).
            recent = today - live.near_days
            if any(s.toordinal() >= recent for s in lives[pid]):
                last = today
        fresh[pid] = (st, last)
        if st.status in OPEN_STATUSES:
            append(make(Decided, (pid, sex, dob, st)))
    read = tuple(group)
    for dep in catalog.depends_on(series_id):
        # Series that decide which products this one may still offer, for the open ones judged
        # now only (a kept row holds the judgement with them): their doses merged with the
        # series' own in the order the engine walks them.
        read = (*read, dep)
        merged = lists.given_for_persons(
            conn, [d.person_id for d in open_ if d.person_id in fresh], read, until
        )
        rejudged = []
        for d in open_:
            pid = d.person_id
            with_dep = merged.get(pid)
            if with_dep and pid not in live.judged_fully and any(r[2] == dep for r in with_dep):
                history = history_of(with_dep, code, None)
                j = judge(d.birth_date, d.sex if sex_matters else "", history)
                # (both judgements hold on both spans: the pair holds on their intersection)
                fresh[pid] = (j.status, min(fresh[pid][1], j.valid_until.toordinal()))
                if j.status.status not in OPEN_STATUSES:
                    continue
                d = d._replace(judged=j.status)
            rejudged.append(d)
        open_ = rejudged
    keep: list[list_kept.KeptRow] = []
    if key is not None and fresh:
        # a dose dated after the list date is not in the judgement: it holds until the day before
        after = list_kept.doses_after(conn, fresh, until)
        encode = _list_kept.encode
        for pid, (st, last) in fresh.items():
            first = after.get(pid)
            if first is not None:
                last = min(last, date.fromisoformat(first).toordinal() - 1)
            keep.append((pid, today, last, encode(st)))
    return open_, len(members), Keeping(key, keep)
