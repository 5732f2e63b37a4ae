"""The demo hub: same residents (and uids) as the demo terminal, the terminal enrolled."""

from __future__ import annotations

from pathlib import Path

import uuid_utils

from app.hub.demo import create_demo_hub
from app.hub.emit import emit
from app.hub.hub import opened
from app.hub.residents_csv import COLUMNS
from app.hub.sample import resident_rows
from app.sync import generate_keypair, load_public_key, write_key_files
from tests.hub.terminal_sim import SimTerminal


def test_demo_hub_holds_the_terminals_residents_and_enrols_it(tmp_path: Path) -> None:
    server = generate_keypair("192015-HUB")
    _, server_key = write_key_files(server, tmp_path / "demo-server")
    rows = [dict(zip(COLUMNS, r, strict=True)) for r in resident_rows(40, seed=31)]
    rows[3]["続柄"] = ""
    for r in rows:
        r["uid"] = str(uuid_utils.uuid7())
    terminal = generate_keypair("192015-T001")
    pub, _ = write_key_files(terminal, tmp_path / "terminal")
    info = create_demo_hub(tmp_path / "hub", server_key, rows, pub)
    assert (info.hub_id, info.residents, info.rejected) == ("192015-HUB", 40, 0)
    assert (info.terminals, info.trust_version) == (("192015-T001",), 2)
    assert load_public_key(tmp_path / "hub" / "keys" / "192015-HUB.pub.json") == server.public
    with opened(tmp_path / "hub") as hub:
        with hub.store.begin() as conn:
            trust = __import__("app.hub.trust", fromlist=["current_trust"]).current_trust(
                hub.store, conn
            )
        sim = SimTerminal("192015-T009", tmp_path / "sim", "192015-HUB", server.public, trust)
        sim.keys = terminal  # play the enrolled demo terminal
        sim.apply(emit(hub, "192015-T001", tmp_path / "out").path)
    got = {env["data"]["atena_no"]: uid for uid, env in sim.of_type("person").items()}
    assert got == {r["宛名番号"]: r["uid"] for r in rows}
