"""Apply an ``initial`` package (a full load, PACKAGE-FORMAT.md §4) inside the caller's transaction.

An initial package is applied only to a register that holds no synced record yet (otherwise
E_SYNC_INITIAL_NOT_EMPTY and nothing changes). Into an empty register the records go in a chunk
of package lines at a time, straight from the JSON by one statement per chunk (the line path,
``_initial_lines``), with row ids given and references resolved in SQL; where a record type
does not take the line path, as rows built by the row builder here with one ``executemany``.
The chunks are read (inflated, split, joined into the statement's JSON array, their columns
taken out into an in-memory staging table: ``STAGED``) a few ahead on a worker thread
(``_initial_reader``), beside the thread that checks the lines. The indexes stay live: the package lists records in an order that makes most index updates
appends (uids are time-ordered, vaccinations come person by person), and the others are
bounded by a fixed page cache, so memory does not grow with the register (no sort of a whole
index at the end). All in the one transaction, so a crash leaves the register as it was. Every
record neither bulk path can take as it is (a personal number, a postponement, an unknown
reference, a uid seen before, a chunk a constraint refuses) goes through the general
``Applier`` in package order, with the same version comparison, quarantine and conflict rules
as an ``updates`` package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from app.domain.kana import normalize_kana
from app.errors import VaxDeskError
from app.security.person_numbers import NumberCipher
from app.services._bulk import bulk_apply
from app.services._initial_lines import LinePath, Stager, column_sources, fits
from app.services._initial_reader import ChunkReader
from app.services._sync_applier import REF_CACHE, Applier, ApplyStats, NumberKeyNeeded
from app.services._sync_apply import (
    TICK,
    CancelCheck,
    ImportCancelled,
    Progress,
    needs_number_key,
    record_count,
    with_verdict,
)
from app.services._sync_records import (
    BOOLEAN_FIELDS,
    REF_FIELDS,
    REF_TYPES,
    ref_uid_bytes,
    uid_bytes,
)
from app.store import bulk, db, sync_apply, sync_outbox
from app.sync.opened import OpenedPackage
from app.sync.schemas import RECORD_TYPES

# Record types the row builder takes (personal numbers are sealed and postponements reshaped by
# the general path); register columns derived here rather than carried.
FAST_TYPES = frozenset(
    {"household", "person", "institution", "vaccine", "lot", "issuance", "vaccination"}
)
_DERIVED = {"person": ("kana_key",), "vaccination": ("outcome", "postpone_reason")}
_ENVELOPE = ("version", "origin", "voided_at", "void_reason")
LOAD_CHUNK = 5000  # records per executemany (and per reference look-up)
LINE_PATH = True
# The line path's columns taken out of the JSON on the read-ahead thread, into private
# in-memory staging databases, one per slot (app.store.initial_stage); False: on the
# applying thread.
STAGED = True
# MiB of page cache for the load: the indexes whose keys arrive in random order (by birth date,
# kana, the season list) are updated in place; what does not fit is spilled and read back.
LOAD_CACHE_MIB = 768


class InitialNotEmpty(VaxDeskError):
    code = "E_SYNC_INITIAL_NOT_EMPTY"


class _RowBuilder:
    """Envelope → insert row (id, uid, envelope columns, plain fields, booleans, references,
    derived columns) of one record type, with its column lists worked out once."""

    def __init__(self, conn: db.Connection, rtype: str) -> None:
        self.rtype = rtype
        table = sync_outbox.RECORD_TABLES[rtype]
        cols = sync_apply.columns(conn, table)
        refs = REF_FIELDS.get(rtype, {})
        # the data fields and register columns of the references, in the same order
        self.ref_fields, self.ref_columns = tuple(refs), tuple(refs.values())
        # columns through which a record of this type names another of the same type
        self.self_refs = tuple(c for c in refs.values() if REF_TYPES.get(c) == rtype)
        self.bools = BOOLEAN_FIELDS.get(rtype, ())
        derived = _DERIVED.get(rtype, ())
        taken = set(_ENVELOPE) | set(refs.values()) | set(self.bools) | set(derived)
        self.plain = tuple(c for c in cols if c not in taken)
        self.fields = frozenset((*self.plain, *self.bools, *refs))
        self.names = (
            "id",
            "uid",
            *_ENVELOPE,
            *self.plain,
            *self.bools,
            *self.ref_columns,
            *derived,
        )
        missing = set(cols) - set(self.names)
        if missing:
            raise ValueError(f"columns without a source in {table}: {sorted(missing)}")
        self._kana: dict[str, str] = {}

    def row(
        self, row_id: int, uid: bytes, env: dict[str, Any], ref_ids: list[int | None]
    ) -> tuple[Any, ...]:
        data = env["data"]
        get = data.get
        voided = env.get("voided")
        if voided is None:
            head: tuple[Any, ...] = (row_id, uid, env["version"], env["origin"], None, None)
        else:
            at = voided["at"].replace("T", " ").rstrip("Z")
            head = (row_id, uid, env["version"], env["origin"], at, voided["reason"])
        bools = [1 if get(b) else 0 for b in self.bools]
        rtype = self.rtype
        if rtype == "vaccination":
            return (*head, *map(get, self.plain), *bools, *ref_ids, "given", None)
        if rtype == "person":
            name = data["name_kana"]
            key = self._kana.get(name)
            if key is None:
                if len(self._kana) >= REF_CACHE:
                    self._kana.clear()
                key = self._kana[name] = normalize_kana(name)
            return (*head, *map(get, self.plain), *bools, *ref_ids, key)
        return (*head, *map(get, self.plain), *bools, *ref_ids)


class InitialLoader:
    def __init__(self, conn: db.Connection, applier: Applier) -> None:
        self.conn, self.applier = conn, applier
        self.stats = applier.stats
        # column → referenced uid text (or product id) → row id; bounded
        self._refs: dict[str, dict[str, int]] = {c: {} for c in (*REF_TYPES, "vaccine_id")}
        self._builders: dict[str, _RowBuilder] = {}
        self._line_paths: dict[str, LinePath | None] = {}

    def _builder(self, rtype: str) -> _RowBuilder:
        if rtype not in self._builders:
            self._builders[rtype] = _RowBuilder(self.conn, rtype)
        return self._builders[rtype]

    def _line_path(self, rtype: str) -> LinePath | None:
        if rtype not in self._line_paths:
            path = None
            if rtype in FAST_TYPES and LINE_PATH:
                b = self._builder(rtype)
                if fits(rtype, b.fields):
                    sources = column_sources(rtype, b.plain, b.bools, b.ref_fields, b.ref_columns)
                    path = LinePath(self.conn, rtype, sources)
            self._line_paths[rtype] = path
        return self._line_paths[rtype]

    def preparers(self, types: list[str]) -> dict[str, Callable[[list[bytes]], Any]]:
        """``LinePath.prepare`` of each of ``types`` that takes the line path (for the reader)."""
        paths = {t: self._line_path(t) for t in types}
        return {t: p.prepare for t, p in paths.items() if p is not None}

    def stager(self, types: list[str]) -> Stager | None:
        """The staging ring of the line paths of ``types`` (None when none or ``STAGED`` is
        off), handed to them (before the reader starts)."""
        paths = [p for p in map(self._line_path, types) if p is not None]
        if not STAGED or not paths:
            return None
        stager = Stager(self.conn, {p.rtype: p.inserter.spec for p in paths})
        for p in paths:
            p.stager = stager
        return stager

    def lines(self, package_type: str, lines: list[bytes], prepared: Any = None) -> None:
        """A chunk of package lines: through the line path when the type takes it."""
        path = self._line_path(package_type)
        if path is None:
            self.chunk(package_type, list(map(orjson.loads, lines)))
            return
        self.applier.finish()
        done = path.insert(lines, self._general, self.chunk, prepared)
        if done:
            self.stats.applied += done
            by_type = self.stats.by_type
            by_type[package_type] = by_type.get(package_type, 0) + done

    def _fetch_refs(self, column: str, wanted: set[str]) -> None:
        known = self._refs[column]
        if column == "vaccine_id":
            for product in wanted:
                found = sync_apply.vaccine_id_of_product(self.conn, product)
                if found is not None:
                    known[product] = found
            return
        by_bytes: dict[bytes, str] = {}
        for text in wanted:
            try:
                by_bytes[ref_uid_bytes(text)] = text
            except (TypeError, ValueError):
                continue  # not a uid: the general path reports the record
        got = sync_apply.ids_of_uids(self.conn, REF_TYPES[column], list(by_bytes))
        known.update((by_bytes[uid], row_id) for uid, row_id in got.items())

    def chunk(self, package_type: str, envelopes: list[dict[str, Any]]) -> None:
        """Insert what the row builder takes, in one go; the rest through the general path."""
        if package_type not in FAST_TYPES:
            self._general(package_type, envelopes)
            return
        builder = self._builder(package_type)
        self.applier.finish()
        fields, ref_fields = builder.fields, builder.ref_fields
        parsed: list[tuple[bytes, tuple[Any, ...]] | None] = []
        for env in envelopes:
            try:
                data = env["data"]
                if env["type"] != package_type or not data.keys() <= fields:
                    raise ValueError("not for the row builder")
                parsed.append((uid_bytes(env["uid"]), tuple(map(data.get, ref_fields))))
            except (KeyError, TypeError, ValueError, AttributeError):
                parsed.append(None)
        caches = [self._refs[c] for c in builder.ref_columns]
        for i, column in enumerate(builder.ref_columns):
            if len(caches[i]) >= REF_CACHE:
                caches[i].clear()  # bounded memory
            named = {item[1][i] for item in parsed if item is not None}
            wanted = {v for v in named if type(v) is str} - caches[i].keys()
            if wanted:
                self._fetch_refs(column, wanted)
        # a record may name one earlier in the chunk (a guardian): its id is known once given
        own = [i for i, c in enumerate(builder.ref_columns) if REF_TYPES.get(c) == builder.rtype]
        added: list[tuple[int, str]] = []
        next_id = sync_apply.next_row_id(self.conn, builder.rtype)
        rows: list[tuple[Any, ...]] = []
        row_of, lookup = builder.row, dict.get
        seen: set[bytes] = set()
        for env, item in zip(envelopes, parsed, strict=True):
            if item is None or item[0] in seen:
                break
            uid, refs = item
            try:
                ids = list(map(lookup, caches, refs))
            except TypeError:  # not a uid: the general path reports the record
                break
            if None in ids and any(
                v is not None and r is None for v, r in zip(refs, ids, strict=True)
            ):
                break  # a reference not in the register (yet)
            seen.add(uid)
            rows.append(row_of(next_id, uid, env, ids))
            if own:
                text = env["uid"]
                for i in own:
                    caches[i][text] = next_id
                    added.append((i, text))
            next_id += 1
        # From the first record the row builder cannot take (a reference not in the register
        # yet, a uid seen before, an odd envelope) the chunk goes on record by record in
        # package order, as an ``updates`` package would: a later record never makes an
        # earlier one's reference resolve.
        if rows and not sync_apply.insert_with_ids(self.conn, builder.rtype, builder.names, rows):
            for i, text in added:  # those rows are not there after all
                caches[i].pop(text, None)
            self._general(package_type, envelopes)  # a constraint refused one: one by one
            return
        if rows:
            self.stats.applied += len(rows)
            by_type = self.stats.by_type
            by_type[package_type] = by_type.get(package_type, 0) + len(rows)
        if len(rows) < len(envelopes):
            self._general(package_type, envelopes[len(rows) :])

    def _general(self, package_type: str, envelopes: list[dict[str, Any]]) -> None:
        self.applier.prefetch(package_type, envelopes)
        for envelope in envelopes:
            self.applier.apply(envelope)
        self.applier.finish()


def apply_initial(
    conn: db.Connection,
    opened: OpenedPackage,
    *,
    party_id: str,
    cipher: NumberCipher | None,
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
) -> ApplyStats:
    """Every record of the initial package ``opened`` into this empty register (inside the
    caller's transaction); refuses a register that already holds synced records.

    When ``opened`` is still checking its members (``app.sync.deferred``) the records go in
    meanwhile and the checks are waited for before this returns; any failure here first asks
    the checks for their verdict, so a package that fails them is refused with their code, as
    if they had run first. (A cancel stops at once.)"""
    return with_verdict(
        opened, lambda: _apply_initial(opened, conn, party_id, cipher, progress, cancel)
    )


def _apply_initial(
    opened: OpenedPackage,
    conn: db.Connection,
    party_id: str,
    cipher: NumberCipher | None,
    progress: Progress | None,
    cancel: CancelCheck | None,
) -> ApplyStats:
    if sync_apply.has_synced_records(conn):
        raise InitialNotEmpty()
    if cipher is None and needs_number_key(opened):
        raise NumberKeyNeeded()
    applier = Applier(conn, opened.header.package_id, party_id, cipher)
    loader = InitialLoader(conn, applier)
    total, done = record_count(opened), 0
    present = set(opened.record_types)
    types = [t for t in RECORD_TYPES if t in present]
    with bulk_apply(conn), bulk.page_cache(conn, LOAD_CACHE_MIB):
        # the lines are read, split, joined and their columns staged a few chunks ahead on a
        # worker thread
        preparers = loader.preparers(types)
        stager = loader.stager(types)
        try:
            reader = ChunkReader(opened, types, LOAD_CHUNK, preparers)
            try:
                for item in reader:
                    if item.oversize:  # refused by the checks (which may still be running)
                        opened.verify_records()
                    loader.lines(item.package_type, item.lines, item.prepared)
                    done = _tick(done, len(item.lines), total, progress, cancel)
            finally:
                if stager is not None:
                    stager.stop()
                reader.close()
        finally:
            if stager is not None:
                stager.close()
        applier.finish()
    if progress is not None:
        progress(done, total)
    return applier.stats


def _tick(
    done: int, n: int, total: int, progress: Progress | None, cancel: CancelCheck | None
) -> int:
    if (done + n) // TICK != done // TICK:
        if cancel is not None and cancel():
            raise ImportCancelled()
        if progress is not None:
            progress(done + n, total)
    return done + n
