"""Hub ↔ terminals round trips on both engines; the tests play the terminals with the package
library (build ``changes`` with terminal keys, open ``updates``/``initial`` with them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uuid_utils
from sqlalchemy import select

from app.cli import main
from app.hub.emit import emit
from app.hub.hub import Hub, add_terminal, init_hub, revoke_terminal, status
from app.hub.ingest import ingest_file
from app.hub.residents import import_residents
from app.hub.sample import resident_rows, write_residents_csv
from app.hub.store import sync_state as sstore
from app.hub.store.schema import persons, records
from app.hub.trust import current_trust
from app.sync import load_public_key
from tests.hub.terminal_sim import SimTerminal, uid_text

HUB_ID = "192015-HUB"


@pytest.fixture
def hub(tmp_path: Path, database_url: str | None) -> Iterator[Hub]:
    h = init_hub(tmp_path / "hub", HUB_ID, database_url=database_url)
    csv_path = tmp_path / "residents.csv"
    write_residents_csv(csv_path, list(resident_rows(30, seed=21)))
    import_residents(h, csv_path)
    yield h
    h.close()


def _terminal(hub: Hub, tmp_path: Path, terminal_id: str) -> SimTerminal:
    with hub.store.begin() as conn:
        trust = current_trust(hub.store, conn)
    assert trust is not None
    server = load_public_key(hub.layout.keys_dir / f"{HUB_ID}.pub.json")
    t = SimTerminal(terminal_id, tmp_path / terminal_id, HUB_ID, server, trust)
    add_terminal(hub, t.pub_path)
    return t


def _person_uids(hub: Hub) -> list[str]:
    with hub.store.begin() as conn:
        return [
            uid_text(bytes(r[0]))
            for r in conn.execute(select(persons.c.uid).order_by(persons.c.atena_no))
        ]


def _central(hub: Hub) -> dict[str, dict[str, Any]]:
    with hub.store.begin() as conn:
        rows = conn.execute(select(records)).mappings().all()
    return {uid_text(bytes(r["uid"])): dict(r) for r in rows}


def _sync(hub: Hub, t: SimTerminal, out: Path) -> None:
    """One exchange: the hub's next package applied on the terminal."""
    t.apply(emit(hub, t.terminal_id, out).path)


def test_initial_changes_and_updates_round_trip(hub: Hub, tmp_path: Path) -> None:
    out = tmp_path / "out"
    t1 = _terminal(hub, tmp_path, "192015-T001")
    t2 = _terminal(hub, tmp_path, "192015-T002")
    result = emit(hub, t1.terminal_id, out)
    assert (result.kind, result.sequence) == ("initial", 1)
    t1.apply(result.path)
    people = t1.of_type("person")
    assert sorted(people) == sorted(_person_uids(hub))
    cipher = hub.numbers()
    numbers = t1.of_type("person_number")
    with hub.store.begin() as conn:
        for env in numbers.values():
            blind = cipher.blind_index(env["data"]["number"])
            assert sstore_persons_by_blind(conn, blind) == [env["data"]["person_uid"]]
    assert len(numbers) == sum(1 for r in resident_rows(30, seed=21) if r[8])
    assert t1.trust.version == 3  # the hub's trust after enrolling both terminals

    uids = sorted(people)
    t1.log("login")
    t1.log("record_result")
    t1.log("print_yoshinhyo")
    vaccs = [t1.vaccination(uids[0]), t1.vaccination(uids[1])]
    changes = t1.changes(out, {"vaccination": vaccs})
    got = ingest_file(hub, changes)
    assert (got.code, got.applied, got.terminal, got.sequence) == ("OK", 2, "192015-T001", 1)
    again = ingest_file(hub, changes)
    assert again.code == "ALREADY_IMPORTED" and again.applied == 0
    central = _central(hub)
    assert {u: json.loads(r["data"]) for u, r in central.items()} == {
        v["uid"]: v["data"] for v in vaccs
    }

    info = status(hub)
    term = {t["id"]: t for t in info["terminals"]}["192015-T001"]
    assert term["last_received_sequence"] == 1 and term["last_sent_sequence"] == 1
    assert term["audit_head"] == {"seq": 3, "hash": t1.audit[-1]["entry_hash"]}

    upd = emit(hub, t1.terminal_id, out)
    assert (upd.kind, upd.sequence) == ("updates", 2)
    assert upd.records.get("vaccination", 0) == 0  # its own records are not sent back
    t1.apply(upd.path)
    assert t1.audit_ack == {"terminal": "192015-T001", "seq": 3, "hash": t1.audit[-1]["entry_hash"]}

    t2_initial = emit(hub, t2.terminal_id, out)
    t2.apply(t2_initial.path)
    assert t2.of_type("vaccination") == {v["uid"]: v for v in vaccs}
    assert t2.of_type("person") == t1.of_type("person")


