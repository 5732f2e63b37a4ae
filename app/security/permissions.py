"""Permission names, once. Services check these constants, never string literals.

``resources/security/roles.json`` grants them to roles; a test checks that the file and
``ALL`` agree and that every permission is checked by at least one service.
"""

from __future__ import annotations

from typing import Final

# people and their records
PERSON_SEARCH: Final = "person.search"
PERSON_READ: Final = "person.read"
PERSON_READ_MASKED: Final = "person.read_masked"
VACCINATION_READ: Final = "vaccination.read"
VACCINATION_CREATE: Final = "vaccination.create"
VACCINATION_CORRECT: Final = "vaccination.correct"
VACCINATION_VOID: Final = "vaccination.void"
SCHEDULE_READ: Final = "schedule.read"

# issuing and printing
ISSUANCE_READ: Final = "issuance.read"
ISSUANCE_CREATE: Final = "issuance.create"
ISSUANCE_REISSUE: Final = "issuance.reissue"
PRINT_YOSHINHYO: Final = "print.yoshinhyo"
PRINT_VOUCHER: Final = "print.voucher"
PRINT_CERTIFICATE: Final = "print.certificate"
PRINT_NOTICES: Final = "print.notices"
LIST_UNVACCINATED: Final = "list.unvaccinated"
REPORT_MONTHLY: Final = "report.monthly"
REPORT_ANNUAL: Final = "report.annual"

# 個人番号 (the session holds NK only with one of these)
MYNUMBER_READ: Final = "mynumber.read"
MYNUMBER_WRITE: Final = "mynumber.write"
MYNUMBER_SEARCH: Final = "mynumber.search"

# administration and audit
USER_MANAGE: Final = "user.manage"
KEY_MANAGE: Final = "key.manage"
TERMINAL_MANAGE: Final = "terminal.manage"
RECOVERY_USE: Final = "recovery.use"
AUDIT_READ: Final = "audit.read"
AUDIT_EXPORT: Final = "audit.export"
ACCESS_REVIEW: Final = "access.review"
REGISTER_BACKUP: Final = "register.backup"
REGISTER_RESTORE: Final = "register.restore"
CATALOG_MANAGE: Final = "catalog.manage"
SETTINGS_MANAGE: Final = "settings.manage"
RETENTION_MANAGE: Final = "retention.manage"

# terminal sync (packages to and from the hub)
SYNC_EXPORT: Final = "sync.export"
SYNC_IMPORT: Final = "sync.import"

ALL: Final = frozenset(
    {
        PERSON_SEARCH,
        PERSON_READ,
        PERSON_READ_MASKED,
        VACCINATION_READ,
        VACCINATION_CREATE,
        VACCINATION_CORRECT,
        VACCINATION_VOID,
        SCHEDULE_READ,
        ISSUANCE_READ,
        ISSUANCE_CREATE,
        ISSUANCE_REISSUE,
        PRINT_YOSHINHYO,
        PRINT_VOUCHER,
        PRINT_CERTIFICATE,
        PRINT_NOTICES,
        LIST_UNVACCINATED,
        REPORT_MONTHLY,
        REPORT_ANNUAL,
        MYNUMBER_READ,
        MYNUMBER_WRITE,
        MYNUMBER_SEARCH,
        USER_MANAGE,
        KEY_MANAGE,
        TERMINAL_MANAGE,
        RECOVERY_USE,
        AUDIT_READ,
        AUDIT_EXPORT,
        ACCESS_REVIEW,
        REGISTER_BACKUP,
        REGISTER_RESTORE,
        CATALOG_MANAGE,
        SETTINGS_MANAGE,
        RETENTION_MANAGE,
        SYNC_EXPORT,
        SYNC_IMPORT,
    }
)
