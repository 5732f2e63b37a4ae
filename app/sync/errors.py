"""The one error type of the package layer.

``PackageError`` carries the stable code of PACKAGE-FORMAT.md (``E_TOO_LARGE`` … ``E_RECORD_SCHEMA``,
plus ``E_TRUST`` for a trust file and ``E_KEY_FILE`` for a key file), a Japanese message and the
``step`` of the reader (or writer) that refused. Messages name files, line numbers, ids and rules,
never record contents: a package carries personal data.
"""

from __future__ import annotations

from app import error_codes
from app.errors import VaxDeskError


class PackageError(VaxDeskError):
    """A package, trust file or key file was refused. ``code`` is registered in app.error_codes."""

    code = "E_PACKAGE"
    message_ja = "パッケージを処理できません。"
    exit_code = 65

    def __init__(self, code: str, detail: str | None = None, *, step: str = "") -> None:
        entry = error_codes.lookup(code)
        base = entry.message_ja if entry is not None else self.message_ja
        message = f"{base}（{detail}）" if detail else base
        self.step = step
        self.detail = detail or ""
        super().__init__(message, code=code)
