"""``vaxdesk hub import-residents``: apply the resident master CSV to the central register.

One transaction for the whole file: every good row is applied, every bad row is reported by line
and skipped, and a file that cannot be read as a whole (encoding, header, quoting) changes
nothing. A repeated import applies only differences: each person's imported fields are kept as a
keyed hash (``row_hash``), and the 個人番号 is compared through its blind index, so unchanged rows
are neither rewritten nor given a new version. A provisional 個人番号 (entered at a terminal for a
person the 住民記録 gave none, app/hub/terminal_numbers.py) is confirmed by a row carrying the same
number and replaced by a row carrying another: the 住民記録 system is the authority. Persons
not in the file are left as they are (the file may be a full export or only the 異動 since the
last one).
"""

from __future__ import annotations

import hashlib
import hmac
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection

from app.gcpause import collector_paused
from app.hub.clock import HybridClock, new_uid, utc_now_text
from app.hub.csv_rows import RowError
from app.hub.hub import Hub
from app.hub.residents_csv import Resident, open_csv, read_residents
from app.hub.store import residents as rstore
from app.security.kdf import hkdf

_STATUS = {"転出": "moved_out", "死亡": "deceased"}
_BATCH = 50_000


@dataclass
class ImportResult:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.errors)

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [{"line": e.line, "code": e.code, "column": e.column} for e in self.errors],
        }


def _row_hasher(number_key: bytes) -> Callable[[Resident], bytes]:
    key = hkdf(number_key, salt=b"", info=b"vaxdesk-hub-row-hash-v1")

    def digest(r: Resident) -> bytes:
        return hmac.digest(key, "\x1f".join(r.fields()).encode("utf-8"), "sha256")

    return digest


def _person_tuple(
    r: Resident, uid: bytes, row_hash: bytes, version: str, origin: str, seq: int
) -> tuple[Any, ...]:
    status = _STATUS.get(r.event or "", "active")
    return (
        uid,
        r.atena_no,
        r.name,
        r.name_kana,
        r.kana_key,
        r.sex,
        r.birth_date,
        r.address,
        r.household_no,
        r.relationship,
        status,
        r.event_date if r.event == "転入" else None,
        r.event_date if r.event == "転出" else None,
        r.event_date if r.event == "死亡" else None,
        r.event,
        r.event_date,
        row_hash,
        version,
        origin,
        None,
        None,
        seq,
    )


def import_residents(
    hub: Hub,
    path: Path,
    *,
    today: date | None = None,
    known_uids: Mapping[str, bytes] | None = None,
    known_number_uids: Mapping[str, bytes] | None = None,
) -> ImportResult:
    """Apply the CSV at ``path``. ``known_uids`` (宛名番号 → uid) gives persons new to the hub
    the uid they already have elsewhere (the demo: the terminal's register was made first);
    ``known_number_uids`` (宛名番号 → uid) likewise for their 個人番号 records."""
    file_hash = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            file_hash.update(chunk)
    return _import_stream(
        hub, open_csv(path), file_hash.hexdigest(), today, known_uids, known_number_uids
    )


