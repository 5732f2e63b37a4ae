"""A terminal's retention purge at the hub (both engines): the records it names leave the hub's
register (a fresh terminal's initial load no longer has them), the purge is forwarded to the
other terminals, the resident master is not changed by a terminal, and a purge claiming another
terminal's origin is quarantined without removing anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.hub.emit import emit
from app.hub.hub import Hub
from app.hub.ingest import ingest_file
from app.hub.residents import import_residents
from app.hub.sample import resident_rows, write_residents_csv
from tests.hub.helpers import enrol_sim_terminal
from tests.hub.terminal_sim import SimTerminal


def _purge(t: SimTerminal, items: list[tuple[str, str]], origin: str | None = None) -> Any:
    import uuid_utils

    return {
        "type": "purge",
        "uid": str(uuid_utils.uuid7()),
        "version": t.version(),
        "origin": origin or t.terminal_id,
        "voided": None,
        "data": {
            "purged_on": "2026-12-01",
            "policy_sha256": "a" * 64,
            "items": [{"type": k, "uid": u} for k, u in items],
            "updated_date": "2026-12-01",
            "updated_time": "10:00:00",
            "updated_by": "A001",
        },
    }


def test_a_terminal_purge_removes_and_is_forwarded(hub: Hub, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_residents_csv(tmp_path / "r.csv", list(resident_rows(5, seed=3)))
    import_residents(hub, tmp_path / "r.csv")
    t1, t2 = (
        enrol_sim_terminal(hub, tmp_path, "192015-T001"),
        enrol_sim_terminal(hub, tmp_path, "192015-T002"),
    )
    for t in (t1, t2):
        t.apply(emit(hub, t.terminal_id, out).path)
    person = sorted(t1.of_type("person"))[0]
    gone, kept = t1.vaccination(person), t1.vaccination(person)
    t1.log("record")
    assert ingest_file(hub, t1.changes(out, {"vaccination": [gone, kept]})).code == "OK"
    t2.apply(emit(hub, t2.terminal_id, out).path)
    assert gone["uid"] in t2.of_type("vaccination")

    # T2 cannot purge in T1's name
    forged = _purge(t2, [("vaccination", gone["uid"])], origin=t1.terminal_id)
    t2.log("forged")
    refused = ingest_file(hub, t2.changes(out, {"purge": [forged]}))
    assert (refused.code, refused.quarantined, refused.purged) == ("OK", 1, 0)

    purge = _purge(t1, [("vaccination", gone["uid"]), ("person", person)])
    t1.log("retention.purge")
    result = ingest_file(hub, t1.changes(out, {"purge": [purge]}))
    assert (result.code, result.purged) == ("OK", 1)

    fresh = enrol_sim_terminal(hub, tmp_path, "192015-T003")
    fresh.apply(emit(hub, fresh.terminal_id, out).path)
    assert set(fresh.of_type("vaccination")) == {kept["uid"]}
    assert person in fresh.of_type("person")  # the resident master is the hub's own
    forwarded = t2.apply(emit(hub, t2.terminal_id, out).path)
    assert forwarded is not None
    sent = t2.of_type("purge")
    assert [p["data"]["items"][0]["uid"] for p in sent.values()] == [gone["uid"]]
