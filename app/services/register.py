"""Create, open and recover a register (DESIGN.md §4).

Opening needs the user's slot factors: password, this terminal's secret from the keyring and, once
enrolled, the FIDO2 key. A failure leaves every file untouched: nothing is re-created or deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.errors import AuthError, RegisterError
from app.security import audit_head
from app.security import roles as role_defs
from app.security.audit_head import AuditHeadFile
from app.security.fido import FidoPrompt
from app.security.keyslots import (
    KeySlotFile,
    Secrets,
    Slot,
    UnknownUser,
    UnwrappedKeys,
    password_factor,
    terminal_factor,
)
from app.security.lockout import PendingEntry
from app.security.session import OpenRegister, Session, SessionView, session_of
from app.security.terminal import DemoFileKeyring, TerminalSecretStore
from app.services import _number_key
from app.services._slot_roles import RolesMismatch as RolesMismatch
from app.services._slot_roles import session_roles
from app.services._terminal_state import attempts_for, audit_head_for, sign_count_marks_for
from app.services.security_key import (
    EnrolmentPolicy,
    KeyAccess,
    enroll_factor,
    key_access_for,
    open_slot,
)
from app.store import audit, db, migrate, register_meta, users
from app.store.layout import RegisterLayout

ORIGIN_PREFIX = "T-"


class RegisterMismatch(RegisterError):
    code = "E_REGISTER_KEYSLOTS_MISMATCH"
    message_ja = (
        "鍵ファイルと台帳ファイルが対応していません。台帳フォルダの中身を確認してください。"
    )


class UserInactive(AuthError):
    code = "E_AUTH_USER_INACTIVE"
    message_ja = "このユーザーは無効化されています。管理者に連絡してください。"


@dataclass(frozen=True, slots=True)
class NewUser:
    login: str
    display_name: str
    staff_no: str
    password: str
    roles: tuple[str, ...]
    shared_account: bool = False


class FidoRequired(AuthError):
    code = "E_FIDO_REQUIRED"
    message_ja = (
        "この鍵スロットにはセキュリティキーが登録されていません。管理者に連絡してください。"
    )


POLICY_SYNCED_PASSKEYS = "policy.allow_synced_passkeys"


def synced_passkeys_allowed(conn: db.Connection) -> bool:
    """The administrator's setting (audited): may a synced passkey (BE/BS flags) be enrolled?"""
    return register_meta.get_meta(conn, POLICY_SYNCED_PASSKEYS) == "1"


def secret_store_for(layout: RegisterLayout, demo: bool) -> TerminalSecretStore:
    """Demo registers keep the terminal secret in a file inside the demo folder; real ones in the
    OS keyring (an insecure keyring backend is refused)."""
    if demo:
        return TerminalSecretStore(DemoFileKeyring(layout.demo_keyring), demo=True)
    return TerminalSecretStore()


def add_user_slot(
    ks: KeySlotFile,
    user: NewUser,
    *,
    dek: bytes,
    nk: bytes | None,
    terminal_id: str,
    terminal_secret: bytes,
    key: KeyAccess,
    user_uid: bytes,
    allow_synced: bool = False,
) -> Slot:
    """A slot that needs password + this terminal + the user's enrolled security key (the
    software key only on a demo register; a synced passkey only if ``allow_synced``)."""
    keys = {"dek": dek}
    if nk is not None and role_defs.needs_number_key(user.roles):
        keys["nk"] = nk
    policy = EnrolmentPolicy(demo=ks.demo, allow_synced=allow_synced)
    fido_factor, fido_output = enroll_factor(key, user_uid, user.login, policy)
    return ks.add_slot(
        kind="user",
        login=user.login,
        factors=[password_factor(), terminal_factor(terminal_id), fido_factor],
        secrets=Secrets(
            password=user.password, terminal_secret=terminal_secret, fido_output=fido_output
        ),
        keys=keys,
        roles=user.roles,
    )


