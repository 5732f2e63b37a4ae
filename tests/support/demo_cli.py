"""A demo register made from the command line, as a newcomer does (`vaxdesk demo --create`), for
the tests that drive `vaxdesk sync …` and `vaxdesk package …` against it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli import main
from app.services._sync_identity import demo_server_id
from app.services.demo import MUNICIPALITY_CODE


@dataclass(frozen=True, slots=True)
class DemoCli:
    register: Path
    hub_key: Path  # the demo server's key pair (DIR/demo-server)
    terminal_pub: Path  # this terminal's public key, as the demo server holds it
    user: list[str]  # --register DIR --user number (password in VAXDESK_PASSWORD)


def demo_cli(folder: Path, monkeypatch: pytest.MonkeyPatch, persons: int = 30) -> DemoCli:
    """``folder`` becomes a demo register of ``persons`` synthetic persons; the number user's
    demo password is set for the commands."""
    assert main(["demo", "--create", str(folder), "--persons", str(persons)]) == 0
    server = folder / "demo-server"
    [terminal_pub] = list(server.glob("*-T*.pub.json"))
    monkeypatch.setenv("VAXDESK_PASSWORD", "demo-number")
    return DemoCli(
        register=folder,
        hub_key=server / f"{demo_server_id(MUNICIPALITY_CODE)}.key.json",
        terminal_pub=terminal_pub,
        user=["--register", str(folder), "--user", "number"],
    )
