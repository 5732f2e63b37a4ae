"""Files of one register folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class RegisterLayout:
    directory: Path

    @property
    def database(self) -> Path:
        return self.directory / "register.vxdb"

    @property
    def keyslots(self) -> Path:
        return self.directory / "keyslots.json"

    @property
    def demo_keyring(self) -> Path:
        return self.directory / "demo-keyring.json"

    @property
    def demo_authenticator(self) -> Path:
        return self.directory / "demo-authenticator.json"

    @property
    def audit_head(self) -> Path:
        return self.directory / "audit-head.json"

    @property
    def failed_logins(self) -> Path:
        return self.directory / "login-attempts.json"

    @property
    def sync_sent(self) -> Path:
        """Copies of the packages this terminal wrote, kept for re-export until acknowledged."""
        return self.directory / "sync-sent"

    @property
    def sync_work(self) -> Path:
        """Private temporary folders of the package layer (decrypted or staged records)."""
        return self.directory / "sync-work"

    @property
    def quarantine(self) -> Path:
        """Refused packages with their reports."""
        return self.directory / "quarantine"

    def exists(self) -> bool:
        return self.database.exists() or self.keyslots.exists()
