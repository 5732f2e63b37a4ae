"""The permission matrix's rows: each public service function, the roles that may call it and
the call, in the order ``test_service_permission_matrix`` makes them (鍵の更新 first, restore
last; a row may use what an earlier allowed call made)."""

from __future__ import annotations

import dataclasses

from app.domain.retention import DEFAULT_POLICY
from app.services import (
    areas,
    audit_review,
    batch_entry,
    catalog_admin,
    enrolment_policy,
    issuance,
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
from tests.support.permission_world import (
    _VZ,
    NUMBER,
    ON,
    OTHER_NUMBER,
    ROLES,
    Call,
    _key,
    _preview,
    _purge,
    _reauth,
    _rekey,
    _restore,
    _spare,
)
from tests.support.registers import USERS

EVERYONE = frozenset(ROLES)
READERS = frozenset({"clerk", "nurse", "number"})
SEARCHERS = READERS | {"auditor"}

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
        "media.staff_names",
        frozenset({"admin", "number", "auditor"}),
        lambda w, s, r: media.staff_names(s),
    ),
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
