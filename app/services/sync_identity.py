"""This terminal as a sync party (PACKAGE-FORMAT.md §1, §5, §7): its party id and key pairs, made
at ``init`` and kept inside the encrypted register; its public key file for enrolment at the
server; and, for demo registers, a demo server party whose key files are written beside the
register and which the demo register trusts.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.domain.ids import validate_municipality_code
from app.errors import InvalidInput, PermissionDenied, VaxDeskError
from app.security.atomic import write_atomic
from app.security.session import Session
from app.services import audit_log
from app.store import db, sync_state

TRUST_CONTEXT = b"vaxdesk-trust-v1\x00"
PARTY_ID = re.compile(r"^[0-9]{6}-[A-Z0-9]{1,16}\Z")
TERMINAL_NAME_PREFIX = "T"
DEMO_SERVER_NAME = "HUB"
TRUST_VALIDITY_DAYS = 5 * 365


class NoSyncIdentity(VaxDeskError):
    code = "E_SYNC_NO_IDENTITY"
    message_ja = (
        "この台帳には同期用の端末鍵がありません（地方公共団体コードなしで作成された台帳です）。"
        "管理者に連絡してください。"
    )
    exit_code = 78


class OutputExists(InvalidInput):
    code = "E_SYNC_OUTPUT_EXISTS"
    message_ja = "出力先のファイルが既にあります。別のファイル名を指定してください。"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id_of(ed25519_public: bytes, x25519_public: bytes) -> str:
    """Spec §1: first 8 bytes of SHA-256(ed25519 ‖ x25519), lowercase hex."""
    return hashlib.sha256(ed25519_public + x25519_public).digest()[:8].hex()


@dataclass(frozen=True, slots=True)
class PartyKeys:
    party_id: str
    ed25519_public: bytes
    x25519_public: bytes
    ed25519_private: bytes = field(repr=False)
    x25519_private: bytes = field(repr=False)

    @property
    def key_id(self) -> str:
        return key_id_of(self.ed25519_public, self.x25519_public)

    def public_json(self) -> dict[str, str]:
        return {"id": self.party_id, "key_id": self.key_id,
                "ed25519": b64url(self.ed25519_public), "x25519": b64url(self.x25519_public)}  # fmt: skip

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.ed25519_private).sign(message)


def generate_party(party_id: str) -> PartyKeys:
    ed = Ed25519PrivateKey.generate()
    x = X25519PrivateKey.generate()
    return PartyKeys(
        party_id=party_id,
        ed25519_public=ed.public_key().public_bytes_raw(),
        x25519_public=x.public_key().public_bytes_raw(),
        ed25519_private=ed.private_bytes_raw(),
        x25519_private=x.private_bytes_raw(),
    )


def new_terminal_party_id(municipality_code: str) -> str:
    """``<municipality code>-T<12 hex>``: also the register's terminal id (record origin)."""
    code = validate_municipality_code(municipality_code)
    return f"{code}-{TERMINAL_NAME_PREFIX}{os.urandom(6).hex().upper()}"


def is_party_id(value: str) -> bool:
    return PARTY_ID.match(value) is not None


def create_identity(conn: db.Connection, party_id: str) -> sync_state.Identity:
    """Make this terminal's key pairs (inside the caller's transaction of register creation)."""
    if not is_party_id(party_id):
        raise ValueError("not a party id")
    keys = generate_party(party_id)
    identity = sync_state.Identity(
        party_id=keys.party_id,
        key_id=keys.key_id,
        ed25519_public=keys.ed25519_public,
        x25519_public=keys.x25519_public,
        ed25519_private=keys.ed25519_private,
        x25519_private=keys.x25519_private,
        created_at=sync_state.utc_now(),
    )
    sync_state.save_identity(conn, identity)
    return identity


def identity_keys(conn: db.Connection) -> PartyKeys:
    identity = sync_state.load_identity(conn)
    if identity is None:
        raise NoSyncIdentity()
    return PartyKeys(identity.party_id, identity.ed25519_public, identity.x25519_public,
                     identity.ed25519_private, identity.x25519_private)  # fmt: skip


