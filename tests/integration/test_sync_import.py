"""Import of server packages: apply in one transaction, personal numbers sealed, ack and audit_ack
stored, replay reported as already imported, gap / rollback / wrong recipient refused with the
file quarantined and no record changed, permissions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.kana import normalize_kana
from app.errors import PermissionDenied
from app.security.person_numbers import NumberCipher
from app.security.session import Session
from app.services import _sync_apply, sync_export, sync_status
from app.services.sync_import import import_package
from app.store import audit, sync_state
from app.sync.errors import PackageError
from app.sync.keys import generate_keypair
from tests.support.registers import login_as
from tests.support.sync_env import (
    SERVER_ID,
    SyncEnv,
    channel,
    dump_tables,
    local_envelope,
    number_env,
    person_env,
    server_edit,
)

NUMBER = "123456789018"


@pytest.fixture
def number(env: SyncEnv) -> Iterator[Session]:
    s = login_as(env.directory, "number")
    yield s
    s.register.close()


def _refused(session: Session, path: Path, code: str) -> PackageError:
    conn = session.register.conn
    before = dump_tables(conn)
    with pytest.raises(PackageError) as err:
        import_package(session, path)
    assert err.value.code == code
    assert dump_tables(conn) == before  # no record changed
    last = next(audit.query(conn, action="sync.import", limit=1))
    assert last.outcome == "failed" and json.loads(last.detail)["code"] == code
    assert not path.exists()  # moved to the quarantine folder, with its report
    folder = session.register.directory / "quarantine"
    reports = [json.loads(p.read_text("utf-8")) for p in folder.glob("*.report.json")]
    assert any(r["code"] == code and r["original"] == path.name for r in reports)
    return err.value


def test_update_applies_persons_and_seals_the_personal_number(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    person = person_env("0000000100")
    pkg = tmp_path / "u1.vxpkg"
    env.build_update(
        pkg, {"person": [person], "person_number": [number_env(person["uid"], NUMBER)]}
    )
    result = import_package(number, pkg)
    assert (result.sequence, result.applied, result.quarantined) == (1, 2, 0)
    conn = number.register.conn
    row = conn.execute(
        "SELECT p.uid, n.number_ct, n.blind_index, p.kana_key FROM persons p"
        " JOIN person_numbers n ON n.person_id = p.id WHERE p.atena_no = '0000000100'"
    ).fetchone()
    cipher = NumberCipher(number.number_key())
    assert NUMBER.encode() not in bytes(row[1])
    assert cipher.decrypt(bytes(row[0]), bytes(row[1])) == NUMBER
    assert bytes(row[2]) == cipher.blind_index(NUMBER)
    assert row[3]  # the search key is derived locally
    chan = channel(conn)
    assert chan.last_applied_seq == 1 and chan.last_import_at
    # The number is nowhere in plaintext: not in any file of the register folder, and the
    # package layer's private work folder is empty again.
    for file in number.register.directory.rglob("*"):
        if file.is_file():
            assert NUMBER.encode() not in file.read_bytes()
    assert not any((number.register.directory / "sync-work").iterdir())
    # Re-importing the same file: "already imported", nothing changes.
    before = dump_tables(conn)
    again = import_package(number, pkg)
    assert again.already_imported and dump_tables(conn) == before


def test_ack_acknowledges_the_outbox_and_audit_ack_anchors_the_chain(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    sent = sync_export.export_changes(number, tmp_path / "m")
    conn = number.register.conn
    head_seq, head_hash = sync_state.sent_packages(conn, SERVER_ID)[0].audit_head_seq, None
    head_hash = sync_state.sent_packages(conn, SERVER_ID)[0].audit_head_hash
    pkg = tmp_path / "u1.vxpkg"
    env.build_update(
        pkg,
        ack=1,
        manifest_extra={
            "audit_ack": {"terminal": env.terminal.party_id, "seq": head_seq, "hash": head_hash}
        },
    )
    result = import_package(number, pkg)
    assert result.acknowledged == 1
    assert sync_status.unsent_count(number) == 0
    chan = channel(conn)
    assert (chan.acked_seq, chan.audit_ack_seq, chan.audit_ack_hash) == (1, head_seq, head_hash)
    assert not (env.directory / "sync-sent" / sent.path.name).exists()  # kept copy dropped


def test_sequence_gap_is_refused_and_names_the_missing_sequence(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    pkg = tmp_path / "u2.vxpkg"
    env.build_update(pkg, {"person": [person_env("0000000101")]}, sequence=2)
    err = _refused(number, pkg, "E_SEQUENCE_GAP")
    assert "1" in err.message_ja


def test_rollback_and_replay_are_refused(env: SyncEnv, number: Session, tmp_path: Path) -> None:
    first = tmp_path / "u1.vxpkg"
    built = env.build_update(first, {"person": [person_env("0000000102")]})
    import_package(number, first)
    other = tmp_path / "u1-fork.vxpkg"
    env.build_update(other, {"person": [person_env("0000000103")]}, sequence=1)
    _refused(number, other, "E_ROLLBACK")
    replay = tmp_path / "u2-replay.vxpkg"
    env.build_update(replay, sequence=2, package_id=built.package_id)
    _refused(number, replay, "E_REPLAY")


def test_another_terminals_package_is_refused(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    other = generate_keypair("192015-T999").public
    pkg = tmp_path / "other.vxpkg"
    env.build_update(pkg, {"person": [person_env("0000000104")]}, recipient=other)
    _refused(number, pkg, "E_WRONG_RECIPIENT")


@pytest.mark.parametrize("user", ["clerk", "nurse", "admin", "auditor"])
def test_other_roles_cannot_import(env: SyncEnv, tmp_path: Path, user: str) -> None:
    pkg = tmp_path / "u1.vxpkg"
    env.build_update(pkg, {"person": [person_env("0000000105")]})
    session = login_as(env.directory, user)
    try:
        before = dump_tables(session.register.conn)
        with pytest.raises(PermissionDenied):
            import_package(session, pkg)
        assert dump_tables(session.register.conn) == before
    finally:
        session.register.close()
    assert pkg.exists()  # not even looked at


def test_business_rule_failures_are_quarantined_one_by_one(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    mother = person_env("0000000400")
    child = person_env("0000000401", guardian_uid=mother["uid"])  # refers inside the batch
    twin = person_env("0000000401")  # the same 宛名番号 as another record: refused alone
    orphan = person_env("0000000402", household_uid="01938a2e-7a4b-7c3d-8e4f-0000000000aa")
    bad_number = number_env(mother["uid"], "123456789012")  # wrong check digit
    pkg = tmp_path / "u1.vxpkg"
    env.build_update(pkg, {"person": [mother, child, twin, orphan], "person_number": [bad_number]})
    result = import_package(number, pkg)
    assert (result.applied, result.quarantined) == (2, 3)
    conn = number.register.conn
    codes = sorted(r[0] for r in conn.execute("SELECT code FROM sync_record_quarantine"))
    assert codes == ["E_SYNC_CONSTRAINT", "E_SYNC_MYNUMBER", "E_SYNC_REFERENCE"]
    stored = conn.execute("SELECT envelope FROM sync_record_quarantine").fetchall()
    assert all("123456789012" not in r[0] for r in stored)  # the number is sealed
    guardian = conn.execute(
        "SELECT g.atena_no FROM persons p JOIN persons g ON g.id = p.guardian_id"
        " WHERE p.atena_no = '0000000401'"
    ).fetchone()
    assert guardian == ("0000000400",)


@pytest.mark.parametrize("chunk", [2, 2000])
def test_records_read_ahead_in_chunks_apply_as_one_by_one(
    env: SyncEnv, number: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Stored rows and references are read per chunk: a record that comes twice, a guardian
    earlier in the same package, a changed and an unchanged kana name all end as if the records
    were applied one by one (chunk=2 puts them across chunk boundaries)."""
    monkeypatch.setattr(_sync_apply, "CHUNK", chunk)
    conn = number.register.conn
    taro_uid = conn.execute("SELECT uid FROM persons WHERE atena_no = '0000000001'").fetchone()[0]
    hanako_uid = conn.execute(
        "SELECT uid FROM persons WHERE atena_no <> '0000000001' ORDER BY id LIMIT 1"
    ).fetchone()[0]
    taro = server_edit(local_envelope(conn, "person", bytes(taro_uid)), address="新住所1-1")
    hanako = local_envelope(conn, "person", bytes(hanako_uid))
    hanako = server_edit(hanako, name_kana="カイメイ ハナコ")
    parent = person_env("0000000201", "オヤ イチロウ")
    child = person_env("0000000202", "コ ジロウ", guardian_uid=parent["uid"])
    twice = person_env("0000000203", "ニド サブロウ")
    newer = server_edit(twice, address="二度目の住所")
    pkg = tmp_path / "u.vxpkg"
    env.build_update(pkg, {"person": [parent, taro, child, twice, hanako, newer]})
    result = import_package(number, pkg)
    assert (result.applied, result.quarantined, result.conflicts) == (6, 0, 0)
    rows = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT p.atena_no, p.address, p.name_kana, p.kana_key, g.atena_no FROM persons p"
            " LEFT JOIN persons g ON g.id = p.guardian_id"
        )
    }
    assert rows["0000000001"][0] == "新住所1-1"
    assert rows["0000000202"][3] == "0000000201"
    assert rows["0000000203"][0] == "二度目の住所"
    for atena, (_, name_kana, kana_key, _) in rows.items():
        assert kana_key == normalize_kana(name_kana), atena
    assert rows[hanako["data"]["atena_no"]][1] == "カイメイ ハナコ"


