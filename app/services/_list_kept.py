"""The judgements a 未接種者一覧 keeps between lists (migration 0013 ``list_kept``), so that a
list reads the cohort joined with the kept rows and reads doses only for the persons without a
usable row (absent, of other rules, or the list date outside its span).

What a list's judgement of a person reads. For a series without a season the list gives the
engine (``evaluate_series``, or the person view's judgement for a person with another series'
live dose near, ``_list_live``) the person's birth date and sex and dose rows — of the series,
of those sharing its products (``_list_sharing``), of those it depends on (Hib's DPT-IPV), other
series' injected live doses — dated up to the list date, with the rules (the catalog in force)
and the engine's code. Every one of these but the list date is invalidated without a digest:
any insert, delete or relevant update of a vaccinations row deletes every kept row of its
person (old and new person), and so does a change of birth date or sex or the deletion of the
person (triggers of migration 0013, whatever code path writes: the counter, sync imports and
the initial load, conflict resolution, retention, person merge all write through SQL). The
rules and code are the key of ``rules_key``, stored as a small id (``list_rules``): another
catalog or another build is another id and the rows of the old one are never used.

The list date. A judgement is kept with the span of list dates over which it provably holds:
``judge_span`` (``app.domain.schedule.spans``) calls the engine with a date that records
every comparison made with it. The list adds what the engine does not see:

* doses dated after the list date are not given to the engine: the span ends the day before the
  person's first dose row dated after it (any series, ``list_kept.doses_after``);
* it starts no earlier than the list date (an earlier list would leave out the doses dated
  between: lists are for today, so nothing is lost);
* a person with another series' injected live dose (``_list_live``) dated within the rule's
  reach before the list date, or on it, keeps the judgement for the list date only (the reach
  moves with the date and the list may judge the person as the person view does on the next
  days; a judgement of one day still serves a repeat of the same day); a live dose further back
  never comes near a later list date, so the person is judged the same way on every date of
  the span; a judgement as the person view's (a live dose near the series' doses or the next
  dose's earliest date, which the span keeps fixed) is kept for the day only unless complete;
* a judgement made of two (Hib's own doses, then with DPT-IPV's for an open one) holds on the
  intersection of both spans.

Why "complete" holds on every later date (the span's end is then only the first later dose):
for a series without a season, the engine's status on a date ``on`` (``engine._series_status``;
every dose of the history dated up to ``on``) is ``complete`` exactly when the walk of the doses
(``doses.walk``) chose a plan and counted or skipped every dose of it: ``_status`` returns
``complete`` only when ``advance`` reaches the end of the plan, and ``advance`` never passes its
last dose, so only a walk that already reached it does. The walk reads the series, the doses
given to it (MR/日本脳炎-type doses split by the windows of the birth date, ``engine._assign``),
the windows of the birth date (``windows_for``), the live-vaccine dates and the rules — never
``on``; what comes before it (applicable, ``count_from``, no window, an excluded prior product)
reads no date either. So with the same birth date, sex, doses and rules the engine finds the
series complete on every date on which it holds all those doses.

Seasonal series (complete for one season only) are judged every day as before and never kept.
The rows are derived data (no audit of their own: they are written with the list's audit entry,
in its transaction), never shown, exported or synced.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import date
from pathlib import Path

from app import __version__
from app.domain.catalog import Catalog
from app.domain.schedule import SeriesStatus
from app.domain.schedule.spans import Judged as Judged
from app.domain.schedule.spans import judge_span as judge_span
from app.store import catalog_versions
from app.store.catalog_files import default_catalog_path
from app.store.db import Connection

_APP = Path(__file__).resolve().parent.parent
# The code whose behaviour a kept judgement depends on: the engine, the catalog model, the dose
# facts read and how the list turns them into the engine's history.
_CODE_FILES = (
    "domain/schedule",
    "domain/catalog.py",
    "domain/catalog_bounds.py",
    "domain/catalog_build.py",
    "domain/legaldate.py",
    "services/unvaccinated.py",
    "services/_list_judge.py",
    "services/_list_kept.py",
    "services/_list_live.py",
    "services/_list_history.py",
    "services/_list_memo.py",
    "services/_list_sharing.py",
    "store/list_kept.py",
    "store/lists.py",
)
_code_digest: list[bytes] = []
_KEYS: dict[tuple[int, str], tuple[Catalog, bytes | None]] = {}


def _code() -> bytes | None:
    """A digest of the code files above; None when one cannot be read (nothing is kept).

    In the packaged app (PyInstaller) the sources are not on disk: the code is inside the
    program file, so the digest is of that file and the app's version — another build of the
    program is another key."""
    if not _code_digest:
        h = hashlib.sha256()
        try:
            if getattr(sys, "frozen", False):
                h.update(b"frozen\0" + __version__.encode() + b"\0")
                with open(sys.executable, "rb") as program:
                    while block := program.read(1 << 20):
                        h.update(block)
            else:
                for name in _CODE_FILES:
                    path = _APP / name
                    files = sorted(path.glob("*.py")) if path.is_dir() else [path]
                    if not files:
                        return None
                    for f in files:
                        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
        except OSError:
            return None
        _code_digest.append(h.digest())
    return _code_digest[0]


def rules_key(conn: Connection, full: Catalog, series_id: str) -> bytes | None:
    """The key of the kept judgements of a series under the catalog in force (its text) and
    this code; None: judgements are not kept (the code cannot be read)."""
    hit = _KEYS.get((id(full), series_id))
    if hit is not None and hit[0] is full:
        return hit[1]
    code = _code()
    key = None
    if code is not None:
        stored = catalog_versions.current(conn)
        try:
            text = stored[1].encode() if stored else default_catalog_path().read_bytes()
        except OSError:
            text = None
        if text is not None:
            key = hashlib.sha256(code + hashlib.sha256(text).digest() + series_id.encode()).digest()
    if len(_KEYS) > 64:
        _KEYS.clear()
    _KEYS[(id(full), series_id)] = (full, key)
    return key


# the last list date a row can hold (a complete judgement with no later dose)
FOREVER = date.max.toordinal()

_FIELDS = (
    "id",
    "name_ja",
    "status",
    "next_dose",
    "earliest",
    "window_from",
    "window_until",
    "standard_from",
    "standard_until",
    "doses_given",
    "doses_required",
    "warnings",
    "next_product",
)
_DATES = frozenset({"earliest", "window_from", "window_until", "standard_from", "standard_until"})
_DECODED: dict[str, SeriesStatus] = {}
_ENCODED: dict[SeriesStatus, str] = {}


def encode(st: SeriesStatus) -> str | None:
    """The stored form of a judgement: None for complete (the list leaves the person out, and
    nothing else of it is read), else every field of the SeriesStatus as a JSON array."""
    if st.status == "complete":
        return None
    hit = _ENCODED.get(st)
    if hit is None:
        values = []
        for name in _FIELDS:
            v = getattr(st, name)
            values.append(v.isoformat() if name in _DATES and v is not None else v)
        hit = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
        if len(_ENCODED) > 100_000:
            _ENCODED.clear()
        _ENCODED[st] = hit
    return hit


def decode(text: str) -> SeriesStatus:
    """``encode``'s judgement back (a list decodes each distinct text once)."""
    hit = _DECODED.get(text)
    if hit is None:
        values = json.loads(text)
        fields = {}
        for name, v in zip(_FIELDS, values, strict=True):
            if name in _DATES and v is not None:
                v = date.fromisoformat(v)
            elif name == "warnings":
                v = tuple(v)
            fields[name] = v
        hit = SeriesStatus(**fields)
        if len(_DECODED) > 100_000:
            _DECODED.clear()
        _DECODED[text] = hit
    return hit
