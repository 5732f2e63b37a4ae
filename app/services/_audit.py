"""Audit entries and permission checks for services (DESIGN.md §4).

``require`` refuses an action the session has no permission for and records the refusal.
Free text a person typed (a correction, void or reveal reason, a note) can carry personal data:
``free_text`` is the one place that scrubs it (digit runs masked, length capped), and ``record``
applies it to every detail value under a ``FREE_TEXT_KEYS`` key, so no caller can forget.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from app.errors import PermissionDenied
from app.security.session import Session
from app.store import audit, db

FREE_TEXT_KEYS = frozenset({"reason", "note"})
FREE_TEXT_MAX = 100
_DIGIT_RUN = re.compile(r"\d{2,}")  # any script's digits (full-width too); one digit may stay


def free_text(text: str) -> str:
    """A typed reason as it may enter the audit log: runs of two or more digits (numbers,
    dates, phone numbers, 個人番号) become ``#``, whitespace is collapsed and the text is cut
    to ``FREE_TEXT_MAX`` characters."""
    flat = " ".join(text.split())[:FREE_TEXT_MAX]
    return _DIGIT_RUN.sub(lambda m: "#" * len(m.group()), flat)


def _scrubbed(detail: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if detail is None:
        return None
    return {
        k: free_text(v) if k in FREE_TEXT_KEYS and isinstance(v, str) else v
        for k, v in detail.items()
    }


def record(
    session: Session,
    action: str,
    *,
    outcome: str = "ok",
    person_id: int | None = None,
    record_type: str | None = None,
    record_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> int:
    """Append an entry inside the caller's transaction."""
    return audit.append(
        session.register.conn,
        action=action,
        terminal_id=session.register.terminal_id,
        user_id=session.user_id,
        outcome=outcome,
        person_id=person_id,
        record_type=record_type,
        record_id=record_id,
        detail=_scrubbed(detail),
    )


def record_now(session: Session, action: str, **kwargs: Any) -> int:
    """Append an entry in its own transaction (reads, views, refusals)."""
    with db.transaction(session.register.conn):
        return record(session, action, **kwargs)


def require(
    session: Session, permission: str, action: str, *, person_id: int | None = None
) -> None:
    """Raise PermissionDenied (and audit the refusal) unless the session has ``permission``."""
    require_any(session, (permission,), action, person_id=person_id)


def require_any(
    session: Session,
    permissions: Sequence[str],
    action: str,
    *,
    person_id: int | None = None,
) -> None:
    """Raise PermissionDenied (and audit the refusal) unless the session has one of
    ``permissions``."""
    session.touch()
    if not any(session.can(p) for p in permissions):
        record_now(
            session,
            action,
            outcome="denied",
            person_id=person_id,
            detail={"needs": " | ".join(permissions)},
        )
        raise PermissionDenied()
