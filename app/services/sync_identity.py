"""This terminal as a sync party, the user actions: writing its public key file for enrolment at
the server (PACKAGE-FORMAT.md §7) and installing the first trust file (§5). The helpers they use
(party id, key pairs, stored trust, demo server) are in ``_sync_identity``.
"""

from __future__ import annotations

from pathlib import Path

from app.errors import InvalidInput, PermissionDenied, VaxDeskError
from app.security import permissions as perm
from app.security.atomic import write_atomic
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services._sync_identity import identity_keys, install_trust, json_bytes
from app.store import db, sync_state
from app.sync.trust import Trust


class OutputExists(InvalidInput):
    code = "E_SYNC_OUTPUT_EXISTS"
    message_ja = "出力先のファイルが既にあります。別のファイル名を指定してください。"


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
    write_atomic(out, json_bytes(public.to_json()), mode=0o644)
    _audit.record_now(session, "sync.terminal_key", detail={"key_id": public.key_id})
    return public.key_id


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
