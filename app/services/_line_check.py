"""The schema check of a package line when its change is queued (app/store/outbox_lines.py): the
same rules the package layer applies to every line it writes (``app/sync/lines.py``: one JSON
object on one line of at most ``MAX_LINE`` bytes, valid against its record type's schema). A line
that passes is stored with a MAC and later sent without being checked again; one that does not is
not stored, and the export reads its row and checks it in full (and refuses a malformed one).
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

import orjson

from app.store.outbox_lines import LineCheck
from app.sync.lines import MAX_LINE
from app.sync.schemas import RECORD_TYPES, RecordChecker, record_checker, record_schema

_POSTPONEMENT = b'{"type":"postponement",'


class _Check:
    __slots__ = ("own", "postponed", "tag")

    def __init__(self, record_type: str) -> None:
        self.own = record_checker(record_type)
        self.postponed: RecordChecker | None = None
        schemas: list[Any] = [record_type, MAX_LINE, record_schema(record_type)]
        if record_type == "vaccination":
            self.postponed = record_checker("postponement")
            schemas.append(record_schema("postponement"))
        self.tag = hashlib.sha256(orjson.dumps(schemas, option=orjson.OPT_SORT_KEYS)).digest()

    def __call__(self, line: bytes, /) -> bool:
        if len(line) > MAX_LINE or b"\n" in line:
            return False
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            return False
        if not isinstance(obj, dict):
            return False
        checker = self.own
        if self.postponed is not None and line.startswith(_POSTPONEMENT):
            checker = self.postponed
        return checker.all_valid([obj])


@functools.cache
def line_check(record_type: str) -> LineCheck:
    """The check of stored lines of ``record_type`` (a vaccination's line may be a postponement:
    it is checked against the schema of the member it goes to); its ``tag`` is the digest of
    the schemas it applies, so a line checked by other schemas is not trusted."""
    if record_type not in RECORD_TYPES:
        raise ValueError("not a package record type")
    return _Check(record_type)
