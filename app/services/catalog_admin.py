"""Vaccine catalog corrections (``catalog.manage``): import a file into the encrypted register,
see what changes before it applies, keep every version.

The catalog decides what is printed on official documents, so it lives in the register (not in
a loose file anyone could drop into the folder: such a file is ignored, see
``schedule.catalog_for``). ``preview_import`` validates the file and lists the differences;
``apply_import`` stores exactly the previewed text (checked by its sha256) as a new version.
Both are audited with counts and the hash only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.domain.catalog import CatalogInvalid
from app.errors import InvalidInput
from app.security import permissions as perm
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services._transaction import write
from app.store import catalog_versions
from app.store.catalog_files import catalog_from_text, default_catalog_path

MAX_CATALOG_BYTES = 2_000_000


class CatalogPreviewStale(InvalidInput):
    code = "E_CATALOG_PREVIEW_STALE"


@dataclass(frozen=True, slots=True)
class CatalogChange:
    kind: str  # series / product / rule / setting
    item_id: str
    change: str  # added / removed / changed
    name_before: str | None  # the name, or for a setting its value
    name_after: str | None


@dataclass(frozen=True, slots=True)
class CatalogPreview:
    sha256: str
    revision: str
    changes: tuple[CatalogChange, ...]
    text: str


@dataclass(frozen=True, slots=True)
class CatalogVersion:
    number: int
    sha256: str
    imported_at: str
    staff_no: str
    changes: int
    in_force: bool


def _by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(item.get("id")): item for item in items}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[CatalogChange, ...]:
    out: list[CatalogChange] = []
    for kind, key in (("series", "series"), ("product", "products"), ("rule", "special_rules")):
        old, new = _by_id(before.get(key, [])), _by_id(after.get(key, []))
        for item_id in sorted(old.keys() | new.keys()):
            a, b = old.get(item_id), new.get(item_id)
            if a == b:
                continue
            change = "added" if a is None else "removed" if b is None else "changed"
            out.append(
                CatalogChange(
                    kind,
                    item_id,
                    change,
                    None if a is None else a.get("name_ja"),
                    None if b is None else b.get("name_ja"),
                )
            )
    for key in sorted((before.keys() | after.keys()) - {"series", "products", "special_rules"}):
        if before.get(key) != after.get(key):
            was, now = _setting_text(before.get(key)), _setting_text(after.get(key))
            change = "added" if was is None else "removed" if now is None else "changed"
            out.append(CatalogChange("setting", key, change, was, now))
    return tuple(out)


def _setting_text(value: Any) -> str | None:
    """A top-level setting (revision date, an interval in days) as the text shown before and
    after a change; None when the file does not have it."""
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _in_force(session: Session) -> tuple[int | None, str]:
    stored = catalog_versions.current(session.register.conn)
    if stored is not None:
        return stored
    return None, default_catalog_path().read_text(encoding="utf-8")


def preview_import(session: Session | SessionView, source: Path) -> CatalogPreview:
    """Validate ``source`` (JSON Schema and model rules) and list what it changes."""
    session = session_of(session)
    _audit.require(session, perm.CATALOG_MANAGE, "catalog.preview")
    source = Path(source)
    try:
        raw = source.read_bytes()
    except OSError:
        raise CatalogInvalid.at(source.name, "ファイルを読み込めません") from None
    if len(raw) > MAX_CATALOG_BYTES:
        raise CatalogInvalid.at(source.name, "ファイルが大きすぎます")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CatalogInvalid.at(source.name, "UTF-8 のテキストではありません") from None
    catalog_from_text(text, source.name)  # E_CATALOG_INVALID, nothing recorded but the preview
    _number, current = _in_force(session)
    after = json.loads(text)
    changes = _changes(json.loads(current), after)
    sha = hashlib.sha256(raw).hexdigest()
    _audit.record_now(session, "catalog.preview", detail={"sha256": sha, "changes": len(changes)})
    return CatalogPreview(sha, str(after.get("revision", "")), changes, text)


def apply_import(session: Session | SessionView, preview: CatalogPreview) -> int:
    """Put the previewed catalog in force as a new version; returns its number."""
    session = session_of(session)
    _audit.require(session, perm.CATALOG_MANAGE, "catalog.import")
    raw = preview.text.encode("utf-8")
    if hashlib.sha256(raw).hexdigest() != preview.sha256:
        raise CatalogPreviewStale()
    catalog_from_text(preview.text, "catalog")
    with write(session) as w:
        number = len(catalog_versions.history(w.conn)) + 1
        row = catalog_versions.CatalogVersionRow(
            number,
            preview.sha256,
            datetime.now(UTC).isoformat(timespec="seconds"),
            session.staff_no,
            len(preview.changes),
        )
        catalog_versions.add_version(w.conn, preview.text, row)
        _audit.record(
            session,
            "catalog.import",
            record_type="catalog",
            record_id=number,
            detail={"sha256": preview.sha256, "changes": len(preview.changes)},
        )
    return number


def history(session: Session | SessionView) -> list[CatalogVersion]:
    """Every imported version, newest first (the bundled catalog applies before the first)."""
    session = session_of(session)
    _audit.require(session, perm.CATALOG_MANAGE, "catalog.history")
    conn = session.register.conn
    stored = catalog_versions.current(conn)
    in_force = None if stored is None else stored[0]
    rows = catalog_versions.history(conn)
    return [
        CatalogVersion(
            r.number, r.sha256, r.imported_at, r.staff_no, r.changes, r.number == in_force
        )
        for r in reversed(rows)
    ]
