"""A terminal played by the tests with the package library only (no register, no Qt).

It keeps what a terminal keeps for sync: its keys, the trust it accepted, the channel state of
packages applied from the hub, its records, its own audit chain and the conflicts it was sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uuid_utils

from app.hub.audit_chain import GENESIS_HEX, entry_hash
from app.sync import (
    KeyPair,
    MemoryChannel,
    Outcome,
    PublicKey,
    Trust,
    build_package,
    generate_keypair,
    open_package,
    verify_trust,
    write_key_files,
)


@dataclass
class SimTerminal:
    terminal_id: str
    folder: Path
    hub_id: str
    hub_key: PublicKey
    trust: Trust
    keys: KeyPair = field(init=False)
    pub_path: Path = field(init=False)
    channel: MemoryChannel = field(default_factory=MemoryChannel)
    out_seq: int = 0
    audit: list[dict[str, Any]] = field(default_factory=list)
    audit_ack: dict[str, Any] | None = None
    records: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    clock: int = 0

    def __post_init__(self) -> None:
        self.keys = generate_keypair(self.terminal_id)
        self.pub_path, _ = write_key_files(self.keys, self.folder / "keys")

    # --- versions and audit ---------------------------------------------------------------

    def version(self, ms: int | None = None) -> str:
        self.clock += 1
        return f"{(ms if ms is not None else 1_700_000_000_000 + self.clock):013d}.00000.{self.terminal_id}"

    def log(self, action: str) -> None:
        prev = self.audit[-1]["entry_hash"] if self.audit else GENESIS_HEX
        entry: dict[str, Any] = {
            "seq": len(self.audit) + 1,
            "at": "2026-12-01T05:00:00Z",
            "user_id": 1,
            "terminal_id": self.terminal_id,
            "action": action,
            "outcome": "ok",
            "person_id": None,
            "record_type": None,
            "record_id": None,
            "detail": "",
            "prev_hash": prev,
        }
        entry["entry_hash"] = entry_hash(prev, entry)
        self.audit.append(entry)

    # --- packages -------------------------------------------------------------------------

    def vaccination(
        self,
        person_uid: str,
        *,
        uid: str | None = None,
        version: str | None = None,
        series: str = "mr1",
    ) -> dict[str, Any]:
        env: dict[str, Any] = {
            "type": "vaccination",
            "uid": uid or str(uuid_utils.uuid7()),
            "version": version or self.version(),
            "origin": self.terminal_id,
            "voided": None,
            "data": {
                "person_uid": person_uid,
                "series_id": series,
                "category": "routine",
                "vaccinated_on": "2026-11-20",
                "updated_date": "2026-11-20",
                "updated_time": "10:00:00",
                "updated_by": "N001",
            },
        }
        self.records[("vaccination", env["uid"])] = env
        return env

    def changes(
        self,
        out_dir: Path,
        records: dict[str, list[dict[str, Any]]],
        *,
        audit_from: int | None = None,
        audit_head: dict[str, Any] | None = None,
    ) -> Path:
        """Build the next ``changes`` package: the records given, every audit entry after the
        hub's acknowledged head (or from ``audit_from``), and the head."""
        self.out_seq += 1
        acked = int(self.audit_ack["seq"]) if self.audit_ack else 0
        start = acked if audit_from is None else audit_from - 1
        entries = self.audit[start:]
        head = audit_head or (
            {"seq": self.audit[-1]["seq"], "hash": self.audit[-1]["entry_hash"]}
            if self.audit
            else {"seq": 0, "hash": GENESIS_HEX}
        )
        out = out_dir / f"{self.terminal_id}_{self.out_seq:06d}.vxpkg"
        build_package(
            out,
            sender=self.keys,
            recipient=self.hub_key,
            sequence=self.out_seq,
            ack=self.channel.last_applied(self.hub_id),
            kind="changes",
            records=records,
            audit=entries,
            manifest_extra={"audit_head": head},
        )
        return out

    def apply(self, path: Path) -> Outcome:
        """Open an ``updates``/``initial`` package as a terminal does and keep what it carries."""
        with open_package(path, trust=self.trust, identity=self.keys, channel=self.channel) as pkg:
            if pkg.outcome is Outcome.ALREADY_IMPORTED:
                return pkg.outcome
            self.kinds.append(pkg.header.kind)
            for rtype in pkg.record_types:
                for env in pkg.records(rtype):
                    key = (rtype, env["uid"])
                    old = self.records.get(key)
                    if old is None or env["version"] > old["version"]:
                        self.records[key] = env
            files = pkg.trust_files()
            if files is not None and files[0] != self.trust.raw:
                self.trust = verify_trust(files[0], files[1], previous=self.trust)
            self.audit_ack = pkg.manifest.get("audit_ack", self.audit_ack)
            self.conflicts.extend(pkg.manifest.get("conflicts", []))
            h = pkg.header
            self.channel.record(h.sender_id, h.sequence, h.package_id, h.sha256)
            return pkg.outcome

    def of_type(self, rtype: str) -> dict[str, dict[str, Any]]:
        return {uid: env for (t, uid), env in self.records.items() if t == rtype}


def uid_text(raw: bytes) -> str:
    return str(uuid.UUID(bytes=raw))