def sstore_persons_by_blind(conn: Any, blind: bytes) -> list[str]:
    from app.hub.store.residents import persons_by_blind_index

    return [uid_text(u) for u in persons_by_blind_index(conn, blind)]


def test_concurrent_edits_keep_both_and_reach_both_terminals(hub: Hub, tmp_path: Path) -> None:
    out = tmp_path / "out"
    t1 = _terminal(hub, tmp_path, "192015-T001")
    t2 = _terminal(hub, tmp_path, "192015-T002")
    _sync(hub, t1, out)
    _sync(hub, t2, out)
    person = sorted(t1.of_type("person"))[0]
    v1 = t1.vaccination(person, version=t1.version(1_800_000_000_000))
    assert ingest_file(hub, t1.changes(out, {"vaccination": [v1]})).code == "OK"
    _sync(hub, t2, out)  # T2 receives v1 …
    assert ingest_file(hub, t2.changes(out, {})).code == "OK"  # … and acknowledges it
    # both edit the same record without seeing each other's edit
    v2 = t1.vaccination(person, uid=v1["uid"], version=t1.version(1_800_000_000_100), series="mr2")
    v3 = t2.vaccination(person, uid=v1["uid"], version=t2.version(1_800_000_000_200), series="je1")
    assert ingest_file(hub, t1.changes(out, {"vaccination": [v2]})).code == "OK"
    r = ingest_file(hub, t2.changes(out, {"vaccination": [v3]}))
    assert (r.code, r.applied, r.conflicts) == ("OK", 1, 1)
    central = _central(hub)[v1["uid"]]
    assert (central["version"], json.loads(central["data"])["series_id"]) == (v3["version"], "je1")
    with hub.store.begin() as conn:
        conflicts = sstore.all_conflicts(conn)
    assert len(conflicts) == 1
    kept = json.loads(conflicts[0]["loser_data"])
    assert (kept["version"], kept["origin"], kept["data"]) == (
        v2["version"],
        "192015-T001",
        v2["data"],
    )
    assert status(hub)["conflicts"] == 1
    for t in (t1, t2):
        _sync(hub, t, out)
        assert [(c["uid"], c["kept_version"], c["other"]["version"]) for c in t.conflicts] == [
            (v1["uid"], v3["version"], v2["version"])
        ]
    assert t1.of_type("vaccination")[v1["uid"]]["version"] == v3["version"]
    # an older version that loses to a concurrent newer one is kept as a conflict too
    v4 = t1.vaccination(person, uid=v1["uid"], version=t1.version(1_800_000_000_150))
    t1.records[("vaccination", v1["uid"])] = v4
    r = ingest_file(hub, t1.changes(out, {"vaccination": [v4]}))
    assert (r.code, r.applied) == ("OK", 0)
    assert _central(hub)[v1["uid"]]["version"] == v3["version"]


