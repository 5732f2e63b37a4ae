"""Purges travel in sync packages (record type ``purge``): a terminal's purge is exported for the
server, a server-sent purge removes the records on the terminal, and a purged record that comes
again in a later package is dropped instead of coming back."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest

from app.domain.kana import normalize_kana
from app.security.session import Session
from app.services import retention, sync_export
from app.services.recovery import open_with_recovery_code
from app.services.sync_import import import_package
from app.store import db, persons
from app.sync.schemas import record_validator
from tests.support.builder import RegisterBuilder
from tests.support.registers import login_as
from tests.support.sync_env import (
    STAMP,
    SyncEnv,
    envelope,
    local_envelope,
    make_sync_register,
    server_edit,
)

ON = date(2026, 12, 1)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[SyncEnv]:
    env = make_sync_register(tmp_path / "reg", with_change=False)
    access = open_with_recovery_code(env.directory, env.recovery)
    conn = access.register.conn
    build = RegisterBuilder(conn)
    with db.transaction(conn):
        gone = build.person(
            persons.NewPerson(
                atena_no="0000000901",
                name="消去 対象子",
                name_kana="ショウキョ",
                kana_key=normalize_kana("ショウキョ"),
                sex="F",
                birth_date="2008-05-01",
                address="テスト市消去町1",
            )
        )
        build.move_out(gone, "2015-04-01")
        build.vaccination(gone, series_id="mr1", vaccinated_on="2012-05-01", lot_no="LOTX0001")
    access.register.close()
    yield env


def _uid_of(conn: db.Connection, sql: str) -> bytes:
    return bytes(conn.execute(sql).fetchone()[0])


def test_a_terminal_purge_is_exported_for_the_server(env: SyncEnv, tmp_path: Path) -> None:
    admin = login_as(env.directory, "admin")
    number = login_as(env.directory, "number")
    try:
        conn = admin.register.conn
        person_uid = _uid_of(conn, "SELECT uid FROM persons WHERE atena_no = '0000000901'")
        vacc_uid = _uid_of(conn, "SELECT uid FROM vaccinations WHERE lot_no = 'LOTX0001'")
        preview = retention.preview(admin, ON)
        assert preview.counts["person"] == 1 and preview.counts["vaccination"] == 1
        retention.purge(admin, preview, preview.counts)
        result = sync_export.export_changes(number, tmp_path / "out")
        with env.open_as_server(result.path) as pkg:
            assert "purge" in pkg.record_types
            (purge,) = list(pkg.records("purge"))
        record_validator("purge")(purge)
        items = {(i["type"], i["uid"]) for i in purge["data"]["items"]}
        assert items == {
            ("person", str(uuid.UUID(bytes=person_uid))),
            ("vaccination", str(uuid.UUID(bytes=vacc_uid))),
        }
        assert purge["origin"] == result.path.name.split("_")[0]  # this terminal's party id
    finally:
        admin.register.close()
        number.register.close()


def _purge_env(items: list[tuple[str, bytes]]) -> dict[str, Any]:
    return envelope(
        "purge",
        {
            "purged_on": "2026-12-01",
            "policy_sha256": "0" * 64,
            "items": [{"type": t, "uid": str(uuid.UUID(bytes=u))} for t, u in items],
        },
    )


@pytest.fixture
def number(env: SyncEnv) -> Iterator[Session]:
    s = login_as(env.directory, "number")
    yield s
    s.register.close()


def test_a_server_purge_removes_the_records_and_they_do_not_come_back(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    conn = number.register.conn
    person_uid = _uid_of(conn, "SELECT uid FROM persons WHERE atena_no = '0000000901'")
    vacc_uid = _uid_of(conn, "SELECT uid FROM vaccinations WHERE lot_no = 'LOTX0001'")
    old = local_envelope(conn, "vaccination", vacc_uid)
    pkg = tmp_path / "u1.vxpkg"
    env.build_update(
        pkg, {"purge": [_purge_env([("vaccination", vacc_uid), ("person", person_uid)])]}
    )
    result = import_package(number, pkg)
    assert result.by_type.get("purge") == 1
    assert (
        conn.execute("SELECT count(*) FROM vaccinations WHERE uid = ?", (vacc_uid,)).fetchone()[0]
        == 0
    )
    assert (
        conn.execute("SELECT count(*) FROM persons WHERE uid = ?", (person_uid,)).fetchone()[0] == 0
    )
    assert conn.execute("SELECT count(*) FROM retention_tombstones").fetchone()[0] == 2
    detail = conn.execute(
        "SELECT detail FROM audit_log WHERE action = 'sync.import' ORDER BY seq DESC LIMIT 1"
    ).fetchone()[0]
    assert '"purged": 2' in detail
    # a package written before the purge carries the vaccination again: it is dropped
    pkg2 = tmp_path / "u2.vxpkg"
    env.build_update(pkg2, {"vaccination": [server_edit(old, lot_no="LOTX0002")]})
    again = import_package(number, pkg2)
    assert again.applied == 0 and again.quarantined == 0
    assert (
        conn.execute("SELECT count(*) FROM vaccinations WHERE uid = ?", (vacc_uid,)).fetchone()[0]
        == 0
    )


def test_a_server_purge_keeps_a_record_a_local_row_still_refers_to(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    conn = number.register.conn
    person_uid = _uid_of(conn, "SELECT uid FROM persons WHERE atena_no = '0000000901'")
    # the server purges only the person; the terminal still holds the person's vaccination
    pkg = tmp_path / "u1.vxpkg"
    env.build_update(pkg, {"purge": [_purge_env([("person", person_uid)])]})
    import_package(number, pkg)
    assert (
        conn.execute("SELECT count(*) FROM persons WHERE uid = ?", (person_uid,)).fetchone()[0] == 1
    )
    assert conn.execute("SELECT count(*) FROM retention_tombstones").fetchone()[0] == 0


def test_a_purge_record_is_checked_against_its_schema() -> None:
    check = record_validator("purge")
    good = _purge_env([("vaccination", bytes.fromhex("0190f0a0b0c07000800000000000000a"))])
    good["data"] = {**good["data"], **STAMP}
    check(good)
    bad = {**good, "data": {**good["data"], "items": [{"type": "user", "uid": "x"}]}}
    with pytest.raises(fastjsonschema.JsonSchemaException):
        check(bad)


def test_a_resident_the_server_sends_again_after_a_purge_comes_back(
    env: SyncEnv, number: Session, tmp_path: Path
) -> None:
    conn = number.register.conn
    vacc_uid = _uid_of(conn, "SELECT uid FROM vaccinations WHERE lot_no = 'LOTX0001'")
    person_uid = _uid_of(conn, "SELECT uid FROM persons WHERE atena_no = '0000000901'")
    person = local_envelope(conn, "person", person_uid)
    pkg = tmp_path / "u1.vxpkg"
    env.build_update(
        pkg, {"purge": [_purge_env([("vaccination", vacc_uid), ("person", person_uid)])]}
    )
    import_package(number, pkg)
    # the person moved back in: the server owns residents, so its record is current again
    pkg2 = tmp_path / "u2.vxpkg"
    env.build_update(pkg2, {"person": [server_edit(person, moved_out=False)]})
    assert import_package(number, pkg2).applied == 1
    row = conn.execute("SELECT moved_out FROM persons WHERE uid = ?", (person_uid,)).fetchone()
    assert row == (0,)
