"""Creating a register folder: the key slots of its first users (each enrolling a security
key) and the recovery slot, the encrypted database with its roles, users and audit trail, and
the terminal's sync identity when a municipality code is given. Pre-login, so no session and no
permission: the caller is ``vaxdesk init``/``demo`` on an empty folder (an existing register is
refused). Split from ``register`` (open, login) to keep each module small."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.security import roles as role_defs
from app.security.fido import FidoPrompt
from app.security.keyslots import (
    KeySlotFile,
    Secrets,
    recovery_factor,
)
from app.security.recovery import new_recovery_code
from app.security.terminal import TerminalSecretStore
from app.services import _sync_identity
from app.services._terminal_state import audit_head_for
from app.services.register import ORIGIN_PREFIX, NewUser, add_user_slot, secret_store_for
from app.services.security_key import (
    KeyAccess,
    key_access_for,
)
from app.store import audit, db, migrate, register_meta, stamps, terminals, users
from app.store.layout import RegisterLayout


@dataclass(frozen=True, slots=True)
class CreatedRegister:
    register_id: str
    terminal_id: str
    recovery_code: str = field(repr=False)


def create_register(
    directory: Path,
    *,
    admin: NewUser,
    demo: bool = False,
    others: Sequence[NewUser] = (),
    municipality_code: str = "",
    municipality_name: str = "",
    secret_store: TerminalSecretStore | None = None,
    key: KeyAccess | None = None,
    prompt: FidoPrompt | None = None,
) -> CreatedRegister:
    """Create a new register folder with its first administrator and a recovery slot.

    Every user slot enrolls a security key (``key``; by default the demo software key for demo
    registers, else the first hardware key, talking through ``prompt``). Refuses a folder that
    already holds a register. Returns the recovery code (shown once).
    """
    layout = RegisterLayout(Path(directory))
    if layout.exists():
        raise db.RegisterExists()
    layout.directory.mkdir(parents=True, exist_ok=True)
    key = key or key_access_for(layout, demo, prompt)
    ks = KeySlotFile.new(layout.keyslots, demo=demo)
    store = secret_store or secret_store_for(layout, demo)
    terminal_secret = store.create(ks.register_id)
    # With a municipality code the terminal id is its sync party id (record origin, spec §1).
    terminal_id = (
        _sync_identity.new_terminal_party_id(municipality_code)
        if municipality_code
        else ORIGIN_PREFIX + os.urandom(6).hex()
    )
    dek, nk = os.urandom(32), os.urandom(32)

    # Every key is enrolled (and every slot built in memory) before any file is written: a
    # cancelled or failed touch leaves no half-created register behind.
    uids = {user.login: stamps.new_uid() for user in (admin, *others)}
    for user in (admin, *others):
        add_user_slot(
            ks,
            user,
            dek=dek,
            nk=nk,
            terminal_id=terminal_id,
            terminal_secret=terminal_secret,
            key=key,
            user_uid=uids[user.login],
        )
    code = new_recovery_code()
    ks.add_slot(
        kind="recovery",
        login=None,
        factors=[recovery_factor()],
        secrets=Secrets(recovery_code=code),
        keys={"dek": dek, "nk": nk},
    )

    conn = db.connect(layout.database, dek, create=True)
    try:
        migrate.migrate(conn)
        with db.transaction(conn):
            for meta_key, value in {
                "register_id": ks.register_id,
                "demo": "1" if demo else "0",
                "terminal_id": terminal_id,
                "municipality_code": municipality_code,
                "municipality_name": municipality_name,
            }.items():
                register_meta.set_meta(conn, meta_key, value)
            users.seed_roles(
                conn,
                {c: (r.name_ja, r.permissions) for c, r in role_defs.load_roles().items()},
            )
            terminals.insert(conn, terminal_id, "この端末")
            stamp = stamps.Stamp.now(admin.staff_no)
            for user in (admin, *others):
                uid = users.insert_user(
                    conn,
                    uid=uids[user.login],
                    login=user.login,
                    staff_no=user.staff_no,
                    display_name=user.display_name,
                    roles=user.roles,
                    stamp=stamp,
                    shared_account=user.shared_account,
                )
                audit.append(
                    conn,
                    action="user.create",
                    terminal_id=terminal_id,
                    user_id=None,
                    record_type="user",
                    record_id=uid,
                    detail={"roles": sorted(user.roles)},
                )
            if municipality_code:
                identity = _sync_identity.create_identity(conn, terminal_id)
                audit.append(
                    conn,
                    action="sync.identity",
                    terminal_id=terminal_id,
                    detail={"party": identity.party_id, "key_id": identity.key_id},
                )
            audit.append(
                conn,
                action="register.create",
                terminal_id=terminal_id,
                detail={"demo": demo, "schema": migrate.latest_version()},
            )
        audit_head_for(layout, ks.register_id, store, terminal_secret).reset(conn)
    finally:
        conn.close()

    ks.save()
    return CreatedRegister(ks.register_id, terminal_id, code)
