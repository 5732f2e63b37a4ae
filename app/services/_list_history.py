"""How a 未接種者一覧 orders its cohort and turns a person's dose rows into the engine's history
(as ``schedule.due_list`` gives it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from itertools import chain, pairwise
from operator import itemgetter

from app.store import lists


def history(
    rows: Sequence[tuple[str, str | None, str]] | Sequence[lists.Dose],
    code: Callable[[str | None, str], str],
    since: str | None,
    seasonal: Sequence[str] = (),
) -> tuple[tuple[str, date], ...]:
    """The doses as the engine is given them by ``schedule.due_list``: in the rows' order (date,
    then entry: ``lists.given_for_persons``, ``lists.dose_facts``), one entry per (code, date);
    a seasonal series' doses (of ``seasonal``, or every row when none is named) only from
    ``since``."""
    seen: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        on, product, sid = row[0], row[1], row[2]
        if since is not None and on < since and (not seasonal or sid in seasonal):
            continue
        entry = (code(product, sid), on)
        if entry not in seen:
            seen.add(entry)
            out.append(entry)
    return tuple([(c, date.fromisoformat(on)) for c, on in out])


def in_birth_order(parts: list[list[lists.Member]]) -> list[lists.Member]:
    """The cohort's parts (each in birth-date, id order, over disjoint birth ranges) as one list
    in that order: concatenated when their birth dates do not interleave (no re-sort of ~10⁵
    members), else sorted."""
    parts = sorted((p for p in parts if p), key=lambda p: p[0][2])
    if all(a[-1][2] < b[0][2] for a, b in pairwise(parts)):
        return list(chain.from_iterable(parts))
    out = list(chain.from_iterable(parts))
    out.sort(key=itemgetter(2, 0))  # (birth date, id)
    return out
