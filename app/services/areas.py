"""Names of the 地区 (areas): a register from the resident system carries only area codes; the
administrator names them here so that screens and the printed 未接種者一覧 show 「中央地区（03）」
instead of a bare 「03」. Every change is audited (the codes only).

Permission: ``settings.manage``, as for the office settings. Both are the administrator's
register settings; a separate permission would only need a migration to grant it to existing
administrators, without separating any duty.

Names live in the register's settings (``register_meta.area_names``). A code can be named when
some household uses it or it already has a name; an empty name removes the name.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from app.errors import InvalidInput
from app.security import permissions as perm
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services._transaction import write
from app.store import persons as person_repo
from app.store import register_meta

NAME_MAX = 30


class AreaNameInvalid(InvalidInput):
    code = "E_AREA_NAME"


class AreaUnknown(InvalidInput):
    code = "E_AREA_UNKNOWN"


@dataclass(frozen=True, slots=True)
class AreaRow:
    code: str
    name: str  # "" when the area has no name yet
    households: bool  # some household has this code (False: a name kept for an unused code)


def _clean(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).split())


def validate_name(name: str) -> str:
    """The name as stored (NFKC, single spaces), "" to remove; ``E_AREA_NAME`` when too long or
    holding control characters."""
    cleaned = _clean(name)
    if len(cleaned) > NAME_MAX or any(unicodedata.category(ch).startswith("C") for ch in cleaned):
        raise AreaNameInvalid(
            f"地区名は{NAME_MAX}文字以内で、記号や制御文字を含めずに入力してください。"
        )
    return cleaned


def list_areas(session: Session | SessionView) -> list[AreaRow]:
    """Every 地区 code in use or named, sorted by code, with its name."""
    session = session_of(session)
    _audit.require(session, perm.SETTINGS_MANAGE, "settings.areas.read")
    conn = session.register.conn
    names = register_meta.area_names(conn)
    used = set(person_repo.area_codes(conn))
    return [AreaRow(c, names.get(c, ""), c in used) for c in sorted(used | set(names))]


def set_names(session: Session | SessionView, changes: Mapping[str, str]) -> list[str]:
    """Set (or, with "", remove) the names of the given codes; returns the codes whose name
    changed. One transaction with its audit entry; bad input changes nothing."""
    session = session_of(session)
    _audit.require(session, perm.SETTINGS_MANAGE, "settings.areas")
    cleaned = {str(code): validate_name(name) for code, name in changes.items()}
    with write(session) as w:
        names = register_meta.area_names(w.conn)
        known = set(person_repo.area_codes(w.conn)) | set(names)
        if any(code not in known for code in cleaned):
            raise AreaUnknown()
        changed = sorted(c for c, n in cleaned.items() if names.get(c, "") != n)
        if not changed:
            return []
        for code in changed:
            if cleaned[code]:
                names[code] = cleaned[code]
            else:
                names.pop(code, None)
        register_meta.set_area_names(w.conn, names)
        _audit.record(session, "settings.areas", detail={"changed": changed})
    return changed
