"""未接種者一覧 of a seasonal series (インフルエンザ, 新型コロナ): judged every day, nothing kept
(complete for one season only). Persons eligible all season who hold one routine dose of a
product routine on its day this season are left out in SQL (``_list_memo.season_counted``);
everyone else holding a dose is judged by the engine, once per distinct (birth date, sex, dose
facts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from itertools import groupby
from operator import itemgetter

from app.domain.catalog import Catalog
from app.domain.schedule import OPEN_STATUSES, HistoryEntry, Person, SeriesStatus
from app.domain.schedule.one_series import evaluate_series
from app.services._list_history import history as history_of
from app.services._list_history import in_birth_order
from app.services._list_live import OtherLive
from app.services._list_memo import JUDGED_MAX, judged, kept_dependencies, season_counted
from app.services._list_types import Decided
from app.store import lists
from app.store.db import Connection

Range = tuple[date, date]


def decide(
    conn: Connection,
    full: Catalog,
    catalog: Catalog,
    solo: Catalog,
    series_id: str,
    group: Sequence[str],
    day: date,
    whole: list[Range],
    late: list[Range],
    since: str,
    area_code: str | None,
    code: Callable[[str | None, str], str],
) -> tuple[list[Decided], int]:
    """The open rows (birth-date, id order) and the cohort's size. ``whole``: the birth ranges
    eligible since the season began; ``late``: those who became eligible in it."""
    series = catalog.series_by_id(series_id)
    until = day.isoformat()
    counted = season_counted(full, series)
    parts = [
        lists.cohort(
            conn,
            group,
            [(a.isoformat(), b.isoformat()) for a, b in part],
            complete_at=complete_at,
            counted_since=since,
            counted_until=until,
            counted=counted or (),
            sex="F" if series.sex == "F" else None,
            area_code=area_code,
        )
        for part, complete_at in ((whole, None if counted is None else 1), (late, None))
    ]
    members = in_birth_order(parts)
    # the dose facts as one string per person: the judgements are looked up by it
    facts = lists.dose_facts(conn, [m[0] for m in members if m[3]], group, since, until)
    memo = judged(full, series_id, day)
    kept = kept_dependencies(full, day)

    def judge(dob: date, sex: str, history: tuple[tuple[str, date], ...]) -> SeriesStatus:
        key = (dob, sex, history, False)
        hit = memo.get(key)
        if hit is None:
            entries = [HistoryEntry(c, d) for c, d in history]
            person = Person(dob, "F" if sex == "F" else "M")
            hit = evaluate_series(
                solo if not history else catalog, person, entries, day, series_id, kept
            )
            if len(memo) < JUDGED_MAX:
                memo[key] = hit
        return hit

    # The engine reads sex only for a series restricted to one sex (engine.py): otherwise it is
    # left out of the memo key, which halves the evaluations.
    sex_matters = series.sex is not None
    born_on = lru_cache(maxsize=None)(date.fromisoformat)
    open_: list[Decided] = []
    make = tuple.__new__  # a Decided without the Python-level constructor (~10⁵ per list)
    append = open_.append
    extend = open_.extend
    given_of = itemgetter(3)
    # another series' injected live doses that the engine's 27-day rule may read (``_list_live``)
    live = OtherLive(conn, full, series_id, group, day, [m[0] for m in members])
    lives = live.doses

    def fully(pid: int, sex: str, dob: date, st: SeriesStatus | None = None) -> SeriesStatus:
        # the person view's judgement when another live dose lies near what ``st`` read
        if st is None or (st.status != "complete" and live.near(pid, (st.earliest,))):
            return live.judge(pid, dob, sex, kept, memo)
        return st

    # Members come in birth-date order and most have no dose of the series: a birth date's
    # members without doses (of one sex, or for a series that does not read it) are decided by
    # one judgement and their rows made at once (~1.7·10⁵ members for flu65 at 1M persons).
    for born, same_day in groupby(members, itemgetter(2)):
        group_rows = list(same_day)
        dob = born_on(born)
        if (
            (not sex_matters or len(group_rows) == 1)
            and not any(map(given_of, group_rows))
            and not (lives and any(m[0] in lives for m in group_rows))
        ):
            st = judge(dob, group_rows[0][1] if sex_matters else "", ())
            if st.status in OPEN_STATUSES:
                extend([make(Decided, (m[0], m[1], dob, st)) for m in group_rows])
            continue
        for pid, sex, _, given in group_rows:
            key_sex = sex if sex_matters else ""
            if not given:
                st = judge(dob, key_sex, ())
                if pid in lives:
                    st = fully(pid, sex, dob, None if live.near(pid, ()) else st)
                if st.status in OPEN_STATUSES:
                    append(make(Decided, (pid, sex, dob, st)))
                continue
            if pid in lives:
                given_on = [born_on(r[0]) for r in lists.parse_facts(facts[pid])]
                if live.near(pid, given_on):
                    st = fully(pid, sex, dob)
                    if st.status in OPEN_STATUSES:
                        append(make(Decided, (pid, sex, dob, st)))
                    continue
            seen = (dob, key_sex, facts[pid])  # (not a judge key: those have 4 parts)
            known = memo.get(seen)
            if known is None:
                known = judge(dob, key_sex, history_of(lists.parse_facts(seen[2]), code, since))
                if len(memo) < JUDGED_MAX:
                    memo[seen] = known
            st = known
            if pid in lives:
                st = fully(pid, sex, dob, st)
            if st.status in OPEN_STATUSES:
                append(make(Decided, (pid, sex, dob, st)))
    read = tuple(group)
    for dep in catalog.depends_on(series_id):
        # Series that decide which products this one may still offer, for the open ones only:
        # their doses merged with the series' own in the order the engine walks them.
        read = (*read, dep)
        rows = lists.given_for_persons(conn, [d.person_id for d in open_], read, until)
        rejudged = []
        for d in open_:
            mine = rows[d.person_id]
            if d.person_id not in live.judged_fully and any(r[2] == dep for r in mine):
                history = history_of(mine, code, since, group)
                st = judge(d.birth_date, d.sex if sex_matters else "", history)
                if st.status not in OPEN_STATUSES:
                    continue
                d = d._replace(judged=st)
            rejudged.append(d)
        open_ = rejudged
    return open_, len(members)
