"""The terminal secret: 32 random bytes in the OS keyring that bind key slots to this terminal.

Real registers use the OS keyring (Windows Credential Manager, macOS Keychain, Secret Service) and
refuse to work when only an insecure backend is available: there is no plaintext fallback. Demo
registers use :class:`DemoFileKeyring`, a file inside the demo folder, and say so.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors

from app.errors import AuthError, ConfigError
from app.security.atomic import write_atomic

SERVICE = "VaxDesk"
SECRET_BYTES = 32

# Backends that store secrets in plain or weakly protected files, or store nothing.
_INSECURE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


class NoSecureKeyring(ConfigError):
    code = "E_KEYRING_UNAVAILABLE"


class TerminalSecretMissing(AuthError):
    code = "E_TERMINAL_SECRET_MISSING"


def _username(register_id: str) -> str:
    return f"terminal-secret:{register_id}"


def _is_insecure(backend: keyring.backend.KeyringBackend) -> bool:
    module = type(backend).__module__
    if module.startswith(_INSECURE_MODULES):
        return True
    backends = getattr(backend, "backends", None)
    if backends is not None:  # ChainerBackend
        return not backends or all(_is_insecure(b) for b in backends)
    return False


class DemoFileKeyring(keyring.backend.KeyringBackend):
    """File-backed keyring for DEMO registers only; the file sits inside the demo folder."""

    priority = 0.1  # never chosen automatically

    def __init__(self, path: Path) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.path = Path(path)

    def _load(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        data: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        return data

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\x00{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\x00{username}"] = password
        write_atomic(self.path, json.dumps(data).encode("utf-8"))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\x00{username}", None) is None:
            raise keyring.errors.PasswordDeleteError("not found")
        write_atomic(self.path, json.dumps(data).encode("utf-8"))


class TerminalSecretStore:
    """Reads and writes the terminal secret for one register in a keyring backend."""

    def __init__(
        self, backend: keyring.backend.KeyringBackend | None = None, *, demo: bool = False
    ):
        self._backend = backend
        self.demo = demo

    def _keyring(self) -> Any:
        backend = self._backend if self._backend is not None else keyring.get_keyring()
        if not self.demo and (isinstance(backend, DemoFileKeyring) or _is_insecure(backend)):
            raise NoSecureKeyring()
        return backend

    def get(self, register_id: str) -> bytes:
        try:
            value = self._keyring().get_password(SERVICE, _username(register_id))
        except keyring.errors.KeyringError as exc:
            raise NoSecureKeyring() from exc
        if value is None:
            raise TerminalSecretMissing()
        secret = base64.b64decode(value)
        if len(secret) != SECRET_BYTES:
            raise TerminalSecretMissing()
        return secret

    def create(self, register_id: str) -> bytes:
        """Generate and store a fresh secret for this register on this terminal."""
        secret = os.urandom(SECRET_BYTES)
        self.put(register_id, secret)
        return secret

    def put(self, register_id: str, secret: bytes) -> None:
        """Store ``secret`` (made by :func:`new_secret`) as this terminal's secret for the register.

        Used by the recovery, which writes the keyring only after the new slots are saved."""
        if len(secret) != SECRET_BYTES:
            raise ValueError("a terminal secret is 32 bytes")
        try:
            self._keyring().set_password(
                SERVICE, _username(register_id), base64.b64encode(secret).decode("ascii")
            )
        except keyring.errors.KeyringError as exc:
            raise NoSecureKeyring() from exc

    def get_entry(self, name: str, register_id: str) -> str | None:
        """Another small value kept beside the terminal secret (e.g. the login counters)."""
        try:
            value: str | None = self._keyring().get_password(SERVICE, f"{name}:{register_id}")
        except keyring.errors.KeyringError as exc:
            raise NoSecureKeyring() from exc
        return value

    def put_entry(self, name: str, register_id: str, value: str) -> None:
        try:
            self._keyring().set_password(SERVICE, f"{name}:{register_id}", value)
        except keyring.errors.KeyringError as exc:
            raise NoSecureKeyring() from exc

    def check_usable(self) -> None:
        """Raise NoSecureKeyring now (before anything is changed) if no secure keyring exists."""
        self._keyring()


def new_secret() -> bytes:
    return os.urandom(SECRET_BYTES)

    def exists(self, register_id: str) -> bool:
        try:
            self.get(register_id)
        except TerminalSecretMissing:
            return False
        return True


class KeyringEntry:
    """A small value kept in the keyring beside the terminal secret: the copy of the login
    counters (``login-attempts``) and of the audit head (``audit-head``)."""

    def __init__(self, store: TerminalSecretStore, name: str, register_id: str) -> None:
        self._store = store
        self._name = name
        self._register_id = register_id

    def get(self) -> str | None:
        return self._store.get_entry(self._name, self._register_id)

    def put(self, value: str) -> None:
        self._store.put_entry(self._name, self._register_id, value)
