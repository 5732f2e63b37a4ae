"""Issue 11 item 7: `vaxdesk recover` enrols and saves the slots first, writes the keyring last.

A failed enrolment used to leave the new terminal secret in the keyring: every user of a terminal
that was not reimaged was then locked out.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import keyring.errors
import pytest

from app.errors import AuthError
from app.security.fido import Enrollment, Fido2Backend, FidoPrompt, UnlockResult
from app.security.fido.errors import FidoCancelled
from app.security.terminal import NoSecureKeyring, TerminalSecretStore
from app.services.recovery import open_with_recovery_code, rebind_terminal
from app.services.register import login
from app.services.security_key import KeyAccess
from app.store.layout import RegisterLayout
from tests.support.keyrings import MemoryKeyring
from tests.support.registers import login_as, make_register, software_key


class _CancelledTouch(Fido2Backend):
    name = "usb"

    def is_available(self) -> tuple[bool, str]:
        return True, ""

    def enroll(
        self,
        rp_id: str,
        user_id: bytes,
        user_name: str,
        prompt: FidoPrompt,
        *,
        cancel: threading.Event | None = None,
    ) -> Enrollment:
        raise FidoCancelled()

    def unlock(
        self,
        rp_id: str,
        enrollments: list[Enrollment],
        prompt: FidoPrompt,
        *,
        cancel: threading.Event | None = None,
    ) -> UnlockResult:
        raise FidoCancelled()


class _BrokenKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringError("locked")


def _terminal_secrets(keyring_: MemoryKeyring) -> dict[tuple[str, str], str]:
    return {k: v for k, v in keyring_.store.items() if k[1].startswith("terminal-secret:")}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def reg(tmp_path: Path) -> tuple[Path, str]:
    code = make_register(tmp_path / "reg", with_people=False)
    return tmp_path / "reg", code


def test_failed_enrolment_changes_nothing(
    reg: tuple[Path, str], memory_keyring: MemoryKeyring
) -> None:
    directory, code = reg
    layout = RegisterLayout(directory)
    secret_before = _terminal_secrets(memory_keyring)
    slots_before = _digest(layout.keyslots)
    access = open_with_recovery_code(directory, code)
    try:
        with pytest.raises(AuthError) as err:
            rebind_terminal(access, "admin", "new admin pw", key=KeyAccess(_CancelledTouch()))
    finally:
        access.register.close()
    assert err.value.code == "E_FIDO_CANCELLED"
    assert _terminal_secrets(memory_keyring) == secret_before  # the secret was not replaced
    assert _digest(layout.keyslots) == slots_before
    login_as(directory, "clerk").register.close()  # nobody is locked out
    login_as(directory, "admin").register.close()


def test_keyring_failure_after_the_slots_leaves_the_recovery_usable(
    reg: tuple[Path, str], memory_keyring: MemoryKeyring
) -> None:
    directory, code = reg
    memory_keyring.store.clear()  # reimaged PC
    access = open_with_recovery_code(directory, code)
    try:
        with pytest.raises(NoSecureKeyring):
            rebind_terminal(
                access,
                "admin",
                "new admin pw",
                key=software_key(directory),
                secret_store=TerminalSecretStore(_BrokenKeyring()),
            )
    finally:
        access.register.close()
    # the recovery slot is intact: run the recovery again with a working keyring
    access = open_with_recovery_code(directory, code)
    try:
        rebind_terminal(access, "admin", "new admin pw", key=software_key(directory))
    finally:
        access.register.close()
    session = login(directory, "admin", "new admin pw", key=software_key(directory))
    assert session.login == "admin"
    session.register.close()


def test_a_rebind_on_the_same_terminal_keeps_the_login_counters(reg: tuple[Path, str]) -> None:
    """The counters are re-keyed to the new terminal secret: no false tampering alarm, and the
    failed attempt made before the recovery still reaches the audit log."""
    directory, code = reg
    with pytest.raises(AuthError):
        login(directory, "clerk", "wrong", key=software_key(directory))
    access = open_with_recovery_code(directory, code)
    try:
        rebind_terminal(access, "admin", "new admin pw", key=software_key(directory))
    finally:
        access.register.close()
    session = login(directory, "admin", "new admin pw", key=software_key(directory))
    try:
        actions = [
            r[0]
            for r in session.register.conn.execute(
                "SELECT action FROM audit_log WHERE outcome != 'ok' ORDER BY seq"
            )
        ]
    finally:
        session.register.close()
    assert "login.attempts_tampered" not in actions
    assert "login" in actions  # the clerk's failed attempt
