"""The schema check of a package line when its change is queued (app/store/outbox_lines.py): the
same rules the package layer applies to every line it writes (``app/sync/lines.py``: one JSON
object on one line of at most ``MAX_LINE`` bytes, valid against its record type's schema). A line
that passes is stored with a MAC and later sent without being checked again; one that does not is
not stored, and the export reads its row and checks it in full (and refuses a malformed one).
"""

from __future__ import annotations

import functools

import orjson

from app.store.outbox_lines import LineCheck
from app.sync.lines import MAX_LINE
from app.sync.schemas import RECORD_TYPES, record_checker

_POSTPONEMENT = b'{"type":"postponement",'


@functools.cache
def line_check(record_type: str) -> LineCheck:
    """The check of stored lines of ``record_type`` (a vaccination's line may be a postponement:
    it is checked against the schema of the member it goes to)."""
    if record_type not in RECORD_TYPES:
        raise ValueError("not a package record type")
    own = record_checker(record_type)
    postponed = record_checker("postponement") if record_type == "vaccination" else None

    def check(line: bytes) -> bool:
        if len(line) > MAX_LINE or b"\n" in line:
            return False
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            return False
        if not isinstance(obj, dict):
            return False
        checker = own
        if postponed is not None and line.startswith(_POSTPONEMENT):
            checker = postponed
        return checker.all_valid([obj])

    return check
