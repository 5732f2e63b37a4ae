"""The role × service permission matrix (DESIGN.md §4: every service checks its permissions).

ONE table-driven test calls every public service function (found by introspecting
``app.services``) with every role's session and asserts allowed or refused. A refusal must be a
PermissionDenied that is audited (one ``denied`` entry by that user) and changes nothing else:
every table but ``audit_log``, ``keyslots.json`` and the output file are compared before and
after. The rows (function, roles allowed, call) are ``MATRIX`` in
``tests/support/permission_matrix.py``; the register they run against is ``World``
(``tests/support/permission_world.py``), built by the ``world`` fixture here. A public function
that takes a Session and has no row fails the test, so does a session-less one that is not listed
in ``SESSIONLESS`` (pre-login entry points, pure helpers). Helpers that are not user actions live
in underscore modules (``_audit``, ``_issuing``, …).

On the same register, what the matrix cannot show by role: a clerk's session lacking just the
reissue right is refused a reissue (audited with the right it needs) and still issues a first
document; issuing it again without a reason is refused as invalid.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import app.services as services_pkg
from app.errors import PermissionDenied
from app.paths import resource_path
from app.security import permissions as perm
from app.security.session import Session
from app.services import (
    catalog_admin,
    issuance,
    person_numbers,
    persons,
    results,
    unvaccinated,
    users_admin,
)
from app.services._sync_identity import identity_keys
from app.services.recovery import open_with_recovery_code
from app.store import db
from app.sync.keys import generate_keypair
from app.sync.trust import write_trust_dir
from tests.support.builder import RegisterBuilder
from tests.support.permission_matrix import MATRIX
from tests.support.permission_world import (
    _MR,
    _VZ,
    NUMBER,
    ON,
    ROLES,
    World,
    _spare,
)
from tests.support.registers import add_masters, login_as, make_register, software_key
from tests.support.sync_env import SyncEnv, local_envelope, server_edit, server_trust

# Public functions that take no Session: pre-login entry points and pure helpers (reviewed).
SESSIONLESS = {
    "demo.create_demo_register",
    "demo.demo_password",
    "demo.demo_users",
    "login_flow.describe_register",
    "key_rotation.temp_path",
    "login_flow.register_authenticator",
    "printing.reports.annual_rows",
    "printing.reports.target_counts",
    "printing.reports.unit_price",
    "recovery.open_with_recovery_code",
    "recovery.rebind_terminal",  # checked by role in test_recovery_rebind_needs_admin_rights
    "register.add_user_slot",
    "register_create.create_register",
    "register.login",
    "register.open_database",
    "register.open_current",
    "register.secret_store_for",
    "schedule.history_entries",
    "security_key.enroll_factor",
    "security_key.key_access",
    "security_key.key_access_for",
    "security_key.unlock_slot",
    "unvaccinated.birth_range",
    # pure text and validation helpers, and the demo reset (a demo register only)
    "demo.reset_demo_register",
    "lockout_notice.explain",
    "lockout_notice.locked_message",
    "media.volume_of",
    "office.validate",
    "areas.validate_name",
    "audit_review.local_day_bounds",
    "audit_review.csv_header",
    "audit_review.local_time_csv",
    "audit_review.utc_offset_text",
    "demo.demo_area_names",
    "register.synced_passkeys_allowed",
    "security_key.open_slot",
}


def _public_services() -> Iterator[tuple[str, Callable[..., object]]]:
    prefix = services_pkg.__name__ + "."
    for info in pkgutil.walk_packages(services_pkg.__path__, prefix):
        name = info.name.removeprefix(prefix)
        if any(part.startswith("_") for part in name.split(".")):
            continue
        module = importlib.import_module(info.name)
        for fn_name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == info.name and not fn_name.startswith("_"):
                yield f"{name}.{fn_name}", fn


def _takes_session(fn: Callable[..., object]) -> bool:
    params = list(inspect.signature(fn).parameters.values())
    return bool(params) and "Session" in str(params[0].annotation)


def _dump(w: World) -> dict[str, object]:
    conn = w.sessions["admin"].register.conn
    tables = [
        t
        for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        if t != "audit_log"
    ]
    out: dict[str, object] = {t: conn.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}
    out["keyslots.json"] = (w.directory / "keyslots.json").read_bytes()
    out["outputs"] = sorted(p.name for p in w.out.iterdir())
    return out


def _last_audit(w: World) -> tuple[int, str, str, int | None, str]:
    conn = w.sessions["admin"].register.conn
    row = conn.execute(
        "SELECT seq, action, outcome, user_id, detail FROM audit_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return tuple(row)


def _person(s: Session, atena: str) -> int:
    return persons.search(s, atena).people[0].person_id


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    base = tmp_path
    directory = base / "reg"
    code = make_register(directory)
    add_masters(directory, code)
    access = open_with_recovery_code(directory, code)
    with db.transaction(access.register.conn):
        RegisterBuilder(access.register.conn).unit_price("mr1", None, 10000, "2026-04-01")
    access.register.close()
    sessions = {role: login_as(directory, role) for role in ROLES}
    admin, clerk, nurse = sessions["admin"], sessions["clerk"], sessions["nurse"]
    for n in range(1, 6):
        users_admin.create_user(admin, _spare(n), software_key(directory))
    users_admin.add_key(
        admin, "spare3", _spare(3).password, software_key(directory), software_key(directory)
    )
    taro, hanako, jiro = (_person(clerk, a) for a in ("0000000001", "0000000002", "0000000004"))
    results.record(nurse, taro, _MR)
    to_correct = results.record(
        nurse,
        hanako,
        dataclasses.replace(_MR, series_id="flu65", product_id=None, lot_no=None),
        override_reason="試験用",
    )[0]
    to_void = results.record(nurse, taro, _VZ, override_reason="試験用")[0]
    person_numbers.set_number(sessions["number"], taro, NUMBER)
    to_withdraw = issuance.issue(clerk, hanako, "certificate").issuance_id
    listing = unvaccinated.build_list(nurse, "mr1", ON)
    decision = unvaccinated.decide_list(nurse, "mr1", ON)
    data = json.loads(resource_path("catalog", "catalog.json").read_text("utf-8"))
    data["revision"] = "2099-12-31"
    correction = base / "correction.json"
    correction.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    catalog_preview = catalog_admin.preview_import(admin, correction)
    # a test server whose trust the administrator enrols, and its update that edits taro's
    # MR result the terminal has not had acknowledged (a conflict)
    server = generate_keypair("192015-HUB")
    terminal = identity_keys(admin.register.conn).public
    trust = server_trust(server, [terminal])
    write_trust_dir(trust, base / "trust")
    sync = SyncEnv(directory, code, server, terminal, trust)
    conn = admin.register.conn
    mr_uid = bytes(
        conn.execute(
            "SELECT uid FROM vaccinations WHERE person_id = ? AND series_id = 'mr1'", (taro,)
        ).fetchone()[0]
    )
    update = base / "update.vxpkg"
    incoming = server_edit(local_envelope(conn, "vaccination", mr_uid), lot_no="MR999")
    sync.build_update(update, {"vaccination": [incoming]})
    out = base / "out"
    out.mkdir()
    yield World(
        directory,
        out,
        sessions,
        taro,
        hanako,
        jiro,
        to_correct,
        to_void,
        to_withdraw,
        listing,
        correction,
        catalog_preview,
        sync,
        base / "trust",
        update,
        decision,
    )
    for s in sessions.values():
        s.register.close()


def test_every_service_with_every_role(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    found = dict(_public_services())
    rows = {name for name, _, _ in MATRIX}
    assert rows <= set(found), f"rows for functions that do not exist: {rows - set(found)}"
    missing = {n for n, fn in found.items() if _takes_session(fn) and n not in rows}
    assert not missing, f"public services without a matrix row: {sorted(missing)}"
    unlisted = {n for n, fn in found.items() if not _takes_session(fn) and n not in SESSIONLESS}
    assert not unlisted, f"session-less public functions not reviewed: {sorted(unlisted)}"

    checked: set[str] = set()
    original_can = Session.can

    def spy(self: Session, permission: str) -> bool:
        checked.add(permission)
        return original_can(self, permission)

    monkeypatch.setattr(Session, "can", spy)
    wrong: list[str] = []
    for name, allowed, call in MATRIX:
        # refused roles first: the allowed call may change what the refused ones would see
        for role in sorted(ROLES, key=lambda r: r in allowed):
            session = world.sessions[role]
            before, last = _dump(world), _last_audit(world)
            try:
                call(world, session, role)
            except PermissionDenied:
                if role in allowed:
                    wrong.append(f"{name}: {role} refused")
                    continue
                seq, action, outcome, user_id, _detail = _last_audit(world)
                if seq != last[0] + 1 or outcome != "denied" or user_id != session.user_id:
                    wrong.append(f"{name}: {role} refusal not audited once ({action}/{outcome})")
                if _dump(world) != before:
                    wrong.append(f"{name}: {role} refusal changed the register or files")
                continue
            except Exception as exc:  # an allowed call must succeed with valid input
                wrong.append(f"{name}: {role} failed with {type(exc).__name__} {exc}")
                continue
            if role not in allowed:
                wrong.append(f"{name}: {role} was allowed")
    assert not wrong, "\n".join(wrong)
    # every permission a role can hold is checked by some service (the two recovery rights
    # are checked by rebind_terminal, see test_recovery_rebind_needs_admin_rights)
    assert checked | {perm.TERMINAL_MANAGE, perm.RECOVERY_USE} == perm.ALL


def test_a_session_without_reissue_right_cannot_reissue(world: World) -> None:
    clerk = world.sessions["clerk"]
    limited = dataclasses.replace(clerk, permissions=clerk.permissions - {perm.ISSUANCE_REISSUE})
    before = _dump(world)
    with pytest.raises(PermissionDenied):
        issuance.issue(limited, world.taro, "voucher", series_id="mr1", reissue_reason="lost")
    assert json.loads(_last_audit(world)[4]) == {"needs": perm.ISSUANCE_REISSUE}
    issuance.issue(limited, world.hanako, "voucher", series_id="varicella", on=ON)
    with pytest.raises(issuance.IssuanceInvalid) as err:  # a reissue always needs the reason
        issuance.issue(limited, world.hanako, "voucher", series_id="varicella", on=ON)
    assert err.value.code == "E_REISSUE_REASON"
    assert _dump(world) != before  # only the first, new issue was written
