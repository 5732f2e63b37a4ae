"""One hub and three REAL terminal registers (created by the terminal code, enrolled the way a
municipality enrols them: terminal key to the hub, the hub's signed trust folder and key id to the
terminal) through six rounds of export → ingest → emit → import, on both engines (``-k postgres``
selects the PostgreSQL run): vaccinations recorded on every terminal, the same vaccination record
corrected concurrently on two terminals, resident changes at the hub (転出, a new address), a
個人番号 entered at a terminal for a person the 住民記録 gave none (provisional at the hub) and a
different one entered for a person who has one (a conflict: the hub's number goes back), and a
terminal revoked midway. The registers start with NO masters: institutions, vaccines and lots come
from the hub (``import-masters``). Afterwards the active registers hold the same records (uid →
version and data for persons, 個人番号, institutions, vaccines, lots and vaccinations), each equal
to what a terminal provisioned only at the end receives with zero quarantined records, every
conflict was in a terminal's conflict queue and in ``hub status``, and nothing the revoked terminal
sent before its revocation was lost.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.hub.emit import emit
from app.hub.hub import Hub, add_terminal, revoke_terminal, status
from app.hub.ingest import ingest_file
from app.hub.masters import import_masters
from app.hub.residents import import_residents
from app.hub.residents_csv import COLUMNS
from app.hub.sample import (
    master_rows,
    mynumber,
    resident_rows,
    write_masters_csv,
    write_residents_csv,
)
from app.security.person_numbers import NumberCipher
from app.security.session import Session
from app.services import (
    person_numbers,
    persons,
    results,
    sync_conflicts,
    sync_export,
    sync_identity,
)
from app.services._sync_records import to_envelope
from app.services.sync_import import import_package
from app.store import sync_outbox
from app.sync import load_public_key
from tests.hub.helpers import HUB_ID
from tests.support.registers import login_as, make_register

TYPES = {
    "person": "persons",
    "person_number": "person_numbers",
    "institution": "institutions",
    "vaccine": "vaccines",
    "lot": "lots",
    "vaccination": "vaccinations",
}
PERSONS = 30


@dataclass
class Terminal:
    directory: Path
    party_id: str
    sent: list[Path]

    def session(self, user: str) -> Session:
        return login_as(self.directory, user)


def _register(tmp_path: Path, name: str) -> tuple[Terminal, Path]:
    """A new register with no persons and no masters: both come from the hub."""
    directory = tmp_path / name
    make_register(directory, with_people=False, demo=True)
    number = login_as(directory, "number")
    try:
        pub = tmp_path / f"{name}.pub.json"
        sync_identity.export_terminal_key(number, pub)
    finally:
        number.register.close()
    return Terminal(directory, load_public_key(pub).party_id, []), pub


def _enrol_trust(hub: Hub, t: Terminal) -> None:
    server_key = load_public_key(hub.layout.keys_dir / f"{HUB_ID}.pub.json")
    admin = t.session("admin")
    try:
        sync_identity.enrol_trust(admin, hub.layout.trust_dir, server_key.key_id)
    finally:
        admin.register.close()


def _export(t: Terminal, out: Path) -> Path:
    number = t.session("number")
    try:
        path = sync_export.export_changes(number, out).path
    finally:
        number.register.close()
    t.sent.append(path)
    return path


def _import(t: Terminal, path: Path) -> int:
    number = t.session("number")
    try:
        result = import_package(number, path)
        assert result.quarantined == 0
        return result.conflicts
    finally:
        number.register.close()


def _record(t: Terminal, atena: str, on: date) -> str:
    nurse = t.session("nurse")
    try:
        person_id = persons.search(nurse, atena).people[0].person_id
        [vid, *_] = results.record(
            nurse,
            person_id,
            results.ResultInput(
                series_id="mr1",
                product_id="mr",
                vaccinated_on=on,
                institution_code="1310000001",
                lot_no="MR001",
                payment_month="2026-07",
            ),
            override_reason="試験のため",
        )
        row = nurse.register.conn.execute(
            "SELECT uid FROM vaccinations WHERE id = ?", (vid,)
        ).fetchone()
        return bytes(row[0]).hex()
    finally:
        nurse.register.close()


def _correct(t: Terminal, uid_hex: str, lot: str) -> None:
    nurse = t.session("nurse")
    try:
        row = nurse.register.conn.execute(
            "SELECT id FROM vaccinations WHERE uid = ?", (bytes.fromhex(uid_hex),)
        ).fetchone()
        results.correct(nurse, row[0], {"lot_no": lot}, "ロット番号の訂正")
    finally:
        nurse.register.close()


def _enter_number(t: Terminal, atena: str, number: str) -> None:
    """The number-use clerk enters a 個人番号 at the counter (a sync change like any other)."""
    clerk = t.session("number")
    try:
        person_id = persons.search(clerk, atena).people[0].person_id
        person_numbers.set_number(clerk, person_id, number)
    finally:
        clerk.register.close()


def _resolve_all(t: Terminal, seen: list[sync_conflicts.ConflictView]) -> None:
    """A person at the terminal decides every open conflict: keeps what the register holds."""
    number = t.session("number")
    try:
        views = sync_conflicts.open_conflicts(number)
        for view in views:
            # a server-owned record's review is closed by taking the server's (applied) version
            choice = "incoming" if view.server_applied else "local"
            sync_conflicts.resolve(number, view.id, choice)
        seen.extend(views)
    finally:
        number.register.close()


def snapshot(t: Terminal) -> dict[tuple[str, str], tuple[str, Any]]:
    """(type, uid) → (version, data) of every person, 個人番号 and vaccination record."""
    number = t.session("number")
    try:
        conn = number.register.conn
        cipher = NumberCipher(number.number_key())
        out: dict[tuple[str, str], tuple[str, Any]] = {}
        for rtype, table in TYPES.items():
            uids = [bytes(r[0]) for r in conn.execute(f"SELECT uid FROM {table}").fetchall()]
            for row in sync_outbox.read_records(conn, rtype, uids):
                _, env = to_envelope(row, party_id=t.party_id, cipher=cipher)
                out[(rtype, env["uid"])] = (env["version"], env["data"])
        return out
    finally:
        number.register.close()


def _residents_csv(path: Path, rows: list[list[str]]) -> None:
    write_residents_csv(path, rows)


def test_hub_and_three_real_registers_converge(hub: Hub, tmp_path: Path) -> None:
    rng = random.Random(7)
    rows = [list(r) for r in resident_rows(PERSONS, seed=43)]
    _residents_csv(tmp_path / "r0.csv", rows)
    assert import_residents(hub, tmp_path / "r0.csv").inserted == PERSONS
    write_masters_csv(tmp_path / "masters.csv", master_rows())
    assert import_masters(hub, tmp_path / "masters.csv").inserted == len(master_rows())
    made = [_register(tmp_path, f"reg{i}") for i in (1, 2, 3)]
    for _, pub in made:
        add_terminal(hub, pub)
    terms = [t for t, _ in made]
    for t in terms:
        _enrol_trust(hub, t)  # the trust naming all three, signed by the hub
    hub_quarantined: list[int] = []
    atenas = [r[0] for r in rows if not r[COLUMNS.index("異動事由")]]
    no_number = [r[0] for r in rows if not r[COLUMNS.index("個人番号")]]
    with_number_atena = next(r[0] for r in rows if r[COLUMNS.index("個人番号")])
    provisional = mynumber(77_777)
    active = list(terms)
    revoked = terms[2]
    out = tmp_path / "medium"
    local_conflicts = 0
    queued: dict[str, list[sync_conflicts.ConflictView]] = {t.party_id: [] for t in terms}
    shared = ""
    sent_before_revocation: set[str] = set()

    def sync_round() -> None:
        nonlocal local_conflicts
        for t in active:
            result = ingest_file(hub, _export(t, out / t.party_id))
            assert result.code == "OK"
            hub_quarantined.append(result.quarantined)
        for t in active:
            local_conflicts += _import(t, emit(hub, t.party_id, out / "hub").path)

    sync_round()  # initial loads: every register gets the hub's residents
    for round_no in range(1, 7):
        day = date(2026, 6, round_no)
        for t in active:
            uid = _record(t, rng.choice(atenas), day)
            if t is revoked:
                sent_before_revocation.add(uid)
            if round_no == 1 and t is terms[0]:
                shared = uid
        if round_no == 2:
            # a 個人番号 entered at the counter for a person the 住民記録 gave none: provisional
            _enter_number(terms[0], no_number[0], provisional)
        if round_no == 3:
            # both edit the shared record (which both hold since round 1) before syncing
            _correct(terms[0], shared, "MR-T1")
            _correct(terms[1], shared, "MR-T2")
            # another number for a person who has one from the 住民記録: a conflict
            _enter_number(terms[1], with_number_atena, mynumber(88_888))
        if round_no == 4:
            moved = rows[5][:]
            moved[COLUMNS.index("異動事由")], moved[COLUMNS.index("異動日")] = "転出", "2026-06-04"
            changed = rows[6][:]
            changed[COLUMNS.index("住所")] = "テスト市新町9-9-9"
            _residents_csv(tmp_path / "r4.csv", [moved, changed])
            assert import_residents(hub, tmp_path / "r4.csv").updated == 2
        sync_round()
        if round_no == 4:
            # everything the third terminal sent so far is in; then its key is revoked
            revoke_terminal(hub, revoked.party_id)
            active.remove(revoked)
            late = _record(revoked, atenas[0], date(2026, 6, 5))
            refused = ingest_file(hub, _export(revoked, out / revoked.party_id))
            assert refused.code != "OK" and late not in sent_before_revocation
        for t in active:
            _resolve_all(t, queued[t.party_id])
    for _ in range(2):  # resolutions travel; then nothing is left to send
        sync_round()

    hub_view = hub_snapshot(hub, tmp_path)
    first, second = (snapshot(t) for t in active)
    assert first == second  # record by record: uid → (version, data)
    assert first == hub_view
    vaccinations = {uid for (rtype, uid) in first if rtype == "vaccination"}
    # nothing lost: 6 rounds × active terminals + the revoked one's 4 rounds before revocation
    assert len(vaccinations) == 6 * 2 + 4
    assert {_uuid(u) for u in sent_before_revocation} <= vaccinations
    assert _uuid(late) not in vaccinations
    assert sum(1 for (rtype, _) in first if rtype == "person") == PERSONS
    with_number = sum(1 for r in rows if r[COLUMNS.index("個人番号")])
    numbers = {
        env_data["person_uid"]: env_data
        for (rtype, _), (_, env_data) in first.items()
        if rtype == "person_number"
    }
    assert len(numbers) == with_number + 1 > 1  # the 住民記録's and the provisional one
    hub_numbers = sorted(r[COLUMNS.index("個人番号")] for r in rows if r[COLUMNS.index("個人番号")])
    assert sorted(d["number"] for d in numbers.values()) == sorted([*hub_numbers, provisional])
    # masters: exactly the hub's, on every register (record by record above)
    masters = {
        rtype: sum(1 for (t, _) in first if t == rtype)
        for rtype in ("institution", "vaccine", "lot")
    }
    assert masters == {"institution": 2, "vaccine": 3, "lot": 4}
    kept = first[("vaccination", _uuid(shared))][1]
    assert kept["lot_no"] in ("MR-T1", "MR-T2")

    report = status(hub)
    assert report["provisional_numbers"] == 1
    assert report["provisional_number_list"][0]["origin"] == terms[0].party_id
    [number_conflict] = [c for c in report["conflict_list"] if c["type"] == "person_number"]
    assert (number_conflict["kept_origin"], number_conflict["other_origin"]) == (
        HUB_ID,
        terms[1].party_id,
    )
    # the one record the hub quarantined: the conflicting number (the revoked terminal's late
    # package is refused whole, as before)
    assert sum(hub_quarantined) == 1
    records_held = [q for q in report["quarantine_list"] if q["record_type"] is not None]
    assert [(q["record_type"], q["code"]) for q in records_held] == [
        ("person_number", "E_HUB_NUMBER_CONFLICT")
    ]
    [conflict] = [c for c in report["conflict_list"] if c["uid"] == _uuid(shared)]
    assert {conflict["kept_origin"], conflict["other_origin"]} == {
        terms[0].party_id,
        terms[1].party_id,
    }
    assert report["conflicts"] >= 1
    # the hub's decision reached both terminals' conflict queues, with the other edit in it
    assert local_conflicts >= 2
    for t in terms[:2]:
        [view] = [v for v in queued[t.party_id] if v.record_type == "vaccination"]
        lots = {f.local for f in view.fields if f.name == "lot_no"}
        lots |= {f.incoming for f in view.fields if f.name == "lot_no"}
        assert lots == {"MR-T1", "MR-T2"}
    # the number the hub refused reached the entering terminal's queue for review only, its
    # number hidden on both sides (the losing one sealed under the hub's key, the kept one under NK)
    [review] = [v for v in queued[terms[1].party_id] if v.record_type == "person_number"]
    assert review.server_owned and review.server_applied
    assert [(f.local, f.incoming) for f in review.fields if f.name == "number"] == [
        ("（暗号化）", "（暗号化）")
    ]
    assert not [v for v in queued[terms[0].party_id] if v.record_type == "person_number"]
    assert not queued[revoked.party_id]
    by_id = {t["id"]: t for t in report["terminals"]}
    assert by_id[revoked.party_id]["revoked_at"] is not None
    for t in active:
        assert by_id[t.party_id]["unacknowledged_changes"] == 0
        number = t.session("number")
        try:
            assert sync_conflicts.open_conflicts(number) == []
            moved_out = number.register.conn.execute(
                "SELECT moved_out FROM persons WHERE atena_no = ?", (rows[5][0],)
            ).fetchone()[0]
        finally:
            number.register.close()
        assert moved_out == 1


def _uuid(uid_hex: str) -> str:
    import uuid

    return str(uuid.UUID(hex=uid_hex))


def hub_snapshot(hub: Hub, tmp_path: Path) -> dict[tuple[str, str], tuple[str, Any]]:
    """The hub's register as a terminal provisioned only now receives it (its ``initial``
    package, applied with zero quarantined records: ``_import`` checks)."""
    viewer, pub = _register(tmp_path, "viewer")
    add_terminal(hub, pub)
    _enrol_trust(hub, viewer)
    _import(viewer, emit(hub, viewer.party_id, tmp_path / "viewer-in").path)
    return snapshot(viewer)
