"""``unvaccinated.prepare_lists`` and ``vaxdesk lists prepare``: every series without a season is
judged once and kept, the first list of each then reads no dose (every cohort person has a
usable kept row) and equals the list judged from scratch; one audit entry; permission as the
list's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.cli import main
from app.errors import PermissionDenied
from app.security.session import Session
from app.services import _list_kept, _list_memo, schedule, sync_import, unvaccinated
from app.services.demo import create_demo_register, demo_password
from app.services.register import login
from app.store import db, list_kept

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out: Path = tmp_path_factory.mktemp("prepare") / "demo"
    create_demo_register(out, persons=600, seed=9, today=TODAY)
    return out


@pytest.fixture()
def nurse(directory: Path) -> Iterator[Session]:
    session = login(directory, "nurse", demo_password("nurse"))
    try:
        yield session
    finally:
        session.register.close()


def _new_process() -> None:
    _list_memo.forget()


def test_prepared_lists_read_kept_rows_only_and_equal_lists_from_scratch(nurse: Session) -> None:
    conn = nurse.register.conn
    with db.transaction(conn):
        list_kept.clear(conn)
    audit_before = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    done = unvaccinated.prepare_lists(nurse, TODAY)
    full = schedule.catalog_for(nurse)
    assert set(done) == {s.id for s in full.series if s.season is None}
    actions = [
        r[0]
        for r in conn.execute(
            "SELECT action FROM audit_log ORDER BY seq DESC LIMIT ?",
            (conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] - audit_before,),
        )
    ]
    assert actions == ["list.prepare"]
    for series in ("hib", "je1", "mr1", "hpv", "pneumo65"):
        key = _list_kept.rules_key(conn, full, series)
        assert key is not None
        decision = unvaccinated.decide_list(nurse, series, TODAY)
        members = list_kept.cohort(
            conn,
            series,
            decision.ranges,
            list_kept.rules_id(conn, key),
            TODAY.toordinal(),
            sex="F" if series == "hpv" else None,
        )
        assert members and all(m[4] for m in members), series
        assert len(decision.rows) == done[series]
        _new_process()
        kept = unvaccinated.build_list(nurse, series, TODAY).entries
        saved = conn.execute("SELECT * FROM list_kept").fetchall()
        with db.transaction(conn):
            list_kept.clear(conn)
        _new_process()
        assert unvaccinated.build_list(nurse, series, TODAY).entries == kept
        with db.transaction(conn):
            list_kept.clear(conn)
            conn.executemany("INSERT INTO list_kept VALUES (?, ?, ?, ?, ?, ?)", saved)


def test_prepare_needs_the_lists_permission(directory: Path) -> None:
    session = login(directory, "auditor", demo_password("auditor"))
    try:
        with pytest.raises(PermissionDenied):
            unvaccinated.prepare_lists(session, TODAY)
    finally:
        session.register.close()


def test_the_command_prepares_every_series(
    directory: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VAXDESK_PASSWORD", demo_password("nurse"))
    assert main(["lists", "prepare", "--register", str(directory), "--user", "nurse"]) == 0
    assert "種類の一覧を準備しました" in capsys.readouterr().out
    session = login(directory, "nurse", demo_password("nurse"))
    try:
        assert list_kept.count(session.register.conn) > 0
    finally:
        session.register.close()


def test_after_a_load_the_importing_role_prepares_and_no_other(directory: Path) -> None:
    """``sync_import.prepare_lists`` is part of a load: the number-use role (which imports)
    prepares; roles that may not import are refused and nothing is kept."""
    for user, allowed in (("number", True), ("nurse", False), ("auditor", False)):
        session = login(directory, user, demo_password(user))
        try:
            with db.transaction(session.register.conn):
                list_kept.clear(session.register.conn)
            if allowed:
                assert sync_import.prepare_lists(session)
                assert list_kept.count(session.register.conn) > 0
            else:
                with pytest.raises(PermissionDenied):
                    sync_import.prepare_lists(session)
                assert list_kept.count(session.register.conn) == 0
        finally:
            session.register.close()
