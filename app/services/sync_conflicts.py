"""The conflict queue (PACKAGE-FORMAT.md §4): a local unacknowledged change and a different
incoming version, both kept until a person decides. Shown side by side field by field; the choice
(local, incoming, or a field-by-field merge) is written with a fresh version, queued for export and
audited. Records the server owns already carry the server's version: reviewing them only closes
the entry (the local version stays in the queue's history)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.errors import InvalidInput, NotFound
from app.security import permissions as perm
from app.security.person_numbers import NumberCipher
from app.security.session import Session, SessionView, session_of
from app.services import _audit, _sync_identity
from app.services._sync_applier import Applier
from app.services._sync_hub_conflicts import HUB_DECIDED
from app.services._sync_records import SERVER_OWNED
from app.services._transaction import write
from app.store import sync_apply

CHOICES = ("local", "incoming", "merged")
_HIDDEN = "（暗号化）"


class ConflictRefused(InvalidInput):
    code = "E_SYNC_CONFLICT"
    message_ja = "この競合はその方法では解決できません。"


@dataclass(frozen=True, slots=True)
class FieldDiff:
    name: str
    local: str
    incoming: str

    @property
    def differs(self) -> bool:
        return self.local != self.incoming


@dataclass(frozen=True, slots=True)
class ConflictView:
    id: int
    created_at: str
    record_type: str
    server_owned: bool
    server_applied: bool
    local_version: str
    incoming_version: str
    incoming_origin: str
    fields: tuple[FieldDiff, ...]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    return str(value)


def _fields(local: dict[str, Any], incoming: dict[str, Any]) -> tuple[FieldDiff, ...]:
    ldata, idata = local.get("data", {}), incoming.get("data", {})
    names = sorted(set(ldata) | set(idata))
    out = []
    for name in names:
        if name == "number_sealed":
            out.append(FieldDiff("number", _HIDDEN, _HIDDEN))
            continue
        out.append(FieldDiff(name, _text(ldata.get(name)), _text(idata.get(name))))
    out.append(FieldDiff("voided", _text(local.get("voided")), _text(incoming.get("voided"))))
    return tuple(out)


def _view(c: sync_apply.Conflict) -> ConflictView:
    local, incoming = json.loads(c.local_data), json.loads(c.incoming_data)
    return ConflictView(
        c.id,
        c.created_at,
        c.record_type,
        c.record_type in SERVER_OWNED,
        c.resolution == "server",
        c.local_version,
        c.incoming_version,
        c.incoming_origin,
        _fields(local, incoming),
    )


def open_conflicts(session: Session | SessionView) -> list[ConflictView]:
    session = session_of(session)
    _audit.require(session, perm.SYNC_IMPORT, "sync.conflicts")
    return [_view(c) for c in sync_apply.conflicts(session.register.conn)]


def resolve(
    session: Session | SessionView,
    conflict_id: int,
    choice: str,
    *,
    merged: dict[str, str] | None = None,
) -> str:
    """Decide one open conflict. ``merged`` maps a field to ``"local"`` or ``"incoming"`` (other
    fields keep the local value). Returns the version written (or the server's, when only
    reviewed)."""
    session = session_of(session)
    _audit.require(session, perm.SYNC_IMPORT, "sync.conflict.resolve")
    if choice not in CHOICES:
        raise ConflictRefused()
    conn = session.register.conn
    found = sync_apply.conflict(conn, conflict_id)
    if found is None or found.status != "open":
        raise NotFound()
    local, incoming = json.loads(found.local_data), json.loads(found.incoming_data)
    server_applied = found.resolution == "server"
    # a conflict the hub decided: the register holds its choice; keeping it writes nothing
    confirmed = found.resolution == HUB_DECIDED and choice == "local"
    if server_applied and choice != "incoming":
        raise ConflictRefused(
            "住民・個人番号などサーバーが管理する記録は、サーバーの内容が優先されます。"
            "確認済みにするには「サーバーの内容」を選んでください。"
        )
    sealed = "number_sealed" in local.get("data", {}) or "number_sealed" in incoming.get("data", {})
    if sealed and not server_applied:
        raise ConflictRefused()
    with write(session) as w:
        version = found.incoming_version
        if not (server_applied or confirmed):
            chosen = _choose(local, incoming, choice, merged or {})
            chosen["version"], chosen["origin"] = w.version, w.origin
            cipher = NumberCipher(session.number_key()) if session.holds_number_key else None
            party = _sync_identity.identity_keys(conn).party_id
            problem = Applier(conn, "resolution", party, cipher).write(chosen)
            if problem is not None:
                raise ConflictRefused(f"この内容では保存できません（{problem}）。")
            w.queue(found.record_type, found.record_uid)
            version = w.version
        sync_apply.resolve_conflict(conn, conflict_id, choice, session.user_id)
        _audit.record(
            session,
            "sync.conflict.resolve",
            record_type=found.record_type,
            detail={
                "conflict": conflict_id,
                "choice": choice,
                "fields": sorted((merged or {}).keys()),
                "version": version,
            },
        )
    return version


def _choose(
    local: dict[str, Any], incoming: dict[str, Any], choice: str, merged: dict[str, str]
) -> dict[str, Any]:
    if choice == "local":
        return dict(local)
    if choice == "incoming":
        return dict(incoming)
    result = json.loads(json.dumps(local))
    for name, side in merged.items():
        source = incoming if side == "incoming" else local
        if name == "voided":
            result["voided"] = source.get("voided")
        elif name in source.get("data", {}):
            result["data"][name] = source["data"][name]
        else:
            result["data"].pop(name, None)
    return dict(result)
