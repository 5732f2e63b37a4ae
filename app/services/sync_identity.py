"""This terminal as a sync party (PACKAGE-FORMAT.md §1, §5, §7): its party id and key pairs, made
at ``init`` and kept inside the encrypted register; its public key file for enrolment at the
server; and, for demo registers, a demo server party whose key files are written beside the
register and which the demo register trusts.
"""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import Path

from app.domain.ids import validate_municipality_code
from app.errors import InvalidInput, PermissionDenied, VaxDeskError
from app.security import permissions as perm
from app.security.atomic import write_atomic
from app.security.session import Session, SessionView, session_of
from app.services import _audit
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


class OutputExists(InvalidInput):
    code = "E_SYNC_OUTPUT_EXISTS"
    message_ja = "出力先のファイルが既にあります。別のファイル名を指定してください。"


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


def _json_bytes(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def export_terminal_key(session: Session | SessionView, out: Path) -> str:
    """Write this terminal's public key file (spec §7) for enrolment at the server.
    Allowed to the number-use role (``sync.export``) and the administrator (``terminal.manage``).
    Returns the key id."""
    session = session_of(session)
    session.touch()
    if not (session.can(perm.SYNC_EXPORT) or session.can(perm.TERMINAL_MANAGE)):
        _audit.record_now(
            session,
            "sync.terminal_key",
            outcome="denied",
            detail={"needs": "sync.export|terminal.manage"},
        )
        raise PermissionDenied()
    out = Path(out)
    if out.exists():
        raise OutputExists()
    public = identity_keys(session.register.conn).public
    write_atomic(out, _json_bytes(public.to_json()), mode=0o644)
    _audit.record_now(session, "sync.terminal_key", detail={"key_id": public.key_id})
    return public.key_id


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
        folder / f"{terminal.party_id}.pub.json", _json_bytes(terminal.to_json()), mode=0o644
    )
    install_trust(conn, trust, "demo")
    return folder


class TrustAlreadyInstalled(VaxDeskError):
    code = "E_SYNC_TRUST_EXISTS"
    message_ja = (
        "この端末には既に信頼リストがあります。以後はサーバーからのパッケージでのみ更新されます。"
    )
    exit_code = 65


class TrustFingerprintMismatch(VaxDeskError):
    code = "E_SYNC_TRUST_FINGERPRINT"
    message_ja = (
        "信頼リストのサーバー鍵IDが、サーバー管理者から別経路で知らされた鍵IDと一致しません。"
        "登録していません。"
    )
    exit_code = 65


def enrol_trust(session: Session | SessionView, folder: Path, server_key_id: str) -> Trust:
    """Enrolment (spec §5): install the first trust file of a real terminal from a trust folder
    (trust.json + trust.sig, signed by its own server key) — only while none is installed, and
    only when its server key id equals ``server_key_id`` as told out of band by the server's
    administrator. Every later change arrives inside server packages. Administrator only."""
    session = session_of(session)
    from app.sync.errors import PackageError
    from app.sync.trust import read_trust_dir

    _audit.require(session, perm.TERMINAL_MANAGE, "sync.trust_enrol")
    conn = session.register.conn
    if sync_state.trust_file(conn) is not None:
        raise TrustAlreadyInstalled()
    try:
        trust = read_trust_dir(Path(folder))
    except PackageError as exc:
        _audit.record_now(session, "sync.trust_enrol", outcome="failed", detail={"code": exc.code})
        raise
    server = trust.server()
    if server.key_id != server_key_id.strip().lower():
        _audit.record_now(
            session,
            "sync.trust_enrol",
            outcome="failed",
            detail={"code": TrustFingerprintMismatch.code},
        )
        raise TrustFingerprintMismatch()
    with db.transaction(conn):
        install_trust(conn, trust, "enrolment")
        _audit.record(
            session,
            "sync.trust_enrol",
            detail={"server": server.id, "key_id": server.key_id, "version": trust.version},
        )
    return trust
