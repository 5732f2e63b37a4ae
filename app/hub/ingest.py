"""``vaxdesk hub ingest``: terminals' ``changes`` packages into the central register.

Per file, in one transaction: every check of PACKAGE-FORMAT.md §4 against the hub's trust and
channel state (``app.sync.open_package`` with ``HubChannel``), the audit chain continuation of §6
(``E_AUDIT_CHAIN``, reported as a security event), the terminal's ``ack``, then the records in
batches (ingest_batch.py: the newer version wins, concurrent changes are kept as conflicts,
records a terminal may not send are quarantined one by one) and the terminal's retention purges.
A refused file changes nothing, is moved to ``HUB/quarantine/`` with a report, and is listed in
``hub status``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from app.gcpause import collector_paused
from app.hub import purge
from app.hub.audit_chain import GENESIS_HEX, AuditChainBroken, ChainHead, check_continuation
from app.hub.clock import utc_now_text
from app.hub.hub import Hub
from app.hub.ingest_batch import _apply_batch
from app.hub.store import sync_state as sstore
from app.hub.trust import current_trust
from app.hub.uids import uid_bytes
from app.sync import Outcome, PackageError, open_package, read_header

SECURITY_CODES = frozenset(
    {
        "E_AUDIT_CHAIN",
        "E_SIGNATURE",
        "E_UNKNOWN_SENDER",
        "E_KEY_REVOKED",
        "E_WRONG_RECIPIENT",
        "E_REPLAY",
        "E_ROLLBACK",
        "E_DECRYPT",
    }
)
_BATCH = 10_000


@dataclass
class IngestResult:
    file: str
    code: str  # "OK", "ALREADY_IMPORTED" or the refusal's E_ code
    terminal: str | None = None
    sequence: int | None = None
    applied: int = 0
    unchanged: int = 0
    quarantined: int = 0
    conflicts: int = 0
    purged: int = 0  # records removed by the terminal's retention purges (app/hub/purge.py)

    @property
    def ok(self) -> bool:
        return self.code in ("OK", "ALREADY_IMPORTED")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def ingest_files(hub: Hub, paths: list[Path]) -> list[IngestResult]:
    return [ingest_file(hub, p) for p in paths]


def ingest_file(hub: Hub, path: Path) -> IngestResult:
    if not path.is_file():
        return IngestResult(path.name, "E_HUB_FILE_MISSING")
    try:
        with collector_paused(), hub.store.begin() as conn:
            return _ingest(hub, conn, path)
    except (PackageError, AuditChainBroken) as exc:
        return _refuse(hub, path, exc.code)


def _ingest(hub: Hub, conn: Connection, path: Path) -> IngestResult:
    trust = current_trust(hub.store, conn)
    assert trust is not None
    with open_package(
        path, trust=trust, identity=hub.server, channel=sstore.HubChannel(conn)
    ) as pkg:
        h = pkg.header
        result = IngestResult(path.name, "OK", h.sender_id, h.sequence)
        if pkg.outcome is Outcome.ALREADY_IMPORTED:
            result.code = "ALREADY_IMPORTED"
            return result
        if h.kind != "changes":
            raise PackageError(
                "E_HEADER", "端末からは changes パッケージだけを受け付けます", step="kind"
            )
        terminal = h.sender_id
        ch = sstore.channel(conn, terminal)
        head, entries = check_continuation(
            ChainHead(int(ch["audit_seq"]), ch["audit_hash"] or GENESIS_HEX),
            pkg.audit_entries(),
            pkg.manifest.get("audit_head"),
            lambda seq: sstore.audit_hash(conn, terminal, seq),
        )
        acked_position = _apply_ack(conn, terminal, h.ack, ch)
        now = utc_now_text()
        package_persons = {uid_bytes(e["uid"]) for e in pkg.records("person")}
        for rtype in pkg.record_types:
            for batch in _batches(pkg.records(rtype)):
                _apply_batch(
                    hub, conn, terminal, rtype, batch, acked_position, now, result, package_persons
                )
        if "purge" in pkg.record_types:  # retention: after the records, see app/hub/purge.py
            result.purged = purge.honour(conn, terminal, pkg.records("purge"))
        sstore.add_audit_entries(
            conn,
            (
                (terminal, seq, digest, json.dumps(e, ensure_ascii=False, sort_keys=True))
                for seq, digest, e in entries
            ),
        )
        sstore.update_channel(
            conn,
            terminal,
            in_last_seq=h.sequence,
            last_contact=now,
            audit_seq=head.seq,
            audit_hash=None if head.seq == 0 else head.hash,
        )
        sstore.record_applied(conn, terminal, h.sequence, h.package_id, h.sha256, now)
        return result


def _apply_ack(conn: Connection, terminal: str, ack: int, ch: dict[str, Any]) -> int:
    """Mark the hub's outbox to ``terminal`` acknowledged up to ``ack``; returns the register
    position the terminal has received."""
    if ack > int(ch["out_last_seq"]):
        raise PackageError("E_HEADER", f"未発行の通番 {ack} の確認です", step="ack")
    position = int(ch["acked_change_seq"])
    if ack > int(ch["out_acked_seq"]):
        position = max(position, sstore.issued_position(conn, terminal, ack) or 0)
        sstore.update_channel(conn, terminal, out_acked_seq=ack, acked_change_seq=position)
    return position


def _batches(items: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _refuse(hub: Hub, path: Path, code: str) -> IngestResult:
    """Move a refused file to the quarantine folder with a report; record it (and a security
    event where the code says so) in its own transaction."""
    sender: str | None = None
    sequence: int | None = None
    package_id: str | None = None
    try:
        header = read_header(path)
        sender, sequence, package_id = header.sender_id, header.sequence, header.package_id
    except PackageError:
        pass
    now = utc_now_text()
    qdir = hub.layout.quarantine_dir
    qdir.mkdir(exist_ok=True)
    stamp = now.replace(":", "").replace("-", "")
    target = qdir / f"{stamp}-{path.name}"
    n = 1
    while target.exists():
        target = qdir / f"{stamp}-{n}-{path.name}"
        n += 1
    if path.exists():
        path.replace(target)
    report = {
        "file": path.name,
        "code": code,
        "at": now,
        "sender": sender,
        "sequence": sequence,
        "package_id": package_id,
    }
    target.with_name(target.name + ".report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    with hub.store.begin() as conn:
        known = sender is not None and hub.store.party(conn, sender) is not None
        sstore.add_quarantine(
            conn,
            terminal_id=sender if known else None,
            package_id=package_id,
            file_name=target.name,
            code=code,
            record_type=None,
            record_uid=None,
            at=now,
        )
        if code in SECURITY_CODES:
            sstore.add_security_event(conn, sender if known else None, code, now)
    return IngestResult(path.name, code, sender, sequence)
