"""The engine's "complete" judgements kept between 未接種者一覧 (migration 0012), so that the first
list of a day judges only the persons whose series is not known complete.

Why "complete" may be kept. For a series without a season, the engine's status of a person on a
date ``on`` (``engine._series_status``; every dose of the history dated up to ``on``) is
``complete`` exactly when the walk of the doses (``doses.walk``) chose a plan and counted or
skipped every dose of it: ``_status`` returns ``complete`` only when ``advance`` reaches the end
of the plan, and ``advance`` never passes its last dose, so only a walk that already reached it
does. The walk reads the series, the doses given to it (MR/日本脳炎-type doses split by the
windows of the birth date, ``engine._assign``), the windows of the birth date
(``windows_for``), the live-vaccine dates and the rules — never ``on``; what comes before it
(applicable, ``count_from``, no window, an excluded prior product) reads no date either. So with
the same birth date, sex, doses and rules the engine finds the series complete on every date on
which it holds all those doses: the list keeps, per person, a keyed digest (``basis``) of what
the judgement read, and leaves the person out when the digest of the person's facts today is the
same. A dose added, corrected or voided, a birth date or sex corrected, another catalog in force
or another version of the engine's code each change the digest: the engine judges again.

The same holds for a series sharing a product the engine gives to one series by date (MR,
日本脳炎, PCV20): which doses go to the series follows from the birth date and the doses alone
(``_list_sharing``, ``engine._assign``), so the basis there is of every dose row the list read
for the group (``of``). Seasonal series (complete for one season only) are never kept. The rows are derived data (no
audit of their own: they are written with the list's audit entry, in its transaction), never
shown, exported or synced; their digest holds no readable personal data.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

from app import __version__
from app.domain.catalog import Catalog
from app.store import catalog_versions
from app.store.catalog_files import default_catalog_path
from app.store.db import Connection
from app.store.lists import Dose

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
    "services/_list_complete.py",
    "services/_list_history.py",
    "services/_list_memo.py",
    "services/_list_sharing.py",
    "store/lists.py",
    "store/lists_shared.py",
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


def of(doses: Sequence[Dose]) -> str:
    """The dose facts of a series sharing its products, as the basis takes them: every row read
    for the group (date, product, series recorded under, routine), in their order."""
    return "s:" + ",".join([f"{on} {p or ''} {sid} {r}" for on, p, sid, r in doses])


def basis(key: bytes, born: str, sex: str, facts: str) -> bytes:
    """The digest kept for a person judged complete: of the birth date, the sex as the list's
    judgement used it and the dose facts (``lists.dose_facts``), keyed by ``rules_key``."""
    return hashlib.blake2b(f"{born}|{sex}|{facts}".encode(), key=key, digest_size=16).digest()
