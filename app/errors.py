"""Errors that reach people and programs.

Every error has a stable machine code (for the CLI, logs and tests) and a Japanese message for
people that says what happened and what to do. Codes, messages and exit codes are listed once,
in ``app.error_codes``: ``SomeError(code="E_…")`` and a class that declares ``code = "E_…"``
take the message and exit code from there; a message passed when raising refines the text.
Messages never contain personal data: callers pass ids or nothing, never names, numbers or
addresses.
"""

from __future__ import annotations

from typing import Any

from app import error_codes


class VaxDeskError(Exception):
    """Base class. ``code`` is stable; ``message_ja`` is shown to people."""

    code = "E_INTERNAL"
    message_ja = error_codes.message("E_INTERNAL")
    exit_code = error_codes.SOFTWARE

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        entry = error_codes.lookup(cls.code) if "code" in cls.__dict__ else None
        if entry is not None:
            cls.message_ja = entry.message_ja
            cls.exit_code = entry.exit_code

    def __init__(self, message_ja: str | None = None, *, code: str | None = None) -> None:
        if code is not None:
            self.code = code
            entry = error_codes.lookup(code)
            if entry is not None:
                self.message_ja = entry.message_ja
                self.exit_code = entry.exit_code
        if message_ja is not None:
            self.message_ja = message_ja
        super().__init__(f"{self.code}: {self.message_ja}")


class InvalidInput(VaxDeskError):
    code = "E_INVALID_INPUT"


class NotFound(VaxDeskError):
    code = "E_NOT_FOUND"


class PermissionDenied(VaxDeskError):
    code = "E_PERMISSION"


class RegisterError(VaxDeskError):
    """The register cannot be opened or used; the file is left untouched."""

    code = "E_REGISTER"


class AuthError(VaxDeskError):
    """Login refused. The message must not reveal which factor failed beyond what is safe."""

    code = "E_AUTH"


class ConfigError(VaxDeskError):
    code = "E_CONFIG"
