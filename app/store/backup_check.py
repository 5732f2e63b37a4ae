"""Read-only inspection of a register copy (backup) before anything is replaced with it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlcipher3

from app.errors import RegisterError
from app.store import db, migrate, register_meta


@dataclass(frozen=True, slots=True)
class CopyReport:
    problems: tuple[str, ...]
    register_id: str | None
    schema_version: int | None

    @property
    def healthy(self) -> bool:
        return not self.problems


def inspect_copy(path: Path, dek: bytes) -> CopyReport:
    """Open ``path`` read-only with ``dek``; run the integrity checks; read identity and schema.

    Never raises for a bad file: every problem is reported as a code in ``problems``.
    """
    try:
        conn = db.connect(Path(path), dek, readonly=True)
    except RegisterError as exc:
        return CopyReport((exc.code,), None, None)
    try:
        problems = db.integrity_check(conn)
        register_id = register_meta.get_meta(conn, "register_id")
        version = migrate.check_supported(conn)
    except RegisterError as exc:
        return CopyReport((exc.code,), None, None)
    except sqlcipher3.Error as exc:
        return CopyReport(("E_REGISTER_DAMAGED", type(exc).__name__), None, None)
    finally:
        conn.close()
    return CopyReport(tuple(problems), register_id, version)
