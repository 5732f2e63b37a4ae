"""``vaxdesk hub import-masters``: the municipality's masters into the hub, which sends them on.

Institutions (医療機関) and the vaccine catalog (ワクチン) are server-owned (issue 9): terminals do
not edit them, they receive them. Lots (ロット) are entered at the counter too; the hub keeps the
ones it is given here and the ones terminals send (app/hub/masters_in.py) and sends every one to
every terminal. Masters are ``records`` rows (type ``institution`` / ``vaccine`` / ``lot``), so
``emit`` carries them in ``initial`` and ``updates`` like every record, masters before the
records that name them (PACKAGE-FORMAT.md record type order).

One transaction per file: good rows are applied, bad rows reported by line and skipped
(app/hub/masters_csv.py), a file that cannot be read changes nothing. A repeated import applies
only differences: a master whose fields equal the stored ones keeps its version; a changed one gets
a new version (and goes to every terminal). Masters not in the file are left as they are. Each
import is one ``hub_audit`` entry (``masters.import``: file hash and counts).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from app.hub.clock import HybridClock, new_uid, utc_now_text
from app.hub.csv_rows import RowError
from app.hub.hub import Hub
from app.hub.masters_csv import MasterRow, open_masters_csv, read_masters
from app.hub.store import masters as mstore
from app.hub.store import sync_state as sstore

AUDIT_ACTION = "masters.import"


@dataclass
class MasterImportResult:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    by_type: dict[str, int] = field(default_factory=dict)  # inserted + updated per type

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
            "by_type": dict(sorted(self.by_type.items())),
            "errors": [{"line": e.line, "code": e.code, "column": e.column} for e in self.errors],
        }


def master_key(record_type: str, data: dict[str, Any]) -> tuple[str, ...]:
    """The natural key of a master record: 医療機関コード, product id, (product id, lot number)."""
    if record_type == "institution":
        return (str(data.get("code")),)
    if record_type == "vaccine":
        return (str(data.get("product_id")),)
    return (str(data.get("product_id")), str(data.get("lot_no")))


def import_masters(hub: Hub, path: Path) -> MasterImportResult:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return _import_stream(hub, open_masters_csv(path), digest)


def import_masters_text(hub: Hub, text: str) -> MasterImportResult:
    """:func:`import_masters` of CSV text held in memory (the demo hub)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _import_stream(hub, io.StringIO(text, newline=""), digest)


def _same(stored: mstore.StoredMaster, row: MasterRow) -> bool:
    return stored.voided_at is None and all(stored.data.get(k) == v for k, v in row.data.items())


def _import_stream(hub: Hub, stream: IO[str], digest: str) -> MasterImportResult:
    result = MasterImportResult()
    store = hub.store
    try:
        with store.begin() as conn:
            items = list(read_masters(stream))  # a master file is small
            by_key: dict[tuple[str, tuple[str, ...]], mstore.StoredMaster] = {}
            uids: set[bytes] = set()
            for rtype in mstore.MASTER_TYPES:
                for m in mstore.masters_of(conn, rtype):
                    by_key[(rtype, master_key(rtype, m.data))] = m
                    uids.add(m.uid)
            vaccines = {k[0] for (t, k) in by_key if t == "vaccine"}
            vaccines |= {
                r.key[0] for r in items if isinstance(r, MasterRow) and r.record_type == "vaccine"
            }
            plans: list[tuple[MasterRow, bytes, bool]] = []  # row, uid, is new
            for item in items:
                if isinstance(item, RowError):
                    result.errors.append(item)
                    continue
                error = _check(item, by_key, uids, vaccines)
                if error is not None:
                    result.errors.append(error)
                    continue
                result.rows += 1
                current = by_key.get((item.record_type, item.key))
                if current is not None and _same(current, item):
                    result.unchanged += 1
                    continue
                if current is not None:
                    plans.append((item, current.uid, False))
                else:
                    uid = bytes.fromhex(item.uid.replace("-", "")) if item.uid else new_uid()
                    uids.add(uid)
                    plans.append((item, uid, True))
            _apply(hub, conn, plans, result)
            mstore.add_audit(
                conn,
                utc_now_text(),
                AUDIT_ACTION,
                {
                    "file_sha256": digest,
                    **{k: v for k, v in result.to_json().items() if k != "errors"},
                },
            )
    finally:
        stream.close()
    result.errors.sort(key=lambda e: e.line)
    return result


def _check(
    row: MasterRow,
    by_key: dict[tuple[str, tuple[str, ...]], mstore.StoredMaster],
    uids: set[bytes],
    vaccines: set[str],
) -> RowError | None:
    if row.record_type == "lot" and row.key[0] not in vaccines:
        return RowError(row.line, "E_MASTER_UNKNOWN_VACCINE", "コード")
    if row.uid is not None:
        given = bytes.fromhex(row.uid.replace("-", ""))
        current = by_key.get((row.record_type, row.key))
        if (current is not None and current.uid != given) or (current is None and given in uids):
            return RowError(row.line, "E_MASTER_UID", "uid")
    return None


def _apply(
    hub: Hub, conn: Any, plans: list[tuple[MasterRow, bytes, bool]], result: MasterImportResult
) -> None:
    if not plans:
        return
    clock = HybridClock(hub.hub_id, hub.store.get_meta(conn, "hlc_last"))
    versions = clock.next_many(len(plans))
    seq = hub.store.allocate_change_seq(conn, len(plans))
    now = datetime.now(UTC)
    stamps = {
        "updated_date": now.strftime("%Y-%m-%d"),
        "updated_time": now.strftime("%H:%M:%S"),
        "updated_by": hub.hub_id,
    }
    new_rows: list[tuple[Any, ...]] = []
    upd_rows: list[tuple[Any, ...]] = []
    for (row, uid, is_new), version in zip(plans, versions, strict=True):
        data = orjson.dumps({**row.data, **stamps}).decode("utf-8")
        record = (row.record_type, uid, version, hub.hub_id, None, None, data, seq)
        seq += 1
        (new_rows if is_new else upd_rows).append(record)
        result.by_type[row.record_type] = result.by_type.get(row.record_type, 0) + 1
    sstore.insert_records(conn, new_rows)
    sstore.update_records(conn, upd_rows)
    result.inserted += len(new_rows)
    result.updated += len(upd_rows)
    hub.store.set_meta(conn, "hlc_last", clock.last)