def _refused_audit(hub: Hub, t: SimTerminal, pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (status(hub), _central(hub))
    reports_before = set(hub.layout.quarantine_dir.glob("*.report.json"))
    code = main(["hub", "ingest", "--dir", str(hub.layout.root), str(pkg)])
    err = capsys.readouterr().err
    assert code != 0 and err.startswith("E_AUDIT_CHAIN")
    assert not pkg.exists()
    reports = list(set(hub.layout.quarantine_dir.glob("*.report.json")) - reports_before)
    assert len(reports) == 1 and json.loads(reports[0].read_text())["code"] == "E_AUDIT_CHAIN"
    after = status(hub)
    assert _central(hub) == before[1]
    assert after["security_events"] == before[0]["security_events"] + 1
    assert after["quarantined"] == before[0]["quarantined"] + 1
    assert after["terminals"] == before[0]["terminals"]


def test_truncated_or_rewritten_terminal_audit_log_is_refused(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    t1 = _terminal(hub, tmp_path, "192015-T001")
    _sync(hub, t1, out)
    person = sorted(t1.of_type("person"))[0]
    for action in ("a", "b", "c"):
        t1.log(action)
    assert ingest_file(hub, t1.changes(out, {})).code == "OK"
    # truncated: the log now ends at 2 (entry 3 deleted), the package declares that head
    t1.audit = t1.audit[:2]
    truncated = t1.changes(out, {"vaccination": [t1.vaccination(person)]}, audit_from=1)
    _refused_audit(hub, t1, truncated, capsys)
    # rewritten: entry 3 changed and the chain re-hashed, then a new entry 4
    t1.out_seq -= 1
    t1.log("c-rewritten")
    t1.log("d")
    rewritten = t1.changes(out, {"vaccination": [t1.vaccination(person)]}, audit_from=3)
    _refused_audit(hub, t1, rewritten, capsys)
    # entries that skip the acknowledged head are refused too
    t1.out_seq -= 1
    gap = t1.changes(out, {}, audit_from=4)
    _refused_audit(hub, t1, gap, capsys)


def test_revoked_terminal_is_refused_both_ways(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    t2 = _terminal(hub, tmp_path, "192015-T002")
    _sync(hub, t2, out)
    revoke_terminal(hub, t2.terminal_id)
    pkg = t2.changes(out, {"vaccination": [t2.vaccination(sorted(t2.of_type("person"))[0])]})
    code = main(["hub", "ingest", "--dir", str(hub.layout.root), str(pkg)])
    assert code != 0 and capsys.readouterr().err.startswith("E_KEY_REVOKED")
    assert _central(hub) == {}
    code = main(
        [
            "hub",
            "emit",
            "--dir",
            str(hub.layout.root),
            "--terminal",
            t2.terminal_id,
            "--out",
            str(out),
        ]
    )
    assert code != 0 and capsys.readouterr().err.startswith("E_HUB_TERMINAL_REVOKED")


def test_server_owned_records_are_quarantined_one_by_one(hub: Hub, tmp_path: Path) -> None:
    out = tmp_path / "out"
    t1 = _terminal(hub, tmp_path, "192015-T001")
    _sync(hub, t1, out)
    person_env = dict(next(iter(t1.of_type("person").values())))
    person_env = {**person_env, "origin": t1.terminal_id, "version": t1.version(1_900_000_000_000)}
    vacc = t1.vaccination(person_env["uid"])
    provisional = {
        **person_env,
        "uid": str(uuid_utils.uuid7()),
        "data": {**person_env["data"], "atena_no": "9999999999", "provisional": True},
    }
    for_provisional = t1.vaccination(provisional["uid"])
    orphan = t1.vaccination(str(uuid_utils.uuid7()))  # a person nobody knows
    r = ingest_file(
        hub,
        t1.changes(
            out,
            {"vaccination": [vacc, for_provisional, orphan], "person": [person_env, provisional]},
        ),
    )
    assert (r.code, r.applied, r.quarantined) == ("OK", 3, 2)
    with hub.store.begin() as conn:
        q = sstore.quarantined(conn)
    assert sorted((x["code"], x["record_type"]) for x in q) == [
        ("E_HUB_SERVER_OWNED", "person"),
        ("E_HUB_UNKNOWN_PERSON", "vaccination"),
    ]
    assert sorted(_central(hub)) == sorted(
        [vacc["uid"], for_provisional["uid"], provisional["uid"]]
    )
    # the provisional person reaches the other terminals, the orphan does not
    t2 = _terminal(hub, tmp_path, "192015-T002")
    _sync(hub, t2, out)
    assert provisional["uid"] in t2.of_type("person") and orphan["uid"] not in t2.of_type(
        "vaccination"
    )


def test_ingest_of_garbage_and_missing_files(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "garbage.vxpkg"
    garbage.write_bytes(b"PK\x03\x04 not really a package")
    code = main(
        ["hub", "ingest", "--dir", str(hub.layout.root), str(garbage), str(tmp_path / "none.vxpkg")]
    )
    err = capsys.readouterr().err.splitlines()
    assert code != 0
    assert err[0].startswith("E_HEADER") and err[1].startswith("E_HUB_FILE_MISSING")
    assert not garbage.exists()
    info = status(hub)
    assert [q["code"] for q in info["quarantine_list"]] == ["E_HEADER"]
    assert info["security_events"] == 0
