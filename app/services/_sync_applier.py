"""How the records of a server package are applied one by one (``app.services._sync_apply``
runs it, inside the caller's transaction).

A record is written when its version is newer than the stored one. When the stored record has a
local change the server has not acknowledged and the incoming one differs, both go to the
conflict queue: for terminal records (results, postponements, issuances) the local one stays until
a person decides; for records the server owns (residents, personal numbers, institutions, vaccines,
lots) the server's version is applied and the local one is kept in the queue for review. A record
that breaks a business rule (unknown reference, invalid personal number, a uniqueness rule) is
quarantined alone with the reason. Personal numbers are sealed under NK before anything is stored.

Records are read a chunk at a time: the stored rows and references of the chunk in a few queries,
new records inserted in batches, and the updates of stored rows written when the chunk is done,
in row-id order, so that the pages of a big register are written in sequence rather than at
random (a uid met twice in a chunk, or a batch that a waiting update may unblock, writes the
waiting updates first). When one of the waiting updates changes a value under a UNIQUE
constraint (a 宛名番号 moving from one resident to another), they are written in package order
instead, and before the next new records, so that what the constraint refuses is what one-by-one
would give. A big page cache and a paused cyclic collector for the whole package.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from app.domain.ids import is_valid_mynumber
from app.errors import VaxDeskError
from app.security.person_numbers import NumberCipher
from app.services._sync_records import (
    PACKAGE_TYPES,
    REF_FIELDS,
    REF_TYPES,
    SERVER_OWNED,
    Incoming,
    from_envelope,
    ref_uid_bytes,
    to_envelope,
    uid_bytes,
)
from app.store import db, sync_apply, sync_outbox

REF_CACHE = 200_000
BATCH = 2000


class NumberKeyNeeded(VaxDeskError):
    code = "E_SYNC_NUMBER_KEY"
    message_ja = "個人番号を含むパッケージは番号利用事務担当のセッションでのみ取り込めます。"
    exit_code = 77


@dataclass
class ApplyStats:
    applied: int = 0
    unchanged: int = 0
    quarantined: int = 0
    conflicts: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    purged: int = 0  # records removed by the package's purge records (retention)

    @property
    def total(self) -> int:
        return self.applied + self.unchanged + self.quarantined + self.conflicts


class Applier:
    def __init__(
        self, conn: db.Connection, package_id: str, party_id: str, cipher: NumberCipher | None
    ) -> None:
        self.conn, self.package_id, self.party_id, self.cipher = conn, package_id, party_id, cipher
        self.stats = ApplyStats()
        self._cols: dict[str, tuple[str, ...]] = {}
        self._at: dict[str, tuple[int, int]] = {}  # positions of version and origin in cols
        self._unacked: dict[str, set[bytes]] = {}
        self._refs: dict[tuple[str, Any], int] = {}
        # New records wait here and go in with one executemany (same type, in order).
        self._batch: list[tuple[Incoming, dict[str, Any], dict[str, Any]]] = []
        self._batch_uids: set[bytes] = set()
        # The stored rows of the chunk being applied, read in one query (uid → (id, values) or
        # None when not stored); an entry is used once, a later record of the same uid reads
        # the register again.
        self._stored: dict[bytes, tuple[int, tuple[Any, ...]] | None] = {}
        self._kana_keys: dict[str, str] = {}  # name_kana → kana_key of the chunk's stored rows
        # Updates of stored rows wait here until the chunk is done, then go in row-id order
        # (sequential page writes instead of random ones); a uid met twice writes them first.
        self._updates: list[tuple[int, Incoming, dict[str, Any], dict[str, Any], Any, bool]] = []
        self._unique: dict[str, list[tuple[str, int]] | None] = {}  # UNIQUE columns, positions
        self._moving = False  # a waiting update changes a UNIQUE value

    def prefetch(self, package_type: str, envelopes: list[dict[str, Any]]) -> None:
        """Read the stored rows and the referenced ids of a chunk of ``package_type`` records
        with a few queries instead of several per record."""
        self.finish()  # records still waiting are then found as stored
        rtype = PACKAGE_TYPES[package_type]
        uids: list[bytes] = []
        refs: dict[str, set[bytes]] = {}
        ref_fields = REF_FIELDS.get(rtype, {})
        for envelope in envelopes:
            try:
                uids.append(uid_bytes(envelope["uid"]))
                data = envelope["data"]
                for field, column in ref_fields.items():
                    value = data.get(field)
                    if value is not None and column in REF_TYPES:
                        ref = ref_uid_bytes(value)
                        if (column, ref) not in self._refs:
                            refs.setdefault(column, set()).add(ref)
            except (KeyError, TypeError, ValueError):
                continue  # from_envelope meets it again and reports it as before
        rows = sync_apply.current_rows(self.conn, rtype, uids, self.cols(rtype))
        self._stored = {uid: rows.get(uid) for uid in uids}
        self._kana_keys = {}
        if rtype == "person" and rows:
            cols = self.cols(rtype)
            i_name, i_key = cols.index("name_kana"), cols.index("kana_key")
            self._kana_keys = {v[i_name]: v[i_key] for _, v in rows.values()}
        if len(self._refs) >= REF_CACHE:
            self._refs.clear()  # bounded memory on initial loads
        for column, wanted in refs.items():
            found = sync_apply.ids_of_uids(self.conn, REF_TYPES[column], list(wanted))
            self._refs.update(((column, ref), row_id) for ref, row_id in found.items())

    def _lookup(self, inc: Incoming) -> tuple[sync_apply.Stored | None, tuple[Any, ...] | None]:
        """The stored version of ``inc`` (and its values when prefetched)."""
        if inc.uid in self._stored:
            hit = self._stored.pop(inc.uid)
            if hit is None:
                return None, None
            row_id, current = hit
            i_version, i_origin = self._at[inc.record_type]
            return sync_apply.Stored(
                row_id, str(current[i_version]), str(current[i_origin])
            ), current
        self.flush_updates()  # a uid met again in the chunk: its first update is written
        return sync_apply.lookup(self.conn, inc.record_type, inc.uid), None

    def cols(self, record_type: str) -> tuple[str, ...]:
        if record_type not in self._cols:
            cols = sync_apply.columns(self.conn, sync_outbox.RECORD_TABLES[record_type])
            self._cols[record_type] = cols
            self._at[record_type] = (cols.index("version"), cols.index("origin"))
        return self._cols[record_type]

    def unacked(self, record_type: str) -> set[bytes]:
        if record_type not in self._unacked:
            self._unacked[record_type] = sync_outbox.unacked_uids(self.conn, record_type)
        return self._unacked[record_type]

    def _stored_json(self, envelope: dict[str, Any]) -> str:
        if envelope.get("type") == "person_number" and "number" in envelope.get("data", {}):
            envelope = json.loads(json.dumps(envelope))
            number = envelope["data"].pop("number")
            if self.cipher is not None:
                sealed = self.cipher.encrypt(b"sync-quarantine", number)
                envelope["data"]["number_sealed"] = base64.b64encode(sealed).decode("ascii")
        return json.dumps(envelope, ensure_ascii=False, sort_keys=True)

    def quarantine(self, inc: Incoming, envelope: dict[str, Any], code: str, reason: str) -> None:
        sync_apply.quarantine_record(
            self.conn,
            package_id=self.package_id,
            record_type=inc.package_type,
            uid=inc.uid,
            version=inc.version,
            code=code,
            reason=reason,
            envelope=self._stored_json(envelope),
        )
        self.stats.quarantined += 1

    def _ref_id(self, column: str, ref: Any) -> int | None:
        key = (column, ref)
        found = self._refs.get(key)
        if found is None:
            if column == "vaccine_id":
                found = sync_apply.vaccine_id_of_product(self.conn, str(ref))
            else:
                found = sync_apply.id_of_uid(self.conn, REF_TYPES[column], ref)
            if found is not None:
                if len(self._refs) >= REF_CACHE:
                    self._refs.clear()  # bounded memory on initial loads
                self._refs[key] = found
        return found

    def _resolve(self, inc: Incoming) -> tuple[dict[str, Any], str | None]:
        resolved: dict[str, Any] = {}
        cached = self._refs.get
        for column, ref in inc.refs.items():
            if ref is None:
                resolved[column] = None
                continue
            found = cached((column, ref))
            if found is None:
                found = self._ref_id(column, ref)
            if found is None and self._batch:
                self.flush()  # it may be waiting in the batch (a guardian, say)
                found = self._ref_id(column, ref)
            if found is None:
                return {}, f"参照先（{column}）が台帳にありません"
            resolved[column] = found
        return resolved, None

    def _counted(self, inc: Incoming) -> None:
        self.stats.applied += 1
        self.stats.by_type[inc.package_type] = self.stats.by_type.get(inc.package_type, 0) + 1

    def flush(self) -> None:
        """Write the waiting new records: one executemany, or one by one if any is refused."""
        if not self._batch:
            return
        if self._moving:  # a waiting update may take a value a new record also wants
            self.flush_updates()
        batch, self._batch = self._batch, []
        self._batch_uids.clear()
        rtype = batch[0][0].record_type
        cols = self.cols(rtype)
        rows = [(inc.uid, *map(values.get, cols)) for inc, _, values in batch]
        if sync_apply.insert_many(self.conn, rtype, rows, cols):
            for inc, _, _ in batch:
                self._counted(inc)
            return
        self.flush_updates()  # an update waiting may free a unique value (a 宛名番号)
        for inc, envelope, values in batch:
            row_id, refused = sync_apply.try_upsert(self.conn, rtype, inc.uid, values, cols)
            if row_id is None:
                self.quarantine(inc, envelope, "E_SYNC_CONSTRAINT", refused or "")
            else:
                self._counted(inc)

    def flush_updates(self) -> None:
        """Write the waiting updates in row-id order (package order within one row)."""
        if not self._updates:
            return
        updates, self._updates = self._updates, []
        if not self._moving:
            updates.sort(key=lambda u: u[0])  # else package order: a 宛名番号 may move
        self._moving = False
        for row_id, inc, envelope, values, current, server_wins in updates:
            got, refused = sync_apply.try_upsert(
                self.conn,
                inc.record_type,
                inc.uid,
                values,
                self.cols(inc.record_type),
                row_id,
                current,
            )
            if got is None:
                if server_wins:
                    self.stats.conflicts -= 1
                self.quarantine(inc, envelope, "E_SYNC_CONSTRAINT", refused or "")
            else:
                self._counted(inc)

    def _moves_unique(
        self, inc: Incoming, values: dict[str, Any], current: tuple[Any, ...] | None
    ) -> bool:
        """Whether the update may change a value under a UNIQUE constraint: then the waiting
        updates are written in package order, since one may free a value another takes."""
        rtype = inc.record_type
        if rtype not in self._unique:
            table = sync_outbox.RECORD_TABLES[rtype]
            unique = sync_apply.unique_columns(self.conn, table)
            cols = self.cols(rtype)
            self._unique[rtype] = None if unique is None else [(c, cols.index(c)) for c in unique]
        at = self._unique[rtype]
        if at is None or current is None:
            return True
        return any(c in values and values[c] != current[i] for c, i in at)

    def finish(self) -> None:
        """Everything waiting written (new records, then updates)."""
        self.flush()
        self.flush_updates()

    def _local_envelope(self, inc: Incoming) -> dict[str, Any] | None:
        rows = list(sync_outbox.read_records(self.conn, inc.record_type, [inc.uid]))
        if not rows:
            return None
        return to_envelope(rows[0], party_id=self.party_id, cipher=self.cipher)[1]

    def write(self, envelope: dict[str, Any]) -> str | None:
        """Write ``envelope`` as it is (a person's conflict resolution); returns the problem."""
        inc = from_envelope(envelope)
        resolved, problem = self._resolve(inc)
        if problem is not None:
            return problem
        values = {
            **inc.values,
            **resolved,
            "version": inc.version,
            "origin": inc.origin,
            "voided_at": inc.voided_at,
            "void_reason": inc.void_reason,
        }
        stored = sync_apply.lookup(self.conn, inc.record_type, inc.uid)
        _, refused = sync_apply.try_upsert(
            self.conn,
            inc.record_type,
            inc.uid,
            values,
            self.cols(inc.record_type),
            None if stored is None else stored.id,
        )
        return refused

    def apply(self, envelope: dict[str, Any]) -> None:
        inc = from_envelope(envelope, self._kana_keys)
        if self._batch and (
            inc.uid in self._batch_uids or self._batch[0][0].record_type != inc.record_type
        ):
            self.flush()
        stored, current = self._lookup(inc)
        if stored is not None and stored.version >= inc.version:
            self.stats.unchanged += 1
            return
        resolved, problem = self._resolve(inc)
        if problem is not None:
            self.quarantine(inc, envelope, "E_SYNC_REFERENCE", problem)
            return
        values = inc.values  # from_envelope's own copy: completed in place
        values.update(resolved)
        values["version"] = inc.version
        values["origin"] = inc.origin
        values["voided_at"] = inc.voided_at
        values["void_reason"] = inc.void_reason
        if inc.record_type == "person_number":
            if inc.number is None or not is_valid_mynumber(inc.number):
                self.quarantine(inc, envelope, "E_SYNC_MYNUMBER", "個人番号の検査数字が不正です")
                return
            if self.cipher is None:
                raise NumberKeyNeeded()
            person_uid = envelope_person_uid(envelope)
            values["number_ct"] = self.cipher.encrypt(person_uid, inc.number)
            values["blind_index"] = self.cipher.blind_index(inc.number)
        if stored is None:
            self._batch.append((inc, envelope, values))
            self._batch_uids.add(inc.uid)
            if len(self._batch) >= BATCH:
                self.flush()
            return
        self.flush()
        server_wins = False
        if inc.uid in self.unacked(inc.record_type):
            local = self._local_envelope(inc)
            if local is not None and (local["data"], local["voided"]) != (
                envelope["data"],
                envelope["voided"],
            ):
                sync_apply.add_conflict(
                    self.conn,
                    record_type=inc.record_type,
                    uid=inc.uid,
                    package_id=self.package_id,
                    local_version=stored.version,
                    local_data=self._stored_json(local),
                    incoming_version=inc.version,
                    incoming_origin=inc.origin,
                    incoming_data=self._stored_json(envelope),
                    resolution="server" if inc.record_type in SERVER_OWNED else None,
                )
                self.stats.conflicts += 1
                if inc.record_type not in SERVER_OWNED:
                    return
                server_wins = True
        self._updates.append((stored.id, inc, envelope, values, current, server_wins))
        self._moving = self._moving or self._moves_unique(inc, values, current)


def envelope_person_uid(envelope: dict[str, Any]) -> bytes:
    from app.services._sync_records import uid_bytes

    return uid_bytes(envelope["data"]["person_uid"])
