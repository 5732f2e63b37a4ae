"""Conflicts the hub decided, queued at the terminal (issue 10 ⇄ issue 9).

When two terminals change the same record concurrently, the hub keeps the higher version and
reports the other in the manifest field ``conflicts`` of the next ``updates`` to both terminals:
``[{"type", "uid", "kept_version", "kept_origin", "other": <the other record envelope>}]``
(README.md, "Hub"). By then the losing terminal's change is usually acknowledged, so the package
simply overwrites it: without this module the edit would vanish without anyone seeing it.

Each reported conflict becomes an entry of the terminal's conflict queue (同期 page, ``sync
status``): local = the record as the register now holds it (the hub's decision), incoming = the
other version. Its ``resolution`` is ``"hub"``: choosing 「この端末の内容」 only confirms the hub's
decision (nothing is written or sent), choosing 「サーバーの内容」 writes the other version as a
new change. A conflict already queued (same record and other version, open or decided) is not
queued again when the hub repeats it in a later package; a malformed entry is ignored (the
package is signed by the hub and its records are applied anyway).

Records the server owns (residents, 個人番号, institutions, vaccines) are queued for review only,
like a local change the server overrode (``resolution = "server"``): local = the losing version the
hub sent back (a 個人番号 stays sealed under the hub's key and is shown as hidden), incoming = the
server's record the register now holds, with its 個人番号 sealed under NK (never stored in
plaintext). Reviewing closes the entry; nothing is written or sent.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from app.security.person_numbers import NumberCipher
from app.services._sync_records import PACKAGE_TYPES, SERVER_OWNED, to_envelope
from app.store import db, sync_apply, sync_outbox

HUB_DECIDED = "hub"
SERVER_DECIDED = "server"  # the value _sync_apply stores for a server-owned record's conflict


def _sealed(envelope: dict[str, Any], cipher: NumberCipher) -> dict[str, Any]:
    """``envelope`` with a 個人番号 in ``data`` sealed under NK (as the import queues them)."""
    data = dict(envelope.get("data", {}))
    if "number" in data:
        sealed = cipher.encrypt(b"sync-quarantine", str(data.pop("number")))
        data["number_sealed"] = base64.b64encode(sealed).decode("ascii")
    return {**envelope, "data": data}


def _uid(value: Any) -> bytes | None:
    try:
        return uuid.UUID(str(value)).bytes
    except ValueError:
        return None


def queue_hub_conflicts(
    conn: db.Connection,
    manifest: dict[str, Any],
    *,
    package_id: str,
    party_id: str,
    cipher: NumberCipher | None,
) -> int:
    """Queue the manifest's conflicts (inside the import's transaction); returns how many."""
    entries = manifest.get("conflicts")
    if not isinstance(entries, list):
        return 0
    known: set[tuple[bytes, str]] = set()
    for c in sync_apply.conflicts(conn, open_only=False, limit=100_000):
        # the other version: incoming for the hub's decisions, local for server-owned reviews
        known.add(
            (
                c.record_uid,
                c.local_version if c.resolution == SERVER_DECIDED else c.incoming_version,
            )
        )
    queued = 0
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        rtype, other = PACKAGE_TYPES.get(str(entry.get("type"))), entry.get("other")
        uid = _uid(entry.get("uid"))
        if rtype is None or uid is None:
            continue
        server_owned = rtype in SERVER_OWNED
        if server_owned and rtype == "person_number" and cipher is None:
            continue  # the import refuses 個人番号 records without NK; nothing to show then
        if not isinstance(other, dict) or not isinstance(other.get("version"), str):
            continue
        if (uid, other["version"]) in known:
            continue
        rows = list(sync_outbox.read_records(conn, rtype, [uid]))
        if not rows:
            continue
        local = to_envelope(rows[0], party_id=party_id, cipher=cipher)[1]
        if (local.get("data"), local.get("voided")) == (other.get("data"), other.get("voided")):
            continue  # the register holds the same content: nothing to decide
        if server_owned:
            held = _sealed(local, cipher) if cipher is not None else local
            sync_apply.add_conflict(
                conn,
                record_type=rtype,
                uid=uid,
                package_id=package_id,
                local_version=other["version"],
                local_data=json.dumps(other, ensure_ascii=False, sort_keys=True),
                incoming_version=str(held["version"]),
                incoming_origin=str(held.get("origin", "")),
                incoming_data=json.dumps(held, ensure_ascii=False, sort_keys=True),
                resolution=SERVER_DECIDED,
            )
            known.add((uid, other["version"]))
            queued += 1
            continue
        sync_apply.add_conflict(
            conn,
            record_type=rtype,
            uid=uid,
            package_id=package_id,
            local_version=str(local["version"]),
            local_data=json.dumps(local, ensure_ascii=False, sort_keys=True),
            incoming_version=other["version"],
            incoming_origin=str(other.get("origin", "")),
            incoming_data=json.dumps(other, ensure_ascii=False, sort_keys=True),
            resolution=HUB_DECIDED,
        )
        known.add((uid, other["version"]))
        queued += 1
    return queued