def open_database(
    layout: RegisterLayout, ks: KeySlotFile, dek: bytes, head: AuditHeadFile | None = None
) -> OpenRegister:
    """Open the encrypted file with an unwrapped DEK, migrate it if older, check its identity.

    With ``head``, every later commit moves the audit head kept outside the database."""
    conn = db.connect(layout.database, dek)
    try:
        migrate.check_supported(conn)
        if register_meta.register_id(conn) != ks.register_id:
            raise RegisterMismatch()
        migrate.migrate(conn, db_path=layout.database, dek=dek)
        db.enable_wal(conn)
        terminal_id = register_meta.get_meta(conn, "terminal_id") or ""
        demo = register_meta.get_meta(conn, "demo") == "1"
    except BaseException:
        conn.close()
        raise
    if demo != ks.demo:
        conn.close()
        raise RegisterMismatch()
    if head is not None:
        audit_head.track(conn, head)
    return OpenRegister(layout.directory, conn, ks.register_id, terminal_id, demo, dek)


def login(
    directory: Path,
    login_name: str,
    password: str,
    *,
    secret_store: TerminalSecretStore | None = None,
    key: KeyAccess | None = None,
    prompt: FidoPrompt | None = None,
) -> Session:
    """Open the register as ``login_name`` with password + this terminal + the security key.

    Consecutive failures lock the login (counted outside the register, audited at the next
    successful login). Every refusal leaves the register file unchanged.
    """
    layout = RegisterLayout(Path(directory))
    ks = KeySlotFile.load(layout.keyslots)
    store = secret_store or secret_store_for(layout, ks.demo)
    terminal_secret = store.get(ks.register_id)  # no terminal secret: nothing can be guessed
    attempts = attempts_for(layout, ks, store, terminal_secret)
    attempts.check(login_name)
    try:
        slots = ks.user_slots(login_name)
        if not slots:
            raise UnknownUser()
        if any(s.fido_factor() is None for s in slots):
            raise FidoRequired()
        access = key or key_access_for(layout, ks.demo, prompt)
        marks = sign_count_marks_for(layout, ks, store, terminal_secret)
        keys = open_slot(
            ks, slots, access, password=password, terminal_secret=terminal_secret, marks=marks
        )
        head = audit_head_for(layout, ks.register_id, store, terminal_secret)
        reg = open_current(layout, ks, keys, head)
    except AuthError as exc:
        if exc.code == "E_FIDO_CANCELLED":
            attempts.cancelled(login_name)
        else:
            attempts.failed(login_name, exc.code)
        raise
    except BaseException:
        attempts.cancelled(login_name)  # not a refusal of a factor: nothing was guessed
        raise

    def bind_legacy(roles: tuple[str, ...]) -> None:
        """A slot written before roles were bound: bind them under the KEK just derived."""
        ks.update(lambda fresh: fresh.rebind_roles(keys.slot_id, keys.kek, roles, keep_nk=True))

    return _start_session(reg, ks, login_name, keys, attempts.succeeded(login_name), bind_legacy)


def open_current(
    layout: RegisterLayout, ks: KeySlotFile, keys: UnwrappedKeys, head: AuditHeadFile | None
) -> OpenRegister:
    """Open the register with the DEK that opens it now: one delivered to the slot by a 鍵の更新
    (tried first), else the slot's own box (a 鍵の更新 that did not reach its switch)."""
    candidates = _number_key.current_dek_first(keys)
    for dek in candidates[:-1]:
        try:
            return open_database(layout, ks, dek, head)
        except db.RegisterDamaged:
            continue
    return open_database(layout, ks, candidates[-1], head)


