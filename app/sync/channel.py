"""What the reader needs to know about a channel's history (PACKAGE-FORMAT.md §4, sequence step).

The recipient keeps, for every sequence it applied from a sender, the ``package_id`` and the
SHA-256 of header.json. The terminal and the hub implement ``ChannelState`` over their own storage;
``MemoryChannel`` is a plain in-memory one (tests, tools).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple, Protocol

from app.sync.errors import PackageError


class Applied(NamedTuple):
    package_id: str
    header_sha256: str


class Outcome(StrEnum):
    NEW = "new"  # the next sequence: verified, ready to apply
    ALREADY_IMPORTED = "already_imported"  # identical to an applied header: change nothing


class ChannelState(Protocol):
    def last_applied(self, sender_id: str) -> int:
        """The last sequence applied from ``sender_id`` (0: none)."""
        ...

    def applied(self, sender_id: str, sequence: int) -> Applied | None:
        """What was applied at ``sequence`` from ``sender_id``, if anything."""
        ...

    def sequence_of(self, sender_id: str, package_id: str) -> int | None:
        """The sequence at which ``package_id`` from ``sender_id`` was applied, if it was."""
        ...


@dataclass
class MemoryChannel:
    """``ChannelState`` in memory: ``record`` after a package was applied."""

    entries: dict[str, dict[int, Applied]] = field(default_factory=dict)

    def record(self, sender_id: str, sequence: int, package_id: str, header_sha256: str) -> None:
        self.entries.setdefault(sender_id, {})[sequence] = Applied(package_id, header_sha256)

    def last_applied(self, sender_id: str) -> int:
        return max(self.entries.get(sender_id, {0: Applied("", "")}), default=0)

    def applied(self, sender_id: str, sequence: int) -> Applied | None:
        return self.entries.get(sender_id, {}).get(sequence)

    def sequence_of(self, sender_id: str, package_id: str) -> int | None:
        for seq, entry in self.entries.get(sender_id, {}).items():
            if entry.package_id == package_id:
                return seq
        return None


def check_sequence(
    channel: ChannelState, sender_id: str, sequence: int, package_id: str, header_sha256: str
) -> Outcome:
    """The sequence step: NEW, ALREADY_IMPORTED, or E_REPLAY / E_ROLLBACK / E_SEQUENCE_GAP."""
    last = channel.last_applied(sender_id)
    known = channel.sequence_of(sender_id, package_id)
    if known is not None:
        entry = channel.applied(sender_id, known)
        if entry is not None and known == sequence and entry.header_sha256 == header_sha256:
            return Outcome.ALREADY_IMPORTED
        raise PackageError("E_REPLAY", f"通番 {known} で取込済みのパッケージID", step="sequence")
    if sequence <= last:
        raise PackageError(
            "E_ROLLBACK", f"通番 {sequence} は取込済み（最終 {last}）", step="sequence"
        )
    if sequence > last + 1:
        raise PackageError(
            "E_SEQUENCE_GAP",
            f"通番 {last + 1} のパッケージがまだ取り込まれていません",
            step="sequence",
        )
    return Outcome.NEW
