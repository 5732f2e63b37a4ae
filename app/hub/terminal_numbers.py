"""個人番号 entered at a terminal's counter, as the hub receives them in ``changes`` (issue 10).

The 住民記録 system is the authority for 個人番号; a number a terminal's number-use clerk entered
(from the card the person showed) is what the municipality has until the 住民記録 brings one.
So, per received ``person_number`` record, the hub:

- **accepts it as provisional** when the person is in the central register and has no number at
  the hub yet: stored encrypted with its blind index like every number, ``provisional_origin``
  = the terminal, sent to every other terminal, counted and listed in ``hub status``. A newer
  version of the same record from a terminal corrects it while it is provisional. The next
  resident import confirms it (same number) or replaces it (another number; app/hub/residents.py);
- counts it **unchanged** when the hub holds the same number for that person;
- **quarantines it as a conflict** (``E_HUB_NUMBER_CONFLICT``) when the hub holds a different
  number for the person (from the 住民記録, or provisional from an earlier terminal): the record
  is listed in the hub's quarantine and conflicts, and the hub's record is stamped with a new
  version so that the next ``updates`` brings it back to the terminal, whose own change is then
  a server-owned conflict in its queue (the server's number applied, its own kept for review);
- quarantines it alone when the check digit is wrong (``E_HUB_NUMBER_INVALID``), when the person
  is not in the central register (``E_HUB_UNKNOWN_PERSON``: a provisional person's number waits
  for the 住民記録), or when another person holds the same number (``E_HUB_NUMBER_DUPLICATE``).

Nothing here logs or raises with a number; a conflict's losing record is kept with the number
sealed under the hub's number key (``number_sealed``), never in plain text.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Protocol

from sqlalchemy import Connection

from app.domain.ids import is_valid_mynumber
from app.hub.clock import HybridClock
from app.hub.hub import Hub
from app.hub.store import numbers as nstore
from app.hub.store import sync_state as sstore
from app.hub.uids import uid_bytes


class Counts(Protocol):
    file: str
    applied: int
    unchanged: int
    quarantined: int
    conflicts: int


def _stamps(env: dict[str, Any]) -> dict[str, str]:
    data = env["data"]
    return {k: str(data[k]) for k in ("updated_date", "updated_time", "updated_by")}


def apply_terminal_numbers(
    hub: Hub,
    conn: Connection,
    terminal: str,
    envelopes: list[dict[str, Any]],
    now: str,
    result: Counts,
) -> None:
    """Apply one batch of ``person_number`` envelopes from ``terminal`` (origin already checked)."""
    if not envelopes:
        return
    cipher = hub.numbers()
    person_uids = [uid_bytes(e["data"]["person_uid"]) for e in envelopes]
    in_register = nstore.register_persons(conn, person_uids)
    stored = nstore.numbers_of(conn, list(in_register))
    by_uid = nstore.numbers_by_uid(conn, [uid_bytes(e["uid"]) for e in envelopes])
    blinds = {
        e["data"]["number"]: cipher.blind_index(e["data"]["number"])
        for e in envelopes
        if is_valid_mynumber(e["data"]["number"])
    }
    holders = nstore.holders_of(conn, list(set(blinds.values())))
    clock = HybridClock(hub.hub_id, hub.store.get_meta(conn, "hlc_last"))
    stamped = False

    def refuse(env: dict[str, Any], code: str) -> None:
        sstore.add_quarantine(
            conn,
            terminal_id=terminal,
            package_id=None,
            file_name=result.file,
            code=code,
            record_type="person_number",
            record_uid=uid_bytes(env["uid"]),
            at=now,
        )
        result.quarantined += 1

    for env, person_uid in zip(envelopes, person_uids, strict=True):
        uid, version, number = uid_bytes(env["uid"]), str(env["version"]), env["data"]["number"]
        blind = blinds.get(number)
        if blind is None:
            refuse(env, "E_HUB_NUMBER_INVALID")
            continue
        if person_uid not in in_register:
            refuse(env, "E_HUB_UNKNOWN_PERSON")
            continue
        same_record = by_uid.get(uid)
        if same_record is not None and same_record.person_uid != person_uid:
            refuse(env, "E_HUB_NUMBER_CONFLICT")  # one record uid, two persons
            continue
        if holders.get(blind, set()) - {person_uid}:
            refuse(env, "E_HUB_NUMBER_DUPLICATE")
            continue
        current = stored.get(person_uid)
        if current is None:
            seq = hub.store.allocate_change_seq(conn, 1)
            row = nstore.StoredNumber(
                person_uid, uid, cipher.encrypt(person_uid, number), blind, version, terminal
            )
            nstore.insert_number(
                conn,
                person_uid=person_uid,
                uid=uid,
                number_ct=row.number_ct,
                blind_index=blind,
                version=version,
                change_seq=seq,
                provisional_origin=terminal,
                **_stamps(env),
            )
            stored[person_uid] = by_uid[uid] = row
            holders.setdefault(blind, set()).add(person_uid)
            result.applied += 1
        elif current.blind_index == blind:
            result.unchanged += 1
        elif (
            current.provisional_origin is not None
            and current.uid == uid
            and version > current.version
        ):
            seq = hub.store.allocate_change_seq(conn, 1)
            sealed = cipher.encrypt(person_uid, number)
            nstore.update_number(
                conn,
                person_uid,
                number_ct=sealed,
                blind_index=blind,
                version=version,
                change_seq=seq,
                provisional_origin=terminal,
                **_stamps(env),
            )
            holders.get(current.blind_index, set()).discard(person_uid)
            holders.setdefault(blind, set()).add(person_uid)
            stored[person_uid] = by_uid[uid] = nstore.StoredNumber(
                person_uid, uid, sealed, blind, version, terminal
            )
            result.applied += 1
        else:
            refuse(env, "E_HUB_NUMBER_CONFLICT")
            stored[person_uid] = _send_back(
                hub, conn, clock, current, env, terminal, now, cipher.encrypt(person_uid, number)
            )
            stamped = True
            result.conflicts += 1
    if stamped:
        hub.store.set_meta(conn, "hlc_last", clock.last)


def _send_back(
    hub: Hub,
    conn: Connection,
    clock: HybridClock,
    current: nstore.StoredNumber,
    env: dict[str, Any],
    terminal: str,
    now: str,
    sealed: bytes,
) -> nstore.StoredNumber:
    """Keep the hub's number; record the terminal's as the losing side of a conflict (its number
    sealed) and give the hub's record a version newer than the terminal's, so that it goes back
    to the terminal (and, unchanged in content, to the others) with the next ``updates``."""
    clock.observe(str(env["version"]))
    version = clock.next()
    seq = hub.store.allocate_change_seq(conn, 2)
    data = {k: v for k, v in env["data"].items() if k != "number"}
    data["number_sealed"] = base64.b64encode(sealed).decode("ascii")
    loser = {**env, "data": data}
    winner_origin = current.provisional_origin or hub.hub_id
    sstore.add_conflicts(
        conn,
        [
            {
                "type": "person_number",
                "uid": uid_bytes(env["uid"]),
                "winner_version": version,
                "loser_version": str(env["version"]),
                "winner_origin": winner_origin,
                "loser_origin": terminal,
                "loser_data": json.dumps(loser, ensure_ascii=False),
                "detected_at": now,
                "change_seq": seq,
            }
        ],
    )
    nstore.update_number(conn, current.person_uid, version=version, change_seq=seq + 1)
    return nstore.StoredNumber(
        current.person_uid,
        current.uid,
        current.number_ct,
        current.blind_index,
        version,
        current.provisional_origin,
    )
