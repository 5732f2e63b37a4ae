"""``vaxdesk hub ingest``: terminals' ``changes`` packages into the central register.

Per file, in one transaction: every check of PACKAGE-FORMAT.md §4 against the hub's trust and
channel state (``app.sync.open_package`` with ``HubChannel``), the audit chain continuation of §6
(``E_AUDIT_CHAIN``, reported as a security event), the terminal's ``ack``, then the records.
A refused file changes nothing, is moved to ``HUB/quarantine/`` with a report, and is listed in
``hub status``.

Records: the newer ``version`` wins. A change from terminal T to a record whose stored version
came from another party and that T had not yet received (stored after the register position T
acknowledged) is concurrent: both are kept — the higher version in the register, the other as a
conflict that the next ``updates`` of both terminals carry back. Records owned by the server
(persons except provisional ones, households, institutions, vaccines) and records that claim
another origin are quarantined one by one; they do not block the rest. 個人番号: terminal_numbers.py;
lots: masters_in.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection

from app.gcpause import collector_paused
from app.hub import purge
from app.hub.audit_chain import GENESIS_HEX, AuditChainBroken, ChainHead, check_continuation
from app.hub.clock import utc_now_text
from app.hub.hub import Hub
from app.hub.masters_in import check_lots
from app.hub.store import sync_state as sstore
from app.hub.terminal_numbers import apply_terminal_numbers
from app.hub.trust import current_trust
from app.sync import Outcome, PackageError, open_package, read_header

SERVER_OWNED = frozenset({"person", "household", "institution", "vaccine"})
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
        package_persons = {_uid_bytes(e["uid"]) for e in pkg.records("person")}
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


def _uid_bytes(text: str) -> bytes:
    """The 16 bytes of a canonical UUID text (schema-checked already)."""
    return bytes.fromhex(text.replace("-", ""))


def _row(env: dict[str, Any], seq: int, uid: bytes | None = None) -> tuple[Any, ...]:
    voided = env.get("voided")
    return (
        env["type"],
        _uid_bytes(env["uid"]) if uid is None else uid,
        env["version"],
        env["origin"],
        voided["at"] if voided else None,
        voided["reason"] if voided else None,
        orjson.dumps(env["data"]).decode("utf-8"),
        seq,
    )


def _envelope_text(row: tuple[Any, ...]) -> str:
    voided = None if row[4] is None else {"at": row[4], "reason": row[5]}
    return json.dumps(
        {
            "type": row[0],
            "uid": str(uuid.UUID(bytes=row[1])),
            "version": row[2],
            "origin": row[3],
            "voided": voided,
            "data": json.loads(row[6]),
        },
        ensure_ascii=False,
    )


def _apply_batch(
    hub: Hub,
    conn: Connection,
    terminal: str,
    rtype: str,
    batch: list[dict[str, Any]],
    acked_position: int,
    now: str,
    result: IngestResult,
    package_persons: set[bytes],
) -> None:
    valid: list[dict[str, Any]] = []
    for env in batch:
        reason = None
        if env["origin"] != terminal:
            reason = "E_HUB_ORIGIN"
        elif rtype in SERVER_OWNED and not (rtype == "person" and env["data"].get("provisional")):
            reason = "E_HUB_SERVER_OWNED"
        if reason is not None:
            sstore.add_quarantine(
                conn,
                terminal_id=terminal,
                package_id=None,
                file_name=result.file,
                code=reason,
                record_type=rtype,
                record_uid=_uid_bytes(env["uid"]),
                at=now,
            )
            result.quarantined += 1
            continue
        valid.append(env)
    if rtype == "person_number":
        apply_terminal_numbers(hub, conn, terminal, valid, now, result)
        return
    if rtype == "lot":
        valid = check_lots(conn, terminal, valid, now, result)
    if not valid:
        return
    refs = [e["data"].get("person_uid") for e in valid]
    ref_uids = {_uid_bytes(r) for r in refs if r is not None}
    # one look-up for both checks (the stored versions may include records dropped below)
    stored, known = sstore.existing_rows(
        conn,
        rtype,
        list(dict.fromkeys(_uid_bytes(e["uid"]) for e in valid)),
        list(ref_uids - package_persons),
    )
    if ref_uids:
        valid = _known_persons_only(
            conn, terminal, rtype, valid, refs, known | package_persons, now, result
        )
    if not valid:
        return
    keyed = [((rtype, _uid_bytes(e["uid"])), e) for e in valid]
    new: dict[tuple[str, bytes], dict[str, Any]] = {}
    upd: dict[tuple[str, bytes], dict[str, Any]] = {}
    lost: list[tuple[dict[str, Any] | None, tuple[str, bytes], str, str, str, str]] = []
    for key, env in keyed:
        version = env["version"]
        if key in new or key in upd:
            target = new if key in new else upd
            if version > target[key]["version"]:
                target[key] = env
            continue
        old = stored.get(key)
        if old is None:
            new[key] = env
            continue
        old_version, old_origin, old_seq = old
        if version == old_version:
            result.unchanged += 1
            continue
        concurrent = old_origin != terminal and old_seq > acked_position
        if version > old_version:
            upd[key] = env
            if concurrent:  # the stored one loses: keep it as a conflict
                lost.append((None, key, version, terminal, old_version, old_origin))
        elif concurrent:  # the incoming one loses
            lost.append((env, key, old_version, old_origin, version, terminal))
        else:
            result.unchanged += 1  # an older version the terminal had already been sent
    count = len(new) + len(upd) + len(lost)
    if count == 0:
        return
    seq = hub.store.allocate_change_seq(conn, count)
    conflict_rows = []
    for loser_env, key, w_version, w_origin, l_version, l_origin in lost:
        if loser_env is None:
            data = sstore.stored_data(conn, *key)
            text = json.dumps(
                {
                    "type": key[0],
                    "uid": str(uuid.UUID(bytes=key[1])),
                    "version": l_version,
                    "origin": l_origin,
                    "voided": None,
                    "data": json.loads(data or "{}"),
                },
                ensure_ascii=False,
            )
        else:
            text = _envelope_text(_row(loser_env, 0))
        conflict_rows.append(
            {
                "type": key[0],
                "uid": key[1],
                "winner_version": w_version,
                "loser_version": l_version,
                "winner_origin": w_origin,
                "loser_origin": l_origin,
                "loser_data": text,
                "detected_at": now,
                "change_seq": seq,
            }
        )
        seq += 1
    new_rows = [_row(env, s, key[1]) for s, (key, env) in enumerate(new.items(), seq)]
    seq += len(new_rows)
    upd_rows = [_row(env, s, key[1]) for s, (key, env) in enumerate(upd.items(), seq)]
    sstore.add_conflicts(conn, conflict_rows)
    sstore.insert_records(conn, new_rows)
    sstore.update_records(conn, upd_rows)
    result.applied += len(new_rows) + len(upd_rows)
    result.conflicts += len(conflict_rows)


def _known_persons_only(
    conn: Connection,
    terminal: str,
    rtype: str,
    envs: list[dict[str, Any]],
    refs: list[str | None],
    known: set[bytes],
    now: str,
    result: IngestResult,
) -> list[dict[str, Any]]:
    """Quarantine records about a person the hub does not know (E_HUB_UNKNOWN_PERSON): not in
    the register, not a provisional person received before, not one in this package
    (``known``); ``refs`` are the records' person uids."""
    kept = []
    for env, ref in zip(envs, refs, strict=True):
        if ref is not None and _uid_bytes(ref) not in known:
            sstore.add_quarantine(
                conn,
                terminal_id=terminal,
                package_id=None,
                file_name=result.file,
                code="E_HUB_UNKNOWN_PERSON",
                record_type=rtype,
                record_uid=_uid_bytes(env["uid"]),
                at=now,
            )
            result.quarantined += 1
            continue
        kept.append(env)
    return kept


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