def import_residents_text(
    hub: Hub,
    text: str,
    *,
    today: date | None = None,
    known_uids: Mapping[str, bytes] | None = None,
    known_number_uids: Mapping[str, bytes] | None = None,
) -> ImportResult:
    """:func:`import_residents` of CSV text held in memory (the demo hub: its 個人番号 must never
    reach the disk in plain text)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    stream = io.StringIO(text, newline="")
    return _import_stream(hub, stream, digest, today, known_uids, known_number_uids)


def _import_stream(
    hub: Hub,
    stream: IO[str],
    file_digest: str,
    today: date | None,
    known_uids: Mapping[str, bytes] | None,
    known_number_uids: Mapping[str, bytes] | None,
) -> ImportResult:
    today = today or date.today()
    result = ImportResult()
    store = hub.store
    row_hash = _row_hasher(hub.secrets.number_key)
    origin = hub.hub_id
    try:
        with collector_paused(), store.begin() as conn:
            width = int(store.get_meta(conn, "atena_width") or 10)
            clock = HybridClock(origin, store.get_meta(conn, "hlc_last"))
            existing = rstore.existing_persons(conn)
            # into an empty register: build the plain indexes once at the end
            deferred = rstore.drop_secondary_indexes(conn) if not existing else []
            rows = read_residents(stream, width, today)
            for batch in _batches(rows):
                _apply_batch(
                    conn,
                    hub,
                    batch,
                    existing,
                    clock,
                    row_hash,
                    result,
                    (known_uids or {}, known_number_uids or {}),
                )
            rstore.create_indexes(conn, deferred)
            store.set_meta(conn, "hlc_last", clock.last)
            rstore.record_import_run(
                conn,
                utc_now_text(),
                file_digest,
                result.rows + result.rejected,
                result.inserted,
                result.updated,
                result.unchanged,
                result.rejected,
            )
    finally:
        stream.close()
    return result


def _apply_batch(
    conn: Connection,
    hub: Hub,
    batch: list[Resident | RowError],
    existing: rstore.Existing,
    clock: HybridClock,
    row_hash: Callable[[Resident], bytes],
    result: ImportResult,
    given_uids: tuple[Mapping[str, bytes], Mapping[str, bytes]],
) -> None:
    known_uids, known_number_uids = given_uids
    numbers = hub.numbers()
    plans: list[
        tuple[Resident, bytes, bytes, bytes | None, tuple[bytes, bytes, bytes | None, bool] | None]
    ] = []
    for item in batch:
        if isinstance(item, RowError):
            result.errors.append(item)
            continue
        result.rows += 1
        h = row_hash(item)
        blind = numbers.blind_index(item.mynumber) if item.mynumber else None
        known = existing.get(item.atena_no)
        if (
            known is not None
            and known[1] == h
            and (blind is None or (blind == known[2] and not known[3]))
        ):
            result.unchanged += 1
            continue
        plans.append(
            (
                item,
                known[0] if known else known_uids.get(item.atena_no) or new_uid(),
                h,
                blind,
                known,
            )
        )
    if not plans:
        return
    new_p: list[tuple[Any, ...]] = []
    upd_p: list[tuple[Any, ...]] = []
    new_n: list[tuple[Any, ...]] = []
    upd_n: list[tuple[Any, ...]] = []
    seq = hub.store.allocate_change_seq(conn, len(plans))
    versions = clock.next_many(len(plans))
    for (r, uid, h, blind, known), version in zip(plans, versions, strict=True):
        person = _person_tuple(r, uid, h, version, hub.hub_id, seq)
        if known is None:
            new_p.append(person)
            result.inserted += 1
        else:
            result.updated += 1
            if known[1] != h:
                upd_p.append(person)
        confirmed = False
        if r.mynumber and blind is not None and (known is None or blind != known[2] or known[3]):
            # new, changed, or a provisional one confirmed/replaced by the 住民記録
            sealed = numbers.encrypt(uid, r.mynumber)
            confirmed = True
            if known is not None and known[2] is not None:
                upd_n.append((uid, sealed, blind, version, seq, None, None, None, None))
            else:
                number_uid = known_number_uids.get(r.atena_no) or new_uid()
                new_n.append((uid, number_uid, sealed, blind, version, seq))
        existing[r.atena_no] = (
            uid,
            h,
            blind if blind is not None else (known[2] if known else None),
            False if confirmed else bool(known and known[3]),
        )
        seq += 1
    rstore.insert_persons(conn, new_p)
    rstore.update_persons(conn, upd_p)
    rstore.insert_numbers(conn, new_n)
    rstore.update_numbers(conn, upd_n)


def _batches(rows: Iterator[Resident | RowError]) -> Iterator[list[Resident | RowError]]:
    batch: list[Resident | RowError] = []
    for item in rows:
        batch.append(item)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
