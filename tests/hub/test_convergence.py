"""One hub and three terminals through seven rounds on both engines: new records, concurrent
edits of one record, resident changes at the hub and a terminal revoked midway. Afterwards every
active terminal holds exactly the hub's register (compared record by record against a fresh
``initial`` load), every conflict reached the terminals involved and ``hub status``, and nothing
a terminal sent before its revocation was lost.

The terminals are played with the package library (tests/hub/terminal_sim.py); the real terminal
side (issue 9) is wired to the hub by the lead.
"""

from __future__ import annotations

import random
from pathlib import Path

from app.hub.emit import emit
from app.hub.hub import Hub, revoke_terminal, status
from app.hub.ingest import ingest_file
from app.hub.residents import import_residents
from app.hub.sample import resident_rows, write_residents_csv
from tests.hub.helpers import enrol_sim_terminal
from tests.hub.terminal_sim import SimTerminal

TYPES = ("person", "person_number", "vaccination")


def _snapshot(t: SimTerminal) -> dict[tuple[str, str], tuple[str, object]]:
    return {k: (v["version"], v["data"]) for k, v in t.records.items() if k[0] in TYPES}


def test_hub_and_three_terminals_converge(hub: Hub, tmp_path: Path) -> None:
    rng = random.Random(5)
    out = tmp_path / "out"
    rows = list(resident_rows(40, seed=41))
    write_residents_csv(tmp_path / "r0.csv", rows)
    import_residents(hub, tmp_path / "r0.csv")
    terms = {
        tid: enrol_sim_terminal(hub, tmp_path, tid)
        for tid in ("192015-T001", "192015-T002", "192015-T003")
    }
    active = dict(terms)
    for t in active.values():
        t.apply(emit(hub, t.terminal_id, out).path)
    persons = sorted(next(iter(active.values())).of_type("person"))
    sent_by_revoked: dict[str, str] = {}
    shared_uid = ""
    ms = 1_800_000_000_000
    for round_no in range(1, 8):
        ms += 1000
        for t in list(active.values()):
            t.log(f"round {round_no}")
            new = [t.vaccination(rng.choice(persons), version=t.version(ms + i)) for i in range(3)]
            if round_no == 2 and t.terminal_id == "192015-T001":
                shared_uid = new[0]["uid"]
            if round_no == 3 and t.terminal_id in ("192015-T001", "192015-T002"):
                # both edit the shared record without having seen each other's edit
                offset = 10 if t.terminal_id == "192015-T001" else 20
                new.append(
                    t.vaccination(
                        persons[0], uid=shared_uid, version=t.version(ms + offset), series="mr2"
                    )
                )
            result = ingest_file(hub, t.changes(out, {"vaccination": new}))
            assert result.code == "OK", (round_no, t.terminal_id, result.code)
            if t.terminal_id == "192015-T003":
                sent_by_revoked.update({v["uid"]: v["version"] for v in new})
        if round_no == 3:  # resident changes at the hub: 転出, 死亡, 氏名変更 and a newcomer
            changed = [list(r) for r in rows] + list(resident_rows(1, seed=42, start=900))
            changed[1][9:11] = ["転出", "2026-11-01"]
            changed[2][9:11] = ["死亡", "2026-11-02"]
            changed[3][1], changed[3][9:11] = "改名 後子", ["氏名変更", "2026-11-03"]
            write_residents_csv(tmp_path / "r3.csv", changed)
            assert import_residents(hub, tmp_path / "r3.csv").updated == 3
        if round_no == 4:
            revoke_terminal(hub, "192015-T003")
            late = active.pop("192015-T003")
            refused = ingest_file(
                hub, late.changes(out, {"vaccination": [late.vaccination(persons[1])]})
            )
            assert refused.code == "E_KEY_REVOKED"
        for t in active.values():
            t.apply(emit(hub, t.terminal_id, out).path)
    for _ in range(2):  # quiet rounds: acknowledgements travel, nothing new
        for t in active.values():
            assert ingest_file(hub, t.changes(out, {})).code == "OK"
            t.apply(emit(hub, t.terminal_id, out).path)

    fresh = enrol_sim_terminal(hub, tmp_path, "192015-T004")
    fresh.apply(emit(hub, fresh.terminal_id, out).path)
    register = _snapshot(fresh)
    assert len(fresh.of_type("person")) == 41
    assert (
        len(fresh.of_type("vaccination")) == 3 * 3 * 4 + 2 * 3 * 3
    )  # 3 terminals × 4 rounds, then 2
    for t in active.values():
        assert _snapshot(t) == register, t.terminal_id
    for uid, version in sent_by_revoked.items():  # accepted before revocation: not lost
        assert register[("vaccination", uid)][0] == version

    info = status(hub)
    assert info["conflicts"] == 1
    assert [(c["uid"], c["kept_origin"], c["other_origin"]) for c in info["conflict_list"]] == [
        (shared_uid, "192015-T002", "192015-T001")
    ]
    assert [q["code"] for q in info["quarantine_list"]] == ["E_KEY_REVOKED"]
    for tid in ("192015-T001", "192015-T002"):
        assert [(c["uid"], c["other"]["origin"]) for c in terms[tid].conflicts] == [
            (shared_uid, "192015-T001")
        ]
    winner = register[("vaccination", shared_uid)]
    assert winner[0].endswith("192015-T002")
    assert terms["192015-T003"].conflicts == []
    term_state = {t["id"]: t for t in info["terminals"]}
    assert term_state["192015-T003"]["revoked_at"] is not None
    for tid in active:
        assert term_state[tid]["unacknowledged_packages"] == 1  # the last updates, not yet acked
        assert term_state[tid]["audit_head"]["seq"] == 7