@pytest.mark.parametrize(
    ("edits", "expected", "quarantined"),
    [
        # the higher row takes the lower row's 宛名番号, which the lower row gives up only later
        ([("hi", "lo"), ("lo", "0000000901")], {"lo": "0000000901", "hi": "hi"}, 1),
        # the higher row gives its number up first, the lower row takes it after
        ([("hi", "0000000902"), ("lo", "hi")], {"lo": "hi", "hi": "0000000902"}, 0),
        # a plain swap: each is refused while the other still holds the number
        ([("lo", "hi"), ("hi", "lo")], {"lo": "lo", "hi": "hi"}, 2),
        # a new resident after an update that took its number: the new one is refused
        ([("hi", "0000000903"), ("new", "0000000903")], {"lo": "lo", "hi": "0000000903"}, 1),
        # a new resident takes the number an earlier update gave up
        ([("hi", "0000000904"), ("new", "hi")], {"lo": "lo", "hi": "0000000904"}, 0),
    ],
)
def test_unique_values_moved_between_rows_end_as_in_package_order(
    env: SyncEnv,
    number: Session,
    tmp_path: Path,
    edits: list[tuple[str, str]],
    expected: dict[str, str],
    quarantined: int,
) -> None:
    """Updates held to the end of a chunk and written in row-id order must end exactly as the
    records applied one by one in package order when they move a unique value (宛名番号)."""
    conn = number.register.conn
    rows = conn.execute("SELECT uid, atena_no FROM persons ORDER BY id LIMIT 2").fetchall()
    uid = {"lo": bytes(rows[0][0]), "hi": bytes(rows[1][0])}
    atena = {"lo": str(rows[0][1]), "hi": str(rows[1][1])}
    records = [
        person_env(atena.get(to, to))
        if who == "new"
        else server_edit(local_envelope(conn, "person", uid[who]), atena_no=atena.get(to, to))
        for who, to in edits
    ]
    pkg = tmp_path / "swap.vxpkg"
    env.build_update(pkg, {"person": records})
    result = import_package(number, pkg)
    assert (result.applied, result.quarantined) == (len(edits) - quarantined, quarantined)
    got = {
        who: conn.execute("SELECT atena_no FROM persons WHERE uid = ?", (uid[who],)).fetchone()[0]
        for who in uid
    }
    assert got == {who: atena.get(to, to) for who, to in expected.items()}
    codes = [r[0] for r in conn.execute("SELECT code FROM sync_record_quarantine")]
    assert codes == ["E_SYNC_CONSTRAINT"] * quarantined
