"""個人番号 entered at a terminal (issue 10): provisional at the hub for a person without one,
reported in ``hub status``, sent to the other terminals, confirmed or replaced by the 住民記録;
a different number from the hub's is quarantined as a conflict and the hub's number goes back to
the terminal; invalid, duplicate and unknown-person numbers are quarantined alone. Both engines.
The number itself never appears in plain text in the hub's tables, status or quarantine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import uuid_utils
from sqlalchemy import select

from app.hub.emit import emit
from app.hub.hub import Hub, status
from app.hub.ingest import ingest_file
from app.hub.residents import import_residents
from app.hub.residents_csv import COLUMNS
from app.hub.sample import mynumber, resident_rows, write_residents_csv
from app.hub.store.schema import conflicts, person_numbers, quarantine
from tests.hub.helpers import HUB_ID, enrol_sim_terminal
from tests.hub.terminal_sim import SimTerminal

NUMBER = COLUMNS.index("個人番号")


def _number_env(
    t: SimTerminal, person_uid: str, number: str, *, uid: str | None = None
) -> dict[str, Any]:
    env: dict[str, Any] = {
        "type": "person_number",
        "uid": uid or str(uuid_utils.uuid7()),
        "version": t.version(),
        "origin": t.terminal_id,
        "voided": None,
        "data": {
            "person_uid": person_uid,
            "number": number,
            "updated_date": "2026-11-20",
            "updated_time": "10:00:00",
            "updated_by": "K001",
        },
    }
    t.records[("person_number", env["uid"])] = env
    return env


def _send(hub: Hub, t: SimTerminal, tmp_path: Path, envs: list[dict[str, Any]]) -> Any:
    t.log("number")
    return ingest_file(hub, t.changes(tmp_path / t.terminal_id / "out", {"person_number": envs}))


def _setup(hub: Hub, tmp_path: Path) -> tuple[list[list[str]], SimTerminal, SimTerminal]:
    rows = [list(r) for r in resident_rows(8, seed=9)]  # persons 4 and 8 have no number
    write_residents_csv(tmp_path / "r.csv", rows)
    import_residents(hub, tmp_path / "r.csv")
    t1, t2 = (enrol_sim_terminal(hub, tmp_path, f"192015-T00{i}") for i in (1, 2))
    for t in (t1, t2):
        t.apply(emit(hub, t.terminal_id, tmp_path / "hub-out").path)
    return rows, t1, t2


def _person_uid(t: SimTerminal, atena: str) -> str:
    return next(u for u, e in t.of_type("person").items() if e["data"]["atena_no"] == atena)


def _number_of(t: SimTerminal, person_uid: str) -> list[dict[str, Any]]:
    return [e for e in t.of_type("person_number").values() if e["data"]["person_uid"] == person_uid]


def _tables_text(hub: Hub) -> str:
    with hub.store.begin() as conn:
        parts = [
            repr(list(conn.execute(select(t)))) for t in (person_numbers, conflicts, quarantine)
        ]
    return "".join(parts) + json.dumps(status(hub), ensure_ascii=False)


def test_a_number_for_a_person_without_one_is_provisional_and_sent_on(
    hub: Hub, tmp_path: Path
) -> None:
    rows, t1, t2 = _setup(hub, tmp_path)
    person = _person_uid(t1, rows[3][0])
    assert rows[3][NUMBER] == "" and _number_of(t1, person) == []
    number = mynumber(90_001)
    env = _number_env(t1, person, number)
    result = _send(hub, t1, tmp_path, [env])
    assert (result.code, result.applied, result.quarantined) == ("OK", 1, 0)

    report = status(hub)
    assert report["provisional_numbers"] == 1
    [entry] = report["provisional_number_list"]
    assert (entry["person_uid"], entry["uid"], entry["origin"]) == (
        person,
        env["uid"],
        t1.terminal_id,
    )
    assert number not in _tables_text(hub)

    t2.apply(emit(hub, t2.terminal_id, tmp_path / "hub-out").path)
    [received] = _number_of(t2, person)
    assert received["uid"] == env["uid"] and received["data"]["number"] == number
    assert received["origin"] == t1.terminal_id and received["version"] == env["version"]

    # a correction of the same record while provisional is taken
    corrected = {
        **env,
        "version": t1.version(),
        "data": {**env["data"], "number": mynumber(90_002)},
    }
    assert _send(hub, t1, tmp_path, [corrected]).applied == 1
    t2.apply(emit(hub, t2.terminal_id, tmp_path / "hub-out").path)
    assert _number_of(t2, person)[0]["data"]["number"] == mynumber(90_002)

    # the 住民記録 then brings the same number: confirmed (no longer provisional)
    confirmed = rows[3][:]
    confirmed[NUMBER] = mynumber(90_002)
    write_residents_csv(tmp_path / "r2.csv", [confirmed])
    assert import_residents(hub, tmp_path / "r2.csv").updated == 1
    assert status(hub)["provisional_numbers"] == 0
    t2.apply(emit(hub, t2.terminal_id, tmp_path / "hub-out").path)
    [after] = _number_of(t2, person)
    assert after["uid"] == env["uid"] and after["origin"] == HUB_ID
    assert after["data"]["number"] == mynumber(90_002) and after["version"] > corrected["version"]


def test_the_resident_master_replaces_a_provisional_number(hub: Hub, tmp_path: Path) -> None:
    rows, t1, _ = _setup(hub, tmp_path)
    person = _person_uid(t1, rows[7][0])
    _send(hub, t1, tmp_path, [_number_env(t1, person, mynumber(90_010))])
    official = rows[7][:]
    official[NUMBER] = mynumber(90_011)
    write_residents_csv(tmp_path / "r2.csv", [official])
    import_residents(hub, tmp_path / "r2.csv")
    assert status(hub)["provisional_numbers"] == 0
    t1.apply(emit(hub, t1.terminal_id, tmp_path / "hub-out").path)
    [number] = _number_of(t1, person)
    assert number["data"]["number"] == mynumber(90_011) and number["origin"] == HUB_ID


def test_a_different_number_from_the_hubs_is_a_conflict_sent_back(hub: Hub, tmp_path: Path) -> None:
    rows, t1, t2 = _setup(hub, tmp_path)
    person = _person_uid(t1, rows[0][0])
    [hub_record] = _number_of(t1, person)
    assert hub_record["data"]["number"] == rows[0][NUMBER]
    wrong = mynumber(90_020)
    # the terminal edits the record it received from the hub
    edited = {
        **hub_record,
        "version": t1.version(2_000_000_000_000),  # even a clock far ahead loses to the hub
        "origin": t1.terminal_id,
        "data": {**hub_record["data"], "number": wrong},
    }
    t1.records[("person_number", hub_record["uid"])] = edited
    result = _send(hub, t1, tmp_path, [edited])
    assert (result.code, result.applied, result.quarantined, result.conflicts) == ("OK", 0, 1, 1)

    report = status(hub)
    assert [q["code"] for q in report["quarantine_list"]] == ["E_HUB_NUMBER_CONFLICT"]
    [conflict] = [c for c in report["conflict_list"] if c["type"] == "person_number"]
    assert (conflict["kept_origin"], conflict["other_origin"]) == (HUB_ID, t1.terminal_id)
    assert report["provisional_numbers"] == 0
    assert wrong not in _tables_text(hub) and rows[0][NUMBER] not in _tables_text(hub)

    back = emit(hub, t1.terminal_id, tmp_path / "hub-out")
    t1.apply(back.path)
    [now] = _number_of(t1, person)
    assert now["data"]["number"] == rows[0][NUMBER] and now["version"] > edited["version"]
    [sent] = [c for c in t1.conflicts if c["type"] == "person_number"]
    assert sent["uid"] == hub_record["uid"] and "number" not in sent["other"]["data"]
    # the other terminal gets the same number again (content unchanged)
    t2.apply(emit(hub, t2.terminal_id, tmp_path / "hub-out").path)
    assert _number_of(t2, person)[0]["data"]["number"] == rows[0][NUMBER]


def test_the_same_number_again_changes_nothing(hub: Hub, tmp_path: Path) -> None:
    rows, t1, _ = _setup(hub, tmp_path)
    person = _person_uid(t1, rows[1][0])
    [hub_record] = _number_of(t1, person)
    again = {**hub_record, "version": t1.version(), "origin": t1.terminal_id}
    result = _send(hub, t1, tmp_path, [again])
    assert (result.applied, result.unchanged, result.quarantined) == (0, 1, 0)


def test_invalid_duplicate_and_unknown_person_numbers_are_quarantined_alone(
    hub: Hub, tmp_path: Path
) -> None:
    rows, t1, _ = _setup(hub, tmp_path)
    no_number = _person_uid(t1, rows[3][0])
    bad_digit = mynumber(90_030)[:11] + str((int(mynumber(90_030)[11]) + 1) % 10)
    envs = [
        _number_env(t1, no_number, bad_digit),  # E_HUB_NUMBER_INVALID
        _number_env(t1, no_number, rows[0][NUMBER]),  # another person's: E_HUB_NUMBER_DUPLICATE
        _number_env(t1, str(uuid_utils.uuid7()), mynumber(90_031)),  # E_HUB_UNKNOWN_PERSON
        _number_env(t1, _person_uid(t1, rows[7][0]), mynumber(90_032)),  # fine
    ]
    result = _send(hub, t1, tmp_path, envs)
    assert (result.code, result.applied, result.quarantined) == ("OK", 1, 3)
    got = {(q["record_uid"], q["code"]) for q in status(hub)["quarantine_list"]}
    assert got == {
        (envs[0]["uid"], "E_HUB_NUMBER_INVALID"),
        (envs[1]["uid"], "E_HUB_NUMBER_DUPLICATE"),
        (envs[2]["uid"], "E_HUB_UNKNOWN_PERSON"),
    }
    assert status(hub)["provisional_numbers"] == 1