def reauthenticate(
    session: Session | SessionView,
    password: str,
    *,
    secret_store: TerminalSecretStore | None = None,
    key: KeyAccess | None = None,
    prompt: FidoPrompt | None = None,
) -> None:
    """Unlock a session locked for idleness: password + terminal + key must unwrap the same DEK
    (and the same roles); NK, dropped by the lock, comes back from the slot."""
    session = session_of(session)
    reg = session.register
    layout = RegisterLayout(reg.directory)
    ks = KeySlotFile.load(layout.keyslots)
    store = secret_store or secret_store_for(layout, ks.demo)
    terminal_secret = store.get(ks.register_id)
    attempts = attempts_for(layout, ks, store, terminal_secret)
    attempts.check(session.login)
    try:
        slots = ks.user_slots(session.login)
        if not slots:
            raise UnknownUser()
        access = key or key_access_for(layout, ks.demo, prompt)
        marks = sign_count_marks_for(layout, ks, store, terminal_secret)
        keys = open_slot(
            ks, slots, access, password=password, terminal_secret=terminal_secret, marks=marks
        )
        if reg.dek not in _number_key.current_dek_first(keys):
            raise RegisterMismatch()
        if keys.roles is not None and frozenset(keys.roles) != session.roles:
            raise RolesMismatch()
    except AuthError as exc:
        if exc.code == "E_FIDO_CANCELLED":
            attempts.cancelled(session.login)
            raise
        attempts.failed(session.login, exc.code)
        with db.transaction(reg.conn):
            audit.append(
                reg.conn,
                action="unlock",
                outcome="failed",
                user_id=session.user_id,
                terminal_id=reg.terminal_id,
                detail={"code": exc.code},
            )
        raise
    except BaseException:
        attempts.cancelled(session.login)  # not a refused factor (e.g. the key file is busy)
        raise
    attempts.succeeded(session.login)
    nk = _number_key.current_nk(reg.conn, keys)
    _number_key.settle(ks, keys, reg.dek, nk if nk is not None else keys.nk)
    session.take_number_key(nk)  # the idle lock dropped it
    session.touch()
    with db.transaction(reg.conn):
        audit.append(
            reg.conn, action="unlock", user_id=session.user_id, terminal_id=reg.terminal_id
        )


def _flush_pending(conn: db.Connection, terminal_id: str, pending: list[PendingEntry]) -> None:
    for entry in pending:
        user = users.get_by_login(conn, entry.login) if entry.login else None
        audit.append(
            conn,
            action=entry.action,
            outcome="failed" if entry.action == "login" else "denied",
            terminal_id=terminal_id,
            user_id=None if user is None else user.id,
            detail={
                "code": entry.code,
                "attempted_at": entry.at,
                "known_user": user is not None,
                **entry.detail,
            },
        )


def _start_session(
    reg: OpenRegister,
    ks: KeySlotFile,
    login_name: str,
    keys: UnwrappedKeys,
    pending: list[PendingEntry],
    bind_legacy: Callable[[tuple[str, ...]], None],
) -> Session:
    conn = reg.conn
    try:
        if pending:
            with db.transaction(conn):
                _flush_pending(conn, reg.terminal_id, pending)
        user = users.get_by_login(conn, login_name)
        if user is None or not user.active:
            with db.transaction(conn):
                audit.append(
                    conn,
                    action="login",
                    outcome="denied",
                    terminal_id=reg.terminal_id,
                    user_id=None if user is None else user.id,
                    detail={"reason": "inactive" if user else "unknown"},
                )
            raise UserInactive() if user else UnknownUser()
        roles = session_roles(reg, user, keys, bind_legacy)
        permissions = users.permissions_of(conn, roles)
        nk = _number_key.current_nk(conn, keys)
        _number_key.settle(ks, keys, reg.dek, nk if nk is not None else keys.nk)
        held_nk = nk if role_defs.needs_number_key(roles) else None
        if held_nk is not None and _number_key.rotation_due(conn):
            # number rights were removed with no NK at hand: this holder completes the rotation
            held_nk = _number_key.rotate(
                conn, ks, held_nk, terminal_id=reg.terminal_id, user_id=user.id, reason="due"
            ).nk
            own = ks.slot(keys.slot_id)
            if own is not None:  # this slot got the new NK too: seal it into its box now
                _number_key.settle(ks, ks.unwrap_with_kek(own, keys.kek), reg.dek, held_nk)
        with db.transaction(conn):
            users.touch_login(conn, user.id)
            audit.append(
                conn,
                action="login",
                terminal_id=reg.terminal_id,
                user_id=user.id,
                detail={"number_key": held_nk is not None},
            )
    except BaseException:
        reg.close()
        raise
    return Session(
        user_id=user.id,
        login=user.login,
        staff_no=user.staff_no,
        display_name=user.display_name,
        roles=roles,
        permissions=permissions,
        register=reg,
        _nk=held_nk,
    )
