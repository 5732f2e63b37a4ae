"""The demo hub: same residents (and uids) as the demo terminal, the terminal enrolled."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import uuid_utils

from app.hub.demo import create_demo_hub
from app.hub.emit import emit
from app.hub.hub import opened, status
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


def demo_generator_residents(persons: int) -> list[dict[str, str]]:
    """The terminal demo generator's persons as ``create_demo_hub`` residents (the mapping the
    ``vaxdesk demo --create`` wiring uses)."""
    from datetime import date

    from app.demo.generator import HOUSEHOLD_COLUMNS, PERSON_COLUMNS, DemoGenerator

    gen = DemoGenerator(
        persons,
        1,
        today=date(2026, 12, 1),
        terminal_id="192015-T001",
        sealer=lambda uid, number: (b"", b""),
    )
    households: dict[object, str] = {}
    residents = []
    for chunk in gen.chunks():
        for h in chunk.households:
            hd = dict(zip(HOUSEHOLD_COLUMNS, h, strict=True))
            households[hd["id"]] = str(hd["household_no"])
        for p in chunk.persons:
            d: dict[str, Any] = dict(zip(PERSON_COLUMNS, p, strict=True))
            event, when = "", ""
            if d["deceased"]:
                event, when = "死亡", d["deceased_date"]
            elif d["moved_out"]:
                event, when = "転出", d["moved_out_date"]
            residents.append(
                {
                    "宛名番号": d["atena_no"],
                    "氏名": d["name"],
                    "カナ": d["name_kana"],
                    "生年月日": d["birth_date"],
                    "性別": d["sex"],
                    "住所": d["address"],
                    "世帯番号": households[d["household_id"]],
                    "続柄": d["relationship"] or "",
                    "個人番号": gen.my_number(d["id"]),
                    "異動事由": event,
                    "異動日": when,
                    "uid": str(uuid.UUID(bytes=d["uid"])),
                }
            )
    return residents


def test_every_person_of_the_terminal_demo_generator_is_accepted(tmp_path: Path) -> None:
    residents = demo_generator_residents(800)
    _, server_key = write_key_files(generate_keypair("192015-HUB"), tmp_path / "demo-server")
    pub, _ = write_key_files(generate_keypair("192015-T001"), tmp_path / "terminal")
    info = create_demo_hub(tmp_path / "hub", server_key, residents, pub)
    assert (info.residents, info.rejected) == (len(residents), 0)
    with opened(tmp_path / "hub") as hub:
        assert status(hub)["residents"] == len(residents)


def test_demo_hub_carries_the_demo_registers_masters_with_their_uids(tmp_path: Path) -> None:
    """``vaxdesk demo --create`` captures the generated masters (ResidentCapture.add_masters);
    the demo hub holds exactly those (same uids, same fields) and sends them in ``initial``."""
    from datetime import date

    from app.demo.generator import (
        HOUSEHOLD_COLUMNS,
        NUMBER_COLUMNS,
        PERSON_COLUMNS,
        DemoGenerator,
    )
    from app.demo.masters import INSTITUTION_COLUMNS, LOT_COLUMNS, VACCINE_COLUMNS
    from app.demo.residents import ResidentCapture
    from app.hub.trust import current_trust

    gen = DemoGenerator(
        50, 1, today=date(2026, 12, 1), terminal_id="192015-T001", sealer=lambda u, n: (b"", b"")
    )
    capture = ResidentCapture(PERSON_COLUMNS, HOUSEHOLD_COLUMNS, NUMBER_COLUMNS)
    capture.add_masters(gen.masters)
    server = generate_keypair("192015-HUB")
    _, server_key = write_key_files(server, tmp_path / "demo-server")
    terminal = generate_keypair("192015-T001")
    pub, _ = write_key_files(terminal, tmp_path / "terminal")
    residents = [dict(zip(COLUMNS, r, strict=True)) for r in resident_rows(5, seed=2)]
    info = create_demo_hub(tmp_path / "hub", server_key, residents, pub, masters=capture.masters)
    m = gen.masters
    assert info.masters == len(m.institution_rows) + len(m.vaccine_rows) + len(m.lot_rows) > 0
    with opened(tmp_path / "hub") as hub:
        with hub.store.begin() as conn:
            trust = current_trust(hub.store, conn)
        assert trust is not None
        sim = SimTerminal("192015-T001", tmp_path / "sim", "192015-HUB", server.public, trust)
        sim.keys = terminal
        sim.apply(emit(hub, "192015-T001", tmp_path / "out").path)
    i, v, lot = (
        {n: k for k, n in enumerate(cols)}
        for cols in (INSTITUTION_COLUMNS, VACCINE_COLUMNS, LOT_COLUMNS)
    )
    products = {r[v["id"]]: r[v["product_id"]] for r in m.vaccine_rows}

    def uid(raw: object) -> str:
        assert isinstance(raw, bytes)
        return str(uuid.UUID(bytes=raw))

    got = {
        rtype: {u: e["data"] for u, e in sim.of_type(rtype).items()}
        for rtype in ("institution", "vaccine", "lot")
    }
    assert {u: (d["code"], d["name"], d["address"]) for u, d in got["institution"].items()} == {
        uid(r[i["uid"]]): (r[i["code"]], r[i["name"]], r[i["address"]]) for r in m.institution_rows
    }
    assert {u: (d["product_id"], d["maker"]) for u, d in got["vaccine"].items()} == {
        uid(r[v["uid"]]): (r[v["product_id"]], r[v["maker"]]) for r in m.vaccine_rows
    }
    assert {u: (d["product_id"], d["lot_no"], d["expires_on"]) for u, d in got["lot"].items()} == {
        uid(r[lot["uid"]]): (products[r[lot["vaccine_id"]]], r[lot["lot_no"]], r[lot["expires_on"]])
        for r in m.lot_rows
    }
