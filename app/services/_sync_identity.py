"""This terminal as a sync party (PACKAGE-FORMAT.md §1, §5, §7), the helpers under the checked
services (``sync_identity``, ``sync_export``, ``sync_import``, register creation): its party id and
key pairs, made at ``init`` and kept inside the encrypted register; the stored trust; and, for
demo registers, a demo server party whose key files are written beside the register and which the
demo register trusts. No session here: the callers checked it.
"""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import Path

from app.domain.ids import validate_municipality_code
from app.errors import VaxDeskError
from app.security.atomic import write_atomic
from app.store import db, sync_state
from app.sync.encoding import format_time, utc_now
from app.sync.keys import KeyPair, generate_keypair, write_key_files
from app.sync.trust import Trust, build_trust, make_party, parse_trust, write_trust_dir

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


def json_bytes(value: object) -> bytes:
    """A key or trust file's bytes (indented UTF-8 JSON with a final newline)."""
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


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
    keys = generate_keypair(party_id)
    public = keys.public
    identity = sync_state.Identity(
        party_id=keys.party_id,
        key_id=public.key_id,
        ed25519_public=public.ed25519,
        x25519_public=public.x25519,
        ed25519_private=keys.ed25519_private,
        x25519_private=keys.x25519_private,
        created_at=sync_state.utc_now(),
    )
    sync_state.save_identity(conn, identity)
    return identity


def identity_keys(conn: db.Connection) -> KeyPair:
    """This terminal's key pair (from the register)."""
    identity = sync_state.load_identity(conn)
    if identity is None:
        raise NoSyncIdentity()
    return KeyPair(identity.party_id, identity.ed25519_private, identity.x25519_private)


def stored_trust(conn: db.Connection) -> Trust | None:
    """The trust file in force (verified when it was installed)."""
    current = sync_state.trust_file(conn)
    return None if current is None else parse_trust(current.trust_json, current.trust_sig)


def install_trust(conn: db.Connection, trust: Trust, source: str) -> None:
    """Store a verified trust file and its parties (inside the caller's transaction)."""
    parties = [
        sync_state.TrustedParty(
            party_id=p.id,
            key_id=p.key_id,
            role=p.role,
            ed25519=p.ed25519,
            x25519=p.x25519,
            valid_from=format_time(p.valid_from),
            valid_until=format_time(p.valid_until),
            revoked_at=None if p.revoked_at is None else format_time(p.revoked_at),
        )
        for p in trust.parties
    ]
    sync_state.replace_trust(
        conn,
        version=trust.version,
        issued_at=format_time(trust.issued_at),
        trust_json=trust.raw,
        trust_sig=trust.sig,
        source=source,
        parties=parties,
    )


def demo_server_id(municipality_code: str) -> str:
    return f"{municipality_code}-{DEMO_SERVER_NAME}"


def install_demo_server(conn: db.Connection, directory: Path, municipality_code: str) -> Path:
    """Demo registers only: make a demo server party, write its key files, a trust file it signed
    (naming it and this terminal) and this terminal's public key to ``directory/demo-server/``,
    and trust it. Runs inside the caller's transaction; returns the folder."""
    server = generate_keypair(demo_server_id(municipality_code))
    terminal = identity_keys(conn).public
    folder = directory / "demo-server"
    write_key_files(server, folder)
    now = utc_now()
    until = now + timedelta(days=TRUST_VALIDITY_DAYS)
    start = now - timedelta(days=1)
    trust = build_trust(
        1,
        [
            make_party(server.public, "server", start, until),
            make_party(terminal, "terminal", start, until),
        ],
        [server],
        issued_at=now,
    )
    write_trust_dir(trust, folder)
    write_atomic(
        folder / f"{terminal.party_id}.pub.json", json_bytes(terminal.to_json()), mode=0o644
    )
    install_trust(conn, trust, "demo")
    return folder