def _json_bytes(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def export_terminal_key(session: Session, out: Path) -> str:
    """Write this terminal's public key file (spec §7) for enrolment at the server.
    Allowed to the number-use role (``sync.export``) and the administrator (``terminal.manage``).
    Returns the key id."""
    session.touch()
    if not (session.can("sync.export") or session.can("terminal.manage")):
        audit_log.record_now(session, "sync.terminal_key", outcome="denied",
                             detail={"needs": "sync.export|terminal.manage"})  # fmt: skip
        raise PermissionDenied()
    out = Path(out)
    if out.exists():
        raise OutputExists()
    keys = identity_keys(session.register.conn)
    write_atomic(out, _json_bytes(keys.public_json()), mode=0o644)
    audit_log.record_now(session, "sync.terminal_key", detail={"key_id": keys.key_id})
    return keys.key_id


def write_key_files(keys: PartyKeys, directory: Path) -> tuple[Path, Path]:
    """``ID.pub.json`` and the owner-only ``ID.key.json`` (spec §7)."""
    directory.mkdir(parents=True, exist_ok=True)
    pub = directory / f"{keys.party_id}.pub.json"
    key = directory / f"{keys.party_id}.key.json"
    write_atomic(pub, _json_bytes(keys.public_json()), mode=0o644)
    private = {**keys.public_json(), "ed25519_private": b64url(keys.ed25519_private),
               "x25519_private": b64url(keys.x25519_private)}  # fmt: skip
    write_atomic(key, _json_bytes(private), mode=0o600)
    return pub, key


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def signed_trust(
    server: PartyKeys, terminals: list[PartyKeys], *, version: int = 1
) -> tuple[bytes, bytes]:
    """A trust file (spec §5) naming ``server`` and ``terminals``, signed by ``server``."""
    now = datetime.now(UTC).replace(microsecond=0)
    start, until = _time(now - timedelta(days=1)), _time(now + timedelta(days=TRUST_VALIDITY_DAYS))
    parties = [
        {"id": p.party_id, "role": role, "key_id": p.key_id, "ed25519": b64url(p.ed25519_public),
         "x25519": b64url(p.x25519_public), "valid_from": start, "valid_until": until,
         "revoked_at": None}
        for p, role in [(server, "server"), *((t, "terminal") for t in terminals)]
    ]  # fmt: skip
    body = {"version": version, "issued_at": _time(now), "parties": parties}
    trust_json = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return trust_json, server.sign(TRUST_CONTEXT + trust_json)


def trust_parties_from_json(trust_json: bytes) -> tuple[int, str, list[sync_state.TrustedParty]]:
    """Parse a (verified) trust file into version, issued_at and parties."""
    body = json.loads(trust_json)
    parties = [
        sync_state.TrustedParty(
            party_id=p["id"], key_id=p["key_id"], role=p["role"],
            ed25519=b64url_decode(p["ed25519"]), x25519=b64url_decode(p["x25519"]),
            valid_from=p["valid_from"], valid_until=p.get("valid_until"),
            revoked_at=p.get("revoked_at"),
        )
        for p in body["parties"]
    ]  # fmt: skip
    return int(body["version"]), str(body["issued_at"]), parties


def demo_server_id(municipality_code: str) -> str:
    return f"{municipality_code}-{DEMO_SERVER_NAME}"


def install_demo_server(conn: db.Connection, directory: Path, municipality_code: str) -> Path:
    """Demo registers only: make a demo server party, write its key files to
    ``directory/demo-server/`` and trust it (a trust file it signed, naming it and this terminal).
    Runs inside the caller's transaction; returns the key folder."""
    server = generate_party(demo_server_id(municipality_code))
    terminal = identity_keys(conn)
    folder = directory / "demo-server"
    write_key_files(server, folder)
    trust_json, trust_sig = signed_trust(server, [terminal])
    (folder / "trust.json").write_bytes(trust_json)
    (folder / "trust.sig").write_bytes(trust_sig)
    (folder / f"{terminal.party_id}.pub.json").write_bytes(_json_bytes(terminal.public_json()))
    version, issued_at, parties = trust_parties_from_json(trust_json)
    sync_state.replace_trust(conn, version=version, issued_at=issued_at, trust_json=trust_json,
                             trust_sig=trust_sig, source="demo", parties=parties)  # fmt: skip
    return folder
