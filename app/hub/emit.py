"""``vaxdesk hub emit``: the next package for one terminal.

``initial`` for a terminal that has been sent nothing yet (the whole register), else ``updates``:
everything changed after the register position the terminal acknowledged (so a lost package is
covered by the next one), always with the current trust file, ``audit_ack`` for the terminal's
anchored audit head (PACKAGE-FORMAT.md §6) and, as a hub choice documented in README.md, the
conflicts that involve the terminal in the manifest field ``conflicts``
(a 個人番号 conflict's ``other`` carries ``number_sealed``, never the number):
``[{"type", "uid", "kept_version", "kept_origin", "other": <the losing record envelope>}]``.

Masters (institutions, vaccines, lots) are ``records`` rows and travel with them, every record
type in the order of PACKAGE-FORMAT.md's full load (masters before vaccinations). Records stream
from the database into the package (bounded memory for an initial load of a
million persons). 個人番号 is decrypted only into the package's encrypted payload (the
person_number schema carries the number; the terminal re-encrypts it under its own key).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from app.gcpause import collector_paused
from app.hub.clock import utc_now_text
from app.hub.errors import HubInvalidInput, UnknownTerminal
from app.hub.hub import Hub
from app.hub.store import sync_state as sstore
from app.hub.trust import current_trust
from app.sync import RECORD_TYPES, PublicKey, build_package
from app.sync.encoding import unb64u


@dataclass(frozen=True, slots=True)
class EmitResult:
    path: Path
    kind: str
    sequence: int
    records: dict[str, int]
    conflicts: int


_STAMPS: dict[int, tuple[str, str]] = {}


def _stamp(version: str) -> tuple[str, str]:
    """(date, time) in UTC of a version's millisecond clock, cached per second (an import gives
    thousands of rows the same second)."""
    second = int(version[: version.index(".")]) // 1000
    cached = _STAMPS.get(second)
    if cached is None:
        if len(_STAMPS) > 100_000:
            _STAMPS.clear()
        moment = datetime.fromtimestamp(second, UTC)
        cached = _STAMPS[second] = (moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S"))
    return cached


def _uid(raw: Any) -> str:
    """The canonical text of a 16-byte UUID (what ``str(uuid.UUID(bytes=raw))`` gives)."""
    h = bytes(raw).hex()
    if len(h) != 32:
        raise ValueError("a uid is 16 bytes")
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _persons(rows: Iterator[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    """Rows of ``sstore.PERSON_EMIT`` as person envelopes."""
    for (
        uid,
        atena_no,
        name,
        name_kana,
        sex,
        birth_date,
        address,
        relationship,
        status,
        moved_in_date,
        moved_out_date,
        deceased_date,
        version,
        origin,
        voided_at,
        void_reason,
    ) in rows:
        day, time = _stamp(version)
        yield {
            "type": "person",
            "uid": _uid(uid),
            "version": version,
            "origin": origin,
            "voided": None if voided_at is None else {"at": voided_at, "reason": void_reason},
            "data": {
                "atena_no": atena_no,
                "name": name,
                "name_kana": name_kana,
                "sex": sex,
                "birth_date": birth_date,
                "address": address,
                "relationship": relationship,
                "moved_in_date": moved_in_date,
                "moved_out": status == "moved_out",
                "moved_out_date": moved_out_date,
                "deceased": status == "deceased",
                "deceased_date": deceased_date,
                "provisional": False,
                "updated_date": day,
                "updated_time": time,
                "updated_by": origin,
            },
        }


def _numbers(hub: Hub, rows: Iterator[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    """Rows of ``sstore.NUMBER_EMIT`` as person_number envelopes (the number decrypted). A
    provisional number (entered at a terminal) keeps that terminal as its origin."""
    decrypt = hub.numbers().decrypt
    hub_id = hub.hub_id
    for person_uid, uid, number_ct, version, provisional_origin, *entered in rows:
        day, time = _stamp(version)
        person_uid = bytes(person_uid)
        origin = provisional_origin or hub_id
        by = origin
        if provisional_origin is not None and None not in entered:
            day, time, by = entered  # as the terminal stamped it
        yield {
            "type": "person_number",
            "uid": _uid(uid),
            "version": version,
            "origin": origin,
            "voided": None,
            "data": {
                "person_uid": _uid(person_uid),
                "number": decrypt(person_uid, bytes(number_ct)),
                "updated_date": day,
                "updated_time": time,
                "updated_by": by,
            },
        }


def _records(rows: Iterator[tuple[Any, ...]]) -> Iterator[bytes]:
    """Rows of ``sstore.RECORD_EMIT`` as JSON lines; the stored ``data`` text is spliced in as
    it is (it was serialised by orjson when ingested)."""
    dumps = orjson.dumps
    texts: dict[str, bytes] = {}  # type and origin names, JSON-encoded once
    for rtype, uid, version, origin, voided_at, void_reason, data in rows:
        t = texts.get(rtype) or texts.setdefault(rtype, dumps(rtype))
        o = texts.get(origin) or texts.setdefault(origin, dumps(origin))
        voided = b"null" if voided_at is None else dumps({"at": voided_at, "reason": void_reason})
        yield b"".join(
            (
                b'{"type":',
                t,
                b',"uid":"',
                _uid(uid).encode("ascii"),
                b'","version":',
                dumps(version),
                b',"origin":',
                o,
                b',"voided":',
                voided,
                b',"data":',
                data.encode("utf-8"),
                b"}",
            )
        )


def _conflict(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": row["type"],
        "uid": _uid(row["uid"]),
        "kept_version": row["winner_version"],
        "kept_origin": row["winner_origin"],
        "other": json.loads(row["loser_data"]),
    }


def emit(hub: Hub, terminal_id: str, out_dir: Path) -> EmitResult:
    store = hub.store
    with collector_paused(), store.begin() as conn:
        party = store.party(conn, terminal_id)
        if party is None or party.role != "terminal":
            raise UnknownTerminal()
        if party.revoked_at is not None:
            raise HubInvalidInput(
                "失効した端末にはパッケージを作成しません。", code="E_HUB_TERMINAL_REVOKED"
            )
        ch = sstore.channel(conn, terminal_id)
        first = int(ch["out_last_seq"]) == 0
        # A terminal applies an ``initial`` package only to an empty register: one that has
        # already sent a package holds records and gets its first full load as ``updates``.
        kind = "initial" if first and int(ch["in_last_seq"]) == 0 else "updates"
        since = 0 if first else int(ch["acked_change_seq"])
        upto = store.change_seq(conn)
        sequence = int(ch["out_last_seq"]) + 1
        trust = current_trust(store, conn)
        recipient = PublicKey(terminal_id, unb64u(party.ed25519, 32), unb64u(party.x25519, 32))
        conflicts = [_conflict(c) for c in sstore.conflicts_since(conn, terminal_id, since, upto)]
        extra: dict[str, Any] = {"conflicts": conflicts}
        if int(ch["audit_seq"]) > 0:
            extra["audit_ack"] = {
                "terminal": terminal_id,
                "seq": int(ch["audit_seq"]),
                "hash": ch["audit_hash"],
            }
        sources: list[tuple[str, Any]] = [
            ("person", _persons(sstore.persons_since(conn, since, upto))),
            ("person_number", _numbers(hub, sstore.numbers_since(conn, since, upto))),
        ]
        for rtype in sstore.record_types_since(conn, since, upto):
            rows = sstore.records_since(conn, rtype, since, upto, skip_origin=terminal_id)
            if rtype == "person":  # provisional persons from other terminals
                sources[0] = ("person", _chain(sources[0][1], _records(rows)))
            else:
                sources.append((rtype, _records(rows)))
        # masters before the records that name them: the order a full load writes (the
        # terminal applies in this order too)
        sources.sort(key=lambda source: RECORD_TYPES.index(source[0]))
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / f"{hub.hub_id}_{terminal_id}_{sequence:06d}.vxpkg"
        built = build_package(
            out,
            sender=hub.server,
            recipient=recipient,
            sequence=sequence,
            ack=int(ch["in_last_seq"]),
            kind=kind,
            records=sources,
            trust=trust,
            manifest_extra=extra,
            validate_records=False,  # built from validated rows; the recipient checks every line
        )
        now = utc_now_text()
        sstore.record_issued(conn, terminal_id, sequence, built.package_id, kind, upto, now)
        sstore.update_channel(conn, terminal_id, out_last_seq=sequence)
    counts = {
        f["name"][8:-6]: f["records"]
        for f in built.manifest["files"]
        if f["name"].startswith("records/")
    }
    return EmitResult(built.path, kind, sequence, counts, len(conflicts))


def _chain(*parts: Iterator[Any]) -> Iterator[Any]:
    for part in parts:
        yield from part
