"""The role × service permission matrix (DESIGN.md §4: every service checks its permissions).

ONE table-driven test calls every public service function (found by introspecting
``app.services``) with every role's session and asserts allowed or refused. A refusal must be a
PermissionDenied that is audited (one ``denied`` entry by that user) and changes nothing else:
every table but ``audit_log``, ``keyslots.json`` and the output file are compared before and
after. A public function that takes a Session and has no row here fails the test, so does a
session-less one that is not listed in ``SESSIONLESS`` (pre-login entry points, pure helpers).
Helpers that are not user actions live in underscore modules (``_audit``, ``_issuing``, …).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import pkgutil
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import app.services as services_pkg
from app.domain.retention import DEFAULT_POLICY
from app.errors import PermissionDenied
from app.paths import resource_path
from app.security import permissions as perm
from app.security.fido import RecordingPrompt
from app.security.keyslots import KeySlotFile
from app.security.session import Session
from app.services import (
    areas,
    audit_review,
    batch_entry,
    catalog_admin,
    enrolment_policy,
    issuance,
    key_rotation,
    login_flow,
    maintenance,
    masters,
    media,
    office,
    own_keys,
    person_card,
    person_numbers,
    persons,
    register,
    results,
    retention,
    schedule,
    sync_conflicts,
    sync_export,
    sync_identity,
    sync_import,
    sync_status,
    unvaccinated,
    users_admin,
)
from app.services.printing import mailings, person_documents, reports
from app.services.recovery import open_with_recovery_code
from app.services.register import NewUser
from app.store import db, media_ledger, sync_apply
from app.sync.keys import generate_keypair
from app.sync.trust import write_trust_dir
from tests.support.builder import RegisterBuilder
from tests.support.registers import USERS, add_masters, login_as, make_register, software_key
from tests.support.sync_env import SyncEnv, local_envelope, server_edit, server_trust

ROLES = ("admin", "clerk", "nurse", "number", "auditor")
ON = date(2026, 6, 1)
NUMBER = "123456789018"
OTHER_NUMBER = "000000000019"

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

EVERYONE = frozenset(ROLES)
READERS = frozenset({"clerk", "nurse", "number"})
SEARCHERS = READERS | {"auditor"}


@dataclasses.dataclass
class World:
    directory: Path
    out: Path
    sessions: dict[str, Session]
    taro: int
    hanako: int
    jiro: int
    to_correct: int
    to_void: int
    to_withdraw: int
    listing: Any
    correction: Path
    catalog_preview: Any
    sync: SyncEnv
    trust_dir: Path
    update: Path
    decision: Any  # the mr1 list decided, its rows not read (unvaccinated.entries)

    def conflict_id(self) -> int:
        return sync_apply.conflicts(self.sessions["admin"].register.conn)[0].id

    def import_entry(self) -> int:
        conn = self.sessions["admin"].register.conn
        return media_ledger.entries(conn, direction="import")[0].id

    def file(self, role: str, name: str) -> Path:
        return self.out / f"{role}-{name}"

    def second_slot(self, login: str) -> str:
        return KeySlotFile.load(self.directory / "keyslots.json").user_slots(login)[-1].slot_id


Call = Callable[[World, Session, str], object]


def _key(w: World) -> Any:
    return software_key(w.directory)


def _reauth(w: World, s: Session, role: str) -> object:
    unlock = login_flow.reauthenticator(
        s, RecordingPrompt(), threading.Event(), key_factory=lambda: software_key(w.directory)
    )
    return unlock(s.login, USERS[role].password)


_PREVIEWS: dict[int, Any] = {}  # the administrator's preview, for the purge row after it


def _preview(w: World, s: Session) -> object:
    _PREVIEWS[id(w)] = previewed = retention.preview(s)
    return previewed


def _purge(w: World, s: Session) -> object:
    previewed = _PREVIEWS[id(w)]
    return retention.purge(s, previewed, previewed.counts)


def _restore(w: World, s: Session, role: str) -> object:
    """The last row: the other sessions sign out first (a restore swaps the file)."""
    if role in RESTORERS:
        for other in w.sessions.values():
            if other is not s:
                other.register.close()
    return maintenance.restore(s, w.file("admin", "backup.db"))


RESTORERS = frozenset({"admin"})


def _rekey(w: World, s: Session, role: str) -> object:
    """鍵の更新 needs every other session signed out; they sign in again afterwards (through
    the new DEK delivered to their slots)."""
    if role != "admin":
        return key_rotation.rekey_register(s)
    others = [r for r, other in w.sessions.items() if other is not s]
    for r in others:
        w.sessions[r].register.close()
    try:
        return key_rotation.rekey_register(s)
    finally:
        for r in others:
            w.sessions[r] = login_as(w.directory, r)


def _spare(n: int, roles: tuple[str, ...] = ("clerk",)) -> NewUser:
    return NewUser(f"spare{n}", f"予備 {n}", f"9100{n}", f"pw-spare-000{n}", roles)


_MR = results.ResultInput(
    series_id="mr1",
    product_id="mr",
    vaccinated_on=ON,
    institution_code="1310000001",
    lot_no="MR001",
    payment_month="2026-07",
)
_VZ = dataclasses.replace(_MR, series_id="varicella", product_id="varicella", lot_no="VZ001")

# (service function, roles that may call it, the call). Order matters only at the end:
# restore closes the administrator's session.
MATRIX: list[tuple[str, frozenset[str], Call]] = [
    ("key_rotation.rekey_register", frozenset({"admin"}), _rekey),  # first: backups after it
    (
        "audit_review.list_entries",
        frozenset({"admin", "auditor"}),
        lambda w, s, r: audit_review.list_entries(s, audit_review.AuditFilter()),
    ),
    (
        "audit_review.export_csv",
        frozenset({"admin", "auditor"}),
        lambda w, s, r: audit_review.export_csv(s, audit_review.AuditFilter(), w.file(r, "a.csv")),
    ),
    ("batch_entry.read_scan", READERS, lambda w, s, r: batch_entry.read_scan(s, "0000000001")),
    ("issuance.find_by_scan", SEARCHERS, lambda w, s, r: issuance.find_by_scan(s, "0000000001")),
    ("issuance.history", READERS, lambda w, s, r: issuance.history(s, w.taro)),
    (
        "issuance.issue",
        frozenset({"clerk"}),
        lambda w, s, r: issuance.issue(s, w.jiro, "voucher", series_id="mr1", on=ON),
    ),
    (
        "issuance.issue",
        frozenset({"clerk"}),  # the reissue of the row above
        lambda w, s, r: issuance.issue(
            s, w.jiro, "voucher", series_id="mr1", on=ON, reissue_reason="lost"
        ),
    ),
    (
        "issuance.withdraw_unprinted",
        frozenset({"clerk"}),
        lambda w, s, r: issuance.withdraw_unprinted(s, [w.to_withdraw]),
    ),
    ("login_flow.reauthenticator", EVERYONE, _reauth),
    (
        "register.reauthenticate",
        EVERYONE,
        lambda w, s, r: register.reauthenticate(s, USERS[r].password, key=_key(w)),
    ),
    (
        "maintenance.verify_audit",
        frozenset({"admin", "auditor"}),
        lambda w, s, r: maintenance.verify_audit(s),
    ),
    (
        "maintenance.backup",
        frozenset({"admin"}),
        lambda w, s, r: maintenance.backup(s, w.file(r, "backup.db")),
    ),
    ("masters.institutions", READERS, lambda w, s, r: masters.institutions(s)),
    ("person_card.open_card", SEARCHERS, lambda w, s, r: person_card.open_card(s, w.taro, on=ON)),
    ("persons.open_person", SEARCHERS, lambda w, s, r: persons.open_person(s, w.taro)),
    ("persons.search", SEARCHERS, lambda w, s, r: persons.search(s, "ヤマダ")),
    (
        "person_numbers.find_person",
        frozenset({"number"}),
        lambda w, s, r: person_numbers.find_person(s, NUMBER),
    ),
    (
        "person_numbers.masked_number",
        frozenset({"number"}),
        lambda w, s, r: person_numbers.masked_number(s, w.taro),
    ),
    (
        "person_numbers.reveal_number",
        frozenset({"number"}),
        lambda w, s, r: person_numbers.reveal_number(s, w.taro, "inquiry"),
    ),
    (
        "person_numbers.set_number",
        frozenset({"number"}),
        lambda w, s, r: person_numbers.set_number(s, w.hanako, OTHER_NUMBER),
    ),
    (
        "printing.mailings.print_unvaccinated",
        frozenset({"clerk", "nurse"}),
        lambda w, s, r: mailings.print_unvaccinated(
            s, "je1", w.file(r, "u.pdf"), on=ON, area_code="01"
        ),
    ),
    (
        "printing.mailings.print_notices",
        frozenset({"clerk"}),
        lambda w, s, r: mailings.print_notices(s, "dpt_ipv", w.file(r, "n.pdf"), on=ON, split=1),
    ),
    (
        "printing.person_documents.print_yoshinhyo",
        frozenset({"clerk"}),
        lambda w, s, r: person_documents.print_yoshinhyo(
            s, w.jiro, None, w.file(r, "y.pdf"), on=ON
        ),
    ),
    (
        "printing.person_documents.print_yoshinhyo",
        frozenset({"clerk"}),  # its reissue
        lambda w, s, r: person_documents.print_yoshinhyo(
            s, w.jiro, None, w.file(r, "y2.pdf"), on=ON, reissue_reason="damaged"
        ),
    ),
    (
        "printing.person_documents.print_vouchers",
        frozenset({"clerk"}),
        lambda w, s, r: person_documents.print_vouchers(
            s, [w.jiro], "varicella", w.file(r, "v.pdf"), on=ON
        ),
    ),
    (
        "printing.person_documents.print_certificate",
        frozenset({"clerk"}),
        lambda w, s, r: person_documents.print_certificate(s, w.taro, w.file(r, "c.pdf"), on=ON),
    ),
    (
        "printing.person_documents.series_name",
        EVERYONE,
        lambda w, s, r: person_documents.series_name(s, "mr1"),
    ),
    (
        "printing.reports.print_monthly_report",
        frozenset({"nurse"}),
        lambda w, s, r: reports.print_monthly_report(s, "2026-07", w.file(r, "m.pdf")),
    ),
    (
        "printing.reports.print_annual_report",
        frozenset({"nurse"}),
        lambda w, s, r: reports.print_annual_report(s, 2026, w.file(r, "an.pdf")),
    ),
    ("results.check", frozenset({"nurse"}), lambda w, s, r: results.check(s, w.jiro, _VZ)),
    (
        "results.record",
        frozenset({"nurse"}),
        lambda w, s, r: results.record(s, w.jiro, _VZ, override_reason="試験用"),
    ),
    (
        "results.record_postponement",
        frozenset({"nurse"}),
        lambda w, s, r: results.record_postponement(s, w.hanako, "flu65", ON, "発熱のため"),
    ),
    (
        "results.correct",
        frozenset({"nurse"}),
        lambda w, s, r: results.correct(s, w.to_correct, {"doctor": "訂正 医師"}, "記載誤り"),
    ),
    ("results.void", frozenset({"nurse"}), lambda w, s, r: results.void(s, w.to_void, "重複登録")),
    ("schedule.catalog_for", EVERYONE, lambda w, s, r: schedule.catalog_for(s)),
    ("schedule.due_list", READERS, lambda w, s, r: schedule.due_list(s, w.taro, ON)),
    ("unvaccinated.areas", frozenset({"clerk", "nurse"}), lambda w, s, r: unvaccinated.areas(s)),
    (
        "unvaccinated.build_list",
        frozenset({"clerk", "nurse"}),
        lambda w, s, r: unvaccinated.build_list(s, "mr1", ON),
    ),
    (
        "unvaccinated.decide_list",
        frozenset({"clerk", "nurse"}),
        lambda w, s, r: unvaccinated.decide_list(s, "mr1", ON),
    ),
    (
        "unvaccinated.entries",
        frozenset({"clerk", "nurse"}),
        lambda w, s, r: unvaccinated.entries(s, w.decision, 0, 10),
    ),
    (
        "unvaccinated.iter_entries",
        frozenset({"clerk", "nurse"}),
        lambda w, s, r: list(unvaccinated.iter_entries(s, w.decision)),
    ),
    (
        "unvaccinated.prepare_lists",
        frozenset({"clerk", "nurse"}),
        lambda w, s, r: unvaccinated.prepare_lists(s, ON),
    ),
    (
        "unvaccinated.export_csv",
        frozenset({"clerk", "nurse"}),
        lambda w, s, r: unvaccinated.export_csv(s, w.listing, w.file(r, "list.csv")),
    ),
    (
        "users_admin.access_review",
        frozenset({"admin", "auditor"}),
        lambda w, s, r: users_admin.access_review(s),
    ),
    (
        "users_admin.list_keys",
        frozenset({"admin"}),
        lambda w, s, r: users_admin.list_keys(s, "clerk"),
    ),
    (
        "users_admin.create_user",
        frozenset({"admin"}),
        lambda w, s, r: users_admin.create_user(s, _spare(9), _key(w)),
    ),
    (
        "users_admin.reset_user",
        frozenset({"admin"}),
        lambda w, s, r: users_admin.reset_user(s, "spare1", "pw-spare-new-1", _key(w)),
    ),
    (
        "users_admin.add_key",
        frozenset({"admin"}),
        lambda w, s, r: users_admin.add_key(s, "spare2", _spare(2).password, _key(w), _key(w)),
    ),
    (
        "users_admin.remove_key",
        frozenset({"admin"}),
        lambda w, s, r: users_admin.remove_key(s, "spare3", w.second_slot("spare3")),
    ),
    (
        "users_admin.set_roles",
        frozenset({"admin"}),
        lambda w, s, r: users_admin.set_roles(s, "spare4", ("nurse",), _spare(4).password, _key(w)),
    ),
    (
        "users_admin.deactivate_user",
        frozenset({"admin"}),
        lambda w, s, r: users_admin.deactivate_user(s, "spare5"),
    ),
    (
        "own_keys.add_own_key",
        EVERYONE,
        lambda w, s, r: own_keys.add_own_key(s, USERS[r].password, _key(w), _key(w)),
    ),
    (
        "catalog_admin.preview_import",
        frozenset({"admin"}),
        lambda w, s, r: catalog_admin.preview_import(s, w.correction),
    ),
    (
        "catalog_admin.apply_import",
        frozenset({"admin"}),
        lambda w, s, r: catalog_admin.apply_import(s, w.catalog_preview),
    ),
    ("catalog_admin.history", frozenset({"admin"}), lambda w, s, r: catalog_admin.history(s)),
    # retention (issue 11 item 15): the administrator previews, purges exactly the previewed
    # counts (nothing is past retention in this world) and changes the policy
    ("retention.current_policy", frozenset({"admin"}), lambda w, s, r: retention.current_policy(s)),
    ("retention.preview", frozenset({"admin"}), lambda w, s, r: _preview(w, s)),
    ("retention.purge", frozenset({"admin"}), lambda w, s, r: _purge(w, s)),
    (
        "retention.set_policy",
        frozenset({"admin"}),
        lambda w, s, r: retention.set_policy(s, dataclasses.replace(DEFAULT_POLICY, exit_years=7)),
    ),
    # terminal sync: the administrator enrols the server's trust, then the number-use role
    # exports, imports a conflicting update, resolves it and erases the package from the medium
    (
        "sync_identity.enrol_trust",
        frozenset({"admin"}),
        lambda w, s, r: sync_identity.enrol_trust(s, w.trust_dir, w.sync.server.key_id),
    ),
    (
        "sync_identity.export_terminal_key",
        frozenset({"admin", "number"}),
        lambda w, s, r: sync_identity.export_terminal_key(s, w.file(r, "terminal-key.json")),
    ),
    ("sync_status.sync_status", frozenset({"number"}), lambda w, s, r: sync_status.sync_status(s)),
    ("sync_status.unsent_count", EVERYONE, lambda w, s, r: sync_status.unsent_count(s)),
    (
        "sync_status.quarantined_packages",
        frozenset({"number"}),
        lambda w, s, r: sync_status.quarantined_packages(s),
    ),
    (
        "sync_export.export_changes",
        frozenset({"number"}),
        lambda w, s, r: sync_export.export_changes(
            s, w.file(r, "medium"), approved_by=USERS["admin"].staff_no
        ),
    ),
    (
        "sync_export.resend",
        frozenset({"number"}),
        lambda w, s, r: sync_export.resend(s, w.file(r, "again")),
    ),
    (
        "sync_import.import_package",
        frozenset({"number"}),
        lambda w, s, r: sync_import.import_package(
            s, w.update, approved_by=USERS["admin"].staff_no
        ),
    ),
    (
        "sync_import.checkpoint",
        frozenset({"number"}),
        lambda w, s, r: sync_import.checkpoint(s),
    ),
    (
        "sync_import.prepare_lists",
        frozenset({"number"}),
        lambda w, s, r: sync_import.prepare_lists(s),
    ),
    (
        "sync_conflicts.open_conflicts",
        frozenset({"number"}),
        lambda w, s, r: sync_conflicts.open_conflicts(s),
    ),
    (
        "sync_conflicts.resolve",
        frozenset({"number"}),
        lambda w, s, r: sync_conflicts.resolve(s, w.conflict_id(), "local"),
    ),
    ("media.ledger", frozenset({"admin", "number", "auditor"}), lambda w, s, r: media.ledger(s)),
    (
        "media.ledger_csv",
        frozenset({"admin", "number", "auditor"}),
        lambda w, s, r: media.ledger_csv(s, w.file(r, "ledger.csv")),
    ),
    ("media.erase", frozenset({"number"}), lambda w, s, r: media.erase(s, w.import_entry())),
    ("office.current", frozenset({"admin"}), lambda w, s, r: office.current(s)),
    ("areas.list_areas", frozenset({"admin"}), lambda w, s, r: areas.list_areas(s)),
    (
        "areas.set_names",
        frozenset({"admin"}),
        lambda w, s, r: areas.set_names(s, {"01": "中央地区"}),
    ),
    (
        "office.set_office",
        frozenset({"admin"}),
        lambda w, s, r: office.set_office(s, "保健センター", "テスト市本町1-1", "03-1234-5678"),
    ),
    (
        "unvaccinated.area_choices",
        frozenset({"clerk", "nurse"}),
        lambda w, s, r: unvaccinated.area_choices(s),
    ),
    (
        "enrolment_policy.synced_passkeys",
        frozenset({"admin"}),
        lambda w, s, r: enrolment_policy.synced_passkeys(s),
    ),
    (
        "users_admin.set_synced_passkeys_allowed",
        frozenset({"admin"}),
        lambda w, s, r: users_admin.set_synced_passkeys_allowed(s, False),
    ),
    (
        "maintenance.restore",
        frozenset({"admin"}),
        _restore,
    ),
]


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
    return tuple(row)  # type: ignore[return-value]


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
    terminal = sync_identity.identity_keys(admin.register.conn).public
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


def test_roles_file_and_permission_constants_agree() -> None:
    data = json.loads(resource_path("security", "roles.json").read_text("utf-8"))
    granted = {p for body in data["roles"].values() for p in body["permissions"]}
    assert granted == perm.ALL
    public = {v for k, v in vars(perm).items() if k.isupper() and isinstance(v, str)}
    assert public == perm.ALL


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


@pytest.mark.parametrize("role", ROLES)
def test_recovery_rebind_needs_admin_rights(tmp_path: Path, role: str) -> None:
    from app.errors import AuthError
    from app.services.recovery import rebind_terminal

    directory = tmp_path / "reg"
    code = make_register(directory, with_people=False)
    before = (directory / "keyslots.json").read_bytes()
    access = open_with_recovery_code(directory, code)
    try:
        if role == "admin":
            assert rebind_terminal(access, role, "pw-new-admin-1", key=software_key(directory))
            assert (directory / "keyslots.json").read_bytes() != before
        else:
            with pytest.raises(AuthError) as err:
                rebind_terminal(access, role, "pw-new-1", key=software_key(directory))
            assert err.value.code == "E_RECOVERY_NOT_ADMIN"
            assert (directory / "keyslots.json").read_bytes() == before
    finally:
        access.register.close()
