"""JSON Lines of a package, encoded and checked in batches (per-record Python calls were what
limited building and opening).

A batch of records becomes one ``bytes`` with one ``orjson`` call per record and one
``jsonschema-rs`` call for the whole batch. Only when something in a batch is wrong is it done
again record by record, in the original order and with the original checks, so the first bad
record is named exactly as before (line number, ``E_RECORD_SCHEMA`` and the failing rule).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Final

import orjson

from app.gcpause import collector_paused  # parsed lines: plain trees reference counting frees
from app.sync.errors import PackageError
from app.sync.schemas import RecordChecker, RecordInvalid

MAX_LINE: Final = 1024 * 1024
#: Lines per batch at the start; then as many as fill about ``TARGET`` bytes.
FIRST_BATCH: Final = 256
MAX_BATCH: Final = 4096
TARGET: Final = 1 << 20

Record = Mapping[str, Any] | bytes

_dumps_line = functools.partial(orjson.dumps, option=orjson.OPT_APPEND_NEWLINE)


class _Slow(Exception):
    """Something in the batch needs the record-by-record path."""


def next_batch_size(records: int, encoded: int) -> int:
    """How many records the next batch takes, from the size of the last one."""
    per = max(1, encoded // max(1, records))
    return max(16, min(MAX_BATCH, TARGET // per))


class LineEncoder:
    """Encodes batches of records of member ``name`` into JSON Lines (each ends with ``\\n``),
    validating them with ``check`` (None: no schema check, JSON and line rules only)."""

    def __init__(self, name: str, check: RecordChecker | None) -> None:
        self.name = name
        self.check = check

    def encode(self, batch: list[Record], first: int) -> bytes:
        """The JSON Lines of ``batch``, whose first record is line ``first`` (1-based)."""
        try:
            return self._fast(batch)
        except _Slow:
            return self._slow(batch, first)

    def _fast(self, batch: list[Record]) -> bytes:
        kinds = set(map(type, batch))
        check = self.check
        if kinds == {dict}:
            if check is not None and not check.all_valid(batch):
                raise _Slow
            try:
                lines = list(map(_dumps_line, batch))
            except orjson.JSONEncodeError:
                raise _Slow from None
            if max(map(len, lines)) > MAX_LINE + 1:  # orjson never writes a raw newline
                raise _Slow
            return b"".join(lines)
        if kinds == {bytes}:
            raw: list[bytes] = batch  # type: ignore[assignment]
            stripped = [line[:-1] if line.endswith(b"\n") else line for line in raw]
            blob = b"\n".join(stripped) + b"\n"
            if blob.count(b"\n") != len(stripped) or max(map(len, stripped)) > MAX_LINE:
                raise _Slow
            if check is not None:
                with collector_paused():
                    try:
                        valid = check.all_valid(list(map(orjson.loads, stripped)))
                    except orjson.JSONDecodeError:
                        valid = False
                if not valid:
                    raise _Slow
            return blob
        raise _Slow

    def _slow(self, batch: list[Record], first: int) -> bytes:
        out: list[bytes] = []
        check = self.check
        for offset, item in enumerate(batch):
            count = first + offset
            try:
                if isinstance(item, bytes | bytearray):
                    line = bytes(item[:-1] if item.endswith(b"\n") else item)
                    if check is not None:
                        check(orjson.loads(line))
                else:
                    if check is not None:
                        check(item)
                    line = orjson.dumps(item)
            except (orjson.JSONDecodeError, orjson.JSONEncodeError) as exc:
                raise self._error(f"{count} 行目が JSON ではありません") from exc
            except RecordInvalid as exc:
                raise self._error(f"{count} 行目: {exc}") from exc
            if len(line) > MAX_LINE or b"\n" in line:
                raise self._error(f"{count} 行目が長すぎるか改行を含みます")
            out.append(line)
            out.append(b"\n")
        return b"".join(out)

    def _error(self, detail: str) -> PackageError:
        return PackageError("E_RECORD_SCHEMA", f"{self.name} の {detail}", step="build")


class Overlong(Exception):
    """A line longer than ``MAX_LINE``."""


class LineChecker:
    """Checks the complete lines of one member block by block (``check``: the member's schema)."""

    def __init__(self, check: RecordChecker) -> None:
        self.check = check

    def first_bad(self, lines: list[bytes]) -> tuple[int, Exception] | None:
        """(index, reason) of the first line that is too long, not JSON or not valid."""
        if lines and max(map(len, lines)) <= MAX_LINE:
            with collector_paused():
                try:
                    objs = list(map(orjson.loads, lines))
                except orjson.JSONDecodeError:
                    objs = None
                valid = objs is not None and self.check.all_valid(objs)
                del objs
            if valid:
                return None
        for index, line in enumerate(lines):
            try:
                if len(line) > MAX_LINE:
                    raise Overlong()
                self.check(orjson.loads(line))
            except (orjson.JSONDecodeError, RecordInvalid, Overlong) as exc:
                return index, exc
        return None
