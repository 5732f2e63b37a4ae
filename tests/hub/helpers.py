"""Small builders shared by the hub tests (fictional data only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.hub.hub import Hub, add_terminal
from app.hub.trust import current_trust
from app.sync import load_public_key
from tests.hub.terminal_sim import SimTerminal

HUB_ID = "192015-HUB"


def enrol_sim_terminal(hub: Hub, folder: Path, terminal_id: str) -> SimTerminal:
    """A simulated terminal under ``folder / terminal_id`` that trusts the hub's current trust
    file, enrolled at the hub."""
    with hub.store.begin() as conn:
        trust = current_trust(hub.store, conn)
    assert trust is not None
    server = load_public_key(hub.layout.keys_dir / f"{HUB_ID}.pub.json")
    t = SimTerminal(terminal_id, folder / terminal_id, HUB_ID, server, trust)
    add_terminal(hub, t.pub_path)
    return t


def person_tuple(i: int) -> tuple[Any, ...]:
    """A persons row in table column order."""
    uid = i.to_bytes(16, "big")
    return (
        uid,
        f"{i:010d}",
        f"試験 太郎{i}",
        "シケン タロウ",
        "シケンタロウ",
        "M",
        "1990-01-01",
        "甲府市丸の内1",
        "00000001",
        "世帯主",
        "active",
        None,
        None,
        None,
        None,
        None,
        bytes(32),
        f"{i:013d}.00000.192015-HUB",
        "192015-HUB",
        None,
        None,
        i,
    )
