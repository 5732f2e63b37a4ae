"""The line path of an ``initial`` load: chunks of package lines go into the register as they are,
SQLite taking the columns out of the JSON (``app.store.initial_load``); Python parses a line only
where it must (a person's kana key, the records the line path cannot take).

A record type takes this path when every field its schema allows has a column (the schemas
forbid other fields, so every line of the type then fits). Everything else, and every record
from the first one the insert cannot take (a reference not in the register yet, a chunk that
breaks a constraint), goes through the row builder and the general path exactly as before.

With a ``Stager`` (``_sync_initial.STAGED``) the read-ahead thread also takes the columns out of
the chunk's JSON, into a slot (each slot its own private in-memory staging database:
``app.store.initial_stage``); the applying thread then inserts from that slot, by the same
statement otherwise. A chunk SQLite refuses to stage, or one the reader did not prepare, takes
the JSON statement on the applying thread as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from app.domain.kana import normalize_kana
from app.services._stage_slots import SlotHandover
from app.services._sync_applier import REF_CACHE
from app.services._sync_records import REF_TYPES as SYNC_REF_TYPES
from app.store import db, initial_load, sync_apply
from app.store.initial_load import Column
from app.store.initial_stage import SLOTS, StageRing
from app.sync import schemas

# column → referenced record type (``vaccine_id`` names a vaccine by its product id)
REF_TYPES = {**SYNC_REF_TYPES, "vaccine_id": "vaccine"}
_DERIVED: dict[str, tuple[Column, ...]] = {
    "person": (Column("kana_key", "param"),),
    "vaccination": (Column("outcome", "const", value="given"), Column("postpone_reason", "const")),
}

Fallback = Callable[[str, list[dict[str, Any]]], None]


def column_sources(
    rtype: str,
    plain: tuple[str, ...],
    bools: tuple[str, ...],
    ref_fields: tuple[str, ...],
    ref_columns: tuple[str, ...],
) -> tuple[Column, ...]:
    """Where each column of a ``rtype`` row comes from (the row builder's column order)."""
    return (
        Column("id", "id"),
        Column("uid", "uid"),
        Column("version", "env", field="version"),
        Column("origin", "env", field="origin"),
        Column("voided_at", "voided_at"),
        Column("void_reason", "void_reason"),
        *(Column(c, "data", field=c) for c in plain),
        *(Column(c, "bool", field=c) for c in bools),
        *(
            Column(c, "ref", field=f, ref_type=REF_TYPES[c])
            for f, c in zip(ref_fields, ref_columns, strict=True)
        ),
        *_DERIVED.get(rtype, ()),
    )


def fits(rtype: str, fields: frozenset[str]) -> bool:
    """True when every data field the schema of ``rtype`` allows has a column."""
    data = schemas.record_schema(rtype)["properties"]["data"]
    allowed = set(data.get("properties", {}))
    return data.get("additionalProperties") is False and allowed <= fields


class Stager(SlotHandover):
    """The staging ring of a load (``app.store.initial_stage``) and the hand-over of its slots
    (``_stage_slots``)."""

    ring: StageRing

    def __init__(self, conn: db.Connection, specs: dict[str, tuple[Column, ...]]) -> None:
        super().__init__(StageRing(conn, specs), SLOTS)


class LinePath:
    """Chunks of one record type's lines into the register (see the module docstring)."""

    def __init__(self, conn: db.Connection, rtype: str, sources: tuple[Column, ...]) -> None:
        self.conn, self.rtype = conn, rtype
        self.inserter = initial_load.JsonInserter(conn, rtype, sources)
        self.stager: Stager | None = None
        self._kana: dict[str, str] = {}

    def _kana_keys(self, lines: list[bytes]) -> str:
        keys = []
        known = self._kana
        for line in lines:
            name = orjson.loads(line)["data"]["name_kana"]
            key = known.get(name)
            if key is None:
                if len(known) >= REF_CACHE:
                    known.clear()
                key = known[name] = normalize_kana(name)
            keys.append(key)
        return orjson.dumps(keys).decode()

    def _extra(self, lines: list[bytes]) -> str:
        return self._kana_keys(lines) if self.rtype == "person" else ""

    def prepare(self, lines: list[bytes]) -> tuple[bytes | None, str, int | None]:
        """The chunk as the insert takes it: (the lines as one JSON array, the derived column
        values as another, None), or with a ``stager``, its columns staged: (None, "", the
        slot) (the array when SQLite refused to stage it). No register access: may run on
        another thread (one at a time)."""
        extra = self._extra(lines)
        text = b"[" + b",".join(lines) + b"]"
        if self.stager is not None:
            slot = self.stager.stage(self.rtype, text, extra)
            if slot is not None:
                return None, "", slot
        return text, extra, None

    def insert(
        self,
        lines: list[bytes],
        rest: Fallback,
        whole: Fallback,
        prepared: tuple[bytes | None, str, int | None] | None = None,
    ) -> int:
        """Insert ``lines`` (``prepared`` by ``prepare``, or prepared here); the records after the
        first the insert cannot take go to ``rest``, a chunk that breaks a constraint to
        ``whole`` (parsed). Returns the rows inserted here."""
        first = sync_apply.next_row_id(self.conn, self.rtype)
        if prepared is not None and prepared[2] is not None and self.stager is not None:
            source = self.stager.ring.source(self.rtype, prepared[2])
            try:
                done = self.inserter.insert(self.conn, None, len(lines), first, "", source)
            finally:
                self.stager.release()
        else:
            if prepared is None or prepared[0] is None:
                text, extra = b"[" + b",".join(lines) + b"]", self._extra(lines)
            else:
                text, extra = prepared[0], prepared[1]
            done = self.inserter.insert(self.conn, text, len(lines), first, extra)
        if done < 0:
            whole(self.rtype, list(map(orjson.loads, lines)))
            return 0
        if done < len(lines):
            rest(self.rtype, list(map(orjson.loads, lines[done:])))
        return done
