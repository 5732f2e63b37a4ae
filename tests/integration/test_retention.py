"""Retention and erasure (issue 11 item 15): counts by kind, confirmation of exactly the
previewed counts, a stale preview refused, one audited transaction, purge records queued for the
server, tombstones, and the purged values gone from the register's decrypted pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from app.domain.kana import normalize_kana
from app.domain.retention import DEFAULT_POLICY, KINDS, RetentionPolicyInvalid, policy_from_json
from app.errors import PermissionDenied
from app.security.session import Session
from app.services import person_numbers, retention
from app.services._line_check import line_check
from app.services._sync_records import line_shapes
from app.services.recovery import open_with_recovery_code
from app.store import db, persons, stamps
from app.store.layout import RegisterLayout
from tests.support.builder import RegisterBuilder
from tests.support.registers import login_as, make_register
from tests.support.sqlcipher_pages import find_in_pages

ON = date(2026, 12, 1)
NUMBER = "123456789018"
GONE_NAME = "消去 対象子"
GONE_ADDRESS = "テスト市消去町9-9-9"
GONE_LOT = "LOTPURGE0001"
GONE_DOCTOR = "医師消去太郎"
KEPT_LOT = "LOTKEPT00001"
COVID_LOT = "LOTCOVID0001"


@dataclass
class World:
    directory: Path
    admin: Session
    number: Session
    gone: int
    kept_resident: int


def _person(
    build: RegisterBuilder, atena: str, name: str, address: str, *, household_id: int | None = None
) -> int:
    return build.person(
        persons.NewPerson(
            atena_no=atena,
            name=name,
            name_kana="テスト",
            kana_key=normalize_kana("テスト"),
            sex="F",
            birth_date="2008-05-01",
            address=address,
            household_id=household_id,
        )
    )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    directory = tmp_path / "reg"
    code = make_register(directory)
    access = open_with_recovery_code(directory, code)
    conn = access.register.conn
    build = RegisterBuilder(conn)
    with db.transaction(conn):
        household = build.household("H0900", GONE_ADDRESS)
        gone = _person(build, "0000000901", GONE_NAME, GONE_ADDRESS, household_id=household)
        build.move_out(gone, "2015-04-01")
        issuance = build.issuance(
            gone,
            fiscal_year=2012,
            doc_type="voucher",
            issue_no="9000000001",
            issued_on="2012-04-02",
            process_kind="new",
        )
        build.vaccination(
            gone,
            series_id="mr1",
            vaccinated_on="2012-05-01",
            lot_no=GONE_LOT,
            doctor=GONE_DOCTOR,
            issuance_id=issuance,
        )
        build.vaccination(
            gone,
            series_id="mr2",
            vaccinated_on="2013-05-01",
            outcome="postponed",
            postpone_reason="発熱",
        )
        # deceased 2022: COVID special records are held until 5 years after death
        died = _person(build, "0000000902", "死亡 二子", "テスト市本町5")
        build.die(died, "2022-01-01")
        build.vaccination(
            died, series_id="covid_special", vaccinated_on="2021-06-01", lot_no=COVID_LOT
        )
        # a resident: records kept whatever their age (default policy)
        resident = _person(build, "0000000903", "在住 三子", "テスト市本町6")
        build.vaccination(resident, series_id="mr1", vaccinated_on="2010-05-01", lot_no=KEPT_LOT)
        # moved out 2024: the old record goes, the person stays until 2029
        recent = _person(build, "0000000904", "転出 四子", "テスト市本町7")
        build.move_out(recent, "2024-04-01")
        build.vaccination(recent, series_id="mr1", vaccinated_on="2012-06-01")
    access.register.close()
    admin, number = login_as(directory, "admin"), login_as(directory, "number")
    person_numbers.set_number(number, gone, NUMBER)
    yield World(directory, admin, number, gone, resident)
    admin.register.close()
    number.register.close()


EXPECTED = {
    "vaccination": 2,
    "postponement": 1,
    "issuance": 1,
    "person_number": 1,
    "person": 1,
    "household": 1,
}


def _count(conn: db.Connection, sql: str, *args: object) -> int:
    return int(conn.execute(sql, args).fetchone()[0])


def test_default_policy_is_domain_section_7() -> None:
    assert DEFAULT_POLICY.vaccination_years == 5
    assert DEFAULT_POLICY.exit_years == 5
    (rule,) = DEFAULT_POLICY.extended
    assert rule.series == ("covid_special",) and rule.after_death_years == 5
    assert rule.effective_from == "2026-02-01"
    assert policy_from_json(DEFAULT_POLICY.to_json()) == DEFAULT_POLICY


@pytest.mark.parametrize(
    "change",
    [
        {"vaccination_years": 0},
        {"exit_years": "5"},
        {"keep_records_of_residents": 1},
        {"extended": [{"series": ["COVID!"], "after_death_years": 5, "from": "2026-02-01"}]},
        {"extended": [{"series": ["covid_special"], "after_death_years": 5, "from": "2026-02-30"}]},
        {"surprise": True},
    ],
)
def test_bad_policy_is_refused_and_changes_nothing(world: World, change: dict[str, object]) -> None:
    before = retention.current_policy(world.admin)
    with pytest.raises(RetentionPolicyInvalid) as err:
        policy_from_json({**DEFAULT_POLICY.to_json(), **change})
    assert err.value.code == "E_RETENTION_POLICY"
    assert retention.current_policy(world.admin) == before


def test_preview_counts_by_kind_and_changes_no_record(world: World) -> None:
    conn = world.admin.register.conn
    rows = _count(conn, "SELECT count(*) FROM vaccinations")
    preview = retention.preview(world.admin, ON)
    assert preview.counts == EXPECTED
    assert preview.total == 7
    assert _count(conn, "SELECT count(*) FROM vaccinations") == rows
    action, detail = conn.execute(
        "SELECT action, detail FROM audit_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert action == "retention.preview"
    assert json.loads(detail)["person"] == 1
    assert GONE_NAME not in detail and NUMBER not in detail


def test_preview_refuses_a_future_day(world: World) -> None:
    with pytest.raises(retention.RetentionDateInvalid) as err:
        retention.preview(world.admin, date(2999, 1, 1))
    assert err.value.code == "E_RETENTION_DATE"


def test_only_an_administrator_manages_retention(world: World) -> None:
    with pytest.raises(PermissionDenied):
        retention.preview(world.number, ON)
    preview = retention.preview(world.admin, ON)
    with pytest.raises(PermissionDenied):
        retention.purge(world.number, preview, preview.counts)
    assert (
        _count(world.admin.register.conn, "SELECT count(*) FROM persons WHERE id = ?", world.gone)
        == 1
    )


def test_wrong_confirmation_deletes_nothing(world: World) -> None:
    conn = world.admin.register.conn
    preview = retention.preview(world.admin, ON)
    wrong = {**preview.counts, "person": 0}
    with pytest.raises(retention.RetentionConfirmMismatch) as err:
        retention.purge(world.admin, preview, wrong)
    assert err.value.code == "E_RETENTION_CONFIRM"
    assert _count(conn, "SELECT count(*) FROM persons WHERE id = ?", world.gone) == 1


def test_a_changed_set_is_refused_as_stale(world: World) -> None:
    conn = world.admin.register.conn
    preview = retention.preview(world.admin, ON)
    # another old record of the moved-out person arrives after the preview
    with db.transaction(conn):
        RegisterBuilder(conn).vaccination(world.gone, series_id="bcg", vaccinated_on="2009-01-05")
    before = _count(conn, "SELECT count(*) FROM vaccinations")
    with pytest.raises(retention.RetentionPreviewStale) as err:
        retention.purge(world.admin, preview, preview.counts)
    assert err.value.code == "E_RETENTION_PREVIEW_STALE"
    assert _count(conn, "SELECT count(*) FROM vaccinations") == before
    assert _count(conn, "SELECT count(*) FROM retention_purges") == 0
    # a changed policy makes the preview stale too
    preview = retention.preview(world.admin, ON)
    retention.set_policy(world.admin, replace(DEFAULT_POLICY, exit_years=6))
    with pytest.raises(retention.RetentionPreviewStale):
        retention.purge(world.admin, preview, preview.counts)


def test_purge_removes_exactly_the_set_audits_queues_and_tombstones(world: World) -> None:
    conn = world.admin.register.conn
    preview = retention.preview(world.admin, ON)
    stages: list[str] = []
    result = retention.purge(
        world.admin, preview, dict(preview.counts), progress=lambda s, d, t: stages.append(s)
    )
    assert result.counts == EXPECTED
    assert {"delete", "vacuum"} <= set(stages)
    assert _count(conn, "SELECT count(*) FROM persons WHERE id = ?", world.gone) == 0
    assert _count(conn, "SELECT count(*) FROM person_numbers") == 0
    assert _count(conn, "SELECT count(*) FROM vaccinations WHERE lot_no = ?", KEPT_LOT) == 1
    assert _count(conn, "SELECT count(*) FROM vaccinations WHERE lot_no = ?", COVID_LOT) == 1
    assert _count(conn, "SELECT count(*) FROM persons WHERE atena_no = '0000000904'") == 1
    assert _count(conn, "SELECT count(*) FROM retention_tombstones") == 7
    # one purge record, queued for export, listing the seven {type, uid} pairs
    assert _count(conn, "SELECT count(*) FROM outbox WHERE record_type = 'purge'") == 1
    items = json.loads(conn.execute("SELECT items FROM retention_purges").fetchone()[0])
    assert sorted(t for t, _ in items) == sorted(k for k, n in EXPECTED.items() for _ in range(n))
    # the outbox no longer names the purged person number's record
    assert _count(conn, "SELECT count(*) FROM outbox WHERE record_type = 'person_number'") == 0
    user, action, detail = conn.execute(
        "SELECT user_id, action, detail FROM audit_log WHERE seq = ?", (result.audit_seq,)
    ).fetchone()
    assert (user, action) == (world.admin.user_id, "retention.purge")
    detail = json.loads(detail)
    assert {k: detail[k] for k in KINDS} == EXPECTED
    assert detail["policy"] == DEFAULT_POLICY.digest()
    # nothing left to purge; the register is healthy and incrementally vacuumed from now on
    assert retention.preview(world.admin, ON).total == 0
    assert db.integrity_check(conn) == []
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 0


def test_purged_values_are_gone_from_the_decrypted_pages(world: World) -> None:
    conn = world.admin.register.conn
    path = RegisterLayout(world.directory).database
    assert path.is_file()
    key = world.admin.register.dek
    number_ct = bytes(conn.execute("SELECT number_ct FROM person_numbers").fetchone()[0])
    blind = bytes(conn.execute("SELECT blind_index FROM person_numbers").fetchone()[0])
    needles = [
        GONE_NAME.encode(),
        GONE_ADDRESS.encode(),
        GONE_LOT.encode(),
        GONE_DOCTOR.encode(),
        b"9000000001",  # 発行番号
        b"0000000901",  # 宛名番号 (also in the persons_list index)
        number_ct,
        blind,
    ]
    control = [KEPT_LOT.encode(), COVID_LOT.encode()]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # the scanner sees them before: the test would notice a value that stayed
    assert find_in_pages(path, key, needles + control) == set(needles + control)
    preview = retention.preview(world.admin, ON)
    retention.purge(world.admin, preview, preview.counts)
    assert find_in_pages(path, key, needles + control) == set(control)
    # a second purge runs the incremental vacuum path and leaves the pages clean too
    with db.transaction(conn):
        build = RegisterBuilder(conn)
        again = _person(build, "0000000905", "再消去 五子", "テスト市再消去町1")
        build.die(again, "2001-01-01")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert find_in_pages(path, key, ["再消去 五子".encode()]) == {"再消去 五子".encode()}
    preview = retention.preview(world.admin, ON)
    assert preview.counts["person"] == 1
    retention.purge(world.admin, preview, preview.counts)
    assert find_in_pages(path, key, ["再消去 五子".encode(), "テスト市再消去町1".encode()]) == set()


def test_stored_package_lines_of_purged_records_are_gone_from_the_pages(world: World) -> None:
    """Lines stored for export (migration 0009) hold a record's values too: a purge takes them
    with the rows (the delete triggers, under ``secure_delete``; a deleted person takes every
    stored line: the export then reads those records from their rows)."""
    conn = world.admin.register.conn
    rows = conn.execute(
        "SELECT uid, version FROM vaccinations WHERE lot_no IN (?, ?)", (GONE_LOT, KEPT_LOT)
    ).fetchall()
    with db.transaction(conn):
        for uid, version in rows:
            shapes = line_shapes(conn, "vaccination")
            stamps.queue_outbox(
                conn,
                "vaccination",
                bytes(uid),
                str(version),
                shapes=shapes,
                check=line_check("vaccination"),
            )
    lines = [bytes(r[0]) for r in conn.execute("SELECT line FROM outbox_lines")]
    assert len(lines) == 2 and sum(GONE_LOT.encode() in line for line in lines) == 1
    path = RegisterLayout(world.directory).database
    needles = [GONE_LOT.encode(), GONE_DOCTOR.encode(), KEPT_LOT.encode()]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert find_in_pages(path, world.admin.register.dek, needles) == set(needles)
    preview = retention.preview(world.admin, ON)
    retention.purge(world.admin, preview, preview.counts)
    assert conn.execute("SELECT count(*) FROM outbox_lines").fetchone()[0] == 0
    found = find_in_pages(path, world.admin.register.dek, needles)
    assert found == {KEPT_LOT.encode()}  # the kept row itself


def test_policy_change_is_audited_and_used(world: World) -> None:
    conn = world.admin.register.conn
    retention.set_policy(world.admin, replace(DEFAULT_POLICY, keep_records_of_residents=False))
    assert retention.current_policy(world.admin).policy.keep_records_of_residents is False
    action, detail = conn.execute(
        "SELECT action, detail FROM audit_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert action == "retention.policy"
    assert json.loads(detail)["after"] != json.loads(detail)["before"]
    # now the resident's 2010 record is past retention as well
    assert retention.preview(world.admin, ON).counts["vaccination"] == 3
