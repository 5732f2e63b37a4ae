"""One batch of a terminal's records of one type into the central register, inside the ingest
transaction of ingest.py.

The newer ``version`` wins. A change from terminal T to a record whose stored version came from
another party and that T had not yet received (stored after the register position T
acknowledged) is concurrent: both are kept — the higher version in the register, the other as a
conflict that the next ``updates`` of both terminals carry back. Records owned by the server
(persons except provisional ones, households, institutions, vaccines), records that claim
another origin and records about a person the hub does not know are quarantined one by one;
they do not block the rest. 個人番号: terminal_numbers.py; lots: masters_in.py.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Connection

from app.hub.hub import Hub
from app.hub.masters_in import check_lots
from app.hub.store import sync_state as sstore
from app.hub.terminal_numbers import apply_terminal_numbers
from app.hub.uids import uid_bytes

if TYPE_CHECKING:
    from app.hub.ingest import IngestResult

SERVER_OWNED = frozenset({"person", "household", "institution", "vaccine"})


def _row(env: dict[str, Any], seq: int, uid: bytes | None = None) -> tuple[Any, ...]:
    voided = env.get("voided")
    return (
        env["type"],
        uid_bytes(env["uid"]) if uid is None else uid,
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
                record_uid=uid_bytes(env["uid"]),
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
    ref_uids = {uid_bytes(r) for r in refs if r is not None}
    # one look-up for both checks (the stored versions may include records dropped below)
    stored, known = sstore.existing_rows(
        conn,
        rtype,
        list(dict.fromkeys(uid_bytes(e["uid"]) for e in valid)),
        list(ref_uids - package_persons),
    )
    if ref_uids:
        valid = _known_persons_only(
            conn, terminal, rtype, valid, refs, known | package_persons, now, result
        )
    if not valid:
        return
    keyed = [((rtype, uid_bytes(e["uid"])), e) for e in valid]
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
        if ref is not None and uid_bytes(ref) not in known:
            sstore.add_quarantine(
                conn,
                terminal_id=terminal,
                package_id=None,
                file_name=result.file,
                code="E_HUB_UNKNOWN_PERSON",
                record_type=rtype,
                record_uid=uid_bytes(env["uid"]),
                at=now,
            )
            result.quarantined += 1
            continue
        kept.append(env)
    return kept
