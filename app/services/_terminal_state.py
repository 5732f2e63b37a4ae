"""The files beside the register that are authenticated with keys derived from this terminal's
secret: the login counters (with their keyring copy) and the audit head (with its keyring copy)."""

from __future__ import annotations

from app.security.audit_head import AuditHeadFile, head_key
from app.security.keyslots import KeySlotFile
from app.security.lockout import LoginAttempts, attempts_key
from app.security.sign_counts import SignCountMarks
from app.security.terminal import KeyringEntry, TerminalSecretStore
from app.store.layout import RegisterLayout


def audit_head_for(
    layout: RegisterLayout, register_id: str, store: TerminalSecretStore, terminal_secret: bytes
) -> AuditHeadFile:
    """The audit head beside the key slots (and its copy in the keyring entry), authenticated
    with a key derived from this terminal's secret."""
    return AuditHeadFile(
        layout.audit_head,
        head_key(terminal_secret),
        register_id,
        KeyringEntry(store, "audit-head", register_id),
    )


def attempts_for(
    layout: RegisterLayout, ks: KeySlotFile, store: TerminalSecretStore, terminal_secret: bytes
) -> LoginAttempts:
    """The login counters of this register on this terminal: the file authenticated with a key
    derived from the terminal secret, mirrored in the keyring entry beside that secret."""
    return LoginAttempts(
        layout.failed_logins,
        key=attempts_key(terminal_secret),
        mirror=KeyringEntry(store, "login-attempts", ks.register_id),
    )


def carry_attempts(
    layout: RegisterLayout,
    ks: KeySlotFile,
    store: TerminalSecretStore,
    old_secret: bytes | None,
    new_secret: bytes,
) -> None:
    """After the terminal was re-bound on the same PC, keep its login counters (re-keyed). On a
    reimaged PC the old secret is gone: the old file cannot be verified, and the next login
    records that as a tampered file, which is what it then is for this terminal."""
    if old_secret is None:
        return
    old = attempts_for(layout, ks, store, old_secret)
    old.move_to(attempts_for(layout, ks, store, new_secret))


def sign_count_marks_for(
    layout: RegisterLayout, ks: KeySlotFile, store: TerminalSecretStore, terminal_secret: bytes
) -> SignCountMarks:
    """The highest sign count each slot reached on this terminal (keyring entry)."""
    entry = KeyringEntry(store, "sign-counts", ks.register_id)
    return SignCountMarks(entry, terminal_secret, layout.directory / "sign-counts")
