"""Staff users, roles and permissions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.store.db import Connection
from app.store.stamps import Stamp


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    login: str
    staff_no: str
    display_name: str
    active: int
    shared_account: int
    created_at: str
    deactivated_at: str | None
    last_login_at: str | None


_COLUMNS = (
    "id, login, staff_no, display_name, active, shared_account, created_at, deactivated_at,"
    " last_login_at"
)


def seed_roles(conn: Connection, roles: Mapping[str, tuple[str, Iterable[str]]]) -> None:
    """Insert or refresh role definitions: code → (Japanese name, permissions)."""
    for code, (name_ja, permissions) in roles.items():
        conn.execute(
            "INSERT INTO roles (code, name_ja) VALUES (?, ?)"
            " ON CONFLICT (code) DO UPDATE SET name_ja = excluded.name_ja",
            (code, name_ja),
        )
        conn.execute("DELETE FROM role_permissions WHERE role_code = ?", (code,))
        conn.executemany(
            "INSERT INTO role_permissions (role_code, permission) VALUES (?, ?)",
            [(code, p) for p in sorted(set(permissions))],
        )


def insert_user(
    conn: Connection,
    *,
    uid: bytes,
    login: str,
    staff_no: str,
    display_name: str,
    roles: Iterable[str],
    stamp: Stamp,
    shared_account: bool = False,
) -> int:
    cur = conn.execute(
        "INSERT INTO users (uid, login, staff_no, display_name, shared_account, created_at,"
        " updated_date, updated_time, updated_by)"
        " VALUES (?, ?, ?, ?, ?, datetime('now'), ?, ?, ?)",
        (
            uid,
            login,
            staff_no,
            display_name,
            int(shared_account),
            stamp.updated_date,
            stamp.updated_time,
            stamp.updated_by,
        ),
    )
    user_id = int(cur.lastrowid or 0)
    set_roles(conn, user_id, roles)
    return user_id


def set_roles(conn: Connection, user_id: int, roles: Iterable[str]) -> None:
    conn.execute("DELETE FROM user_roles WHERE user_id = ?", (user_id,))
    conn.executemany(
        "INSERT INTO user_roles (user_id, role_code) VALUES (?, ?)",
        [(user_id, r) for r in sorted(set(roles))],
    )


def get_by_login(conn: Connection, login: str) -> UserRow | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE login = ?", (login,)).fetchone()
    return None if row is None else UserRow(*row)


def get(conn: Connection, user_id: int) -> UserRow | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone()
    return None if row is None else UserRow(*row)


def list_users(conn: Connection) -> list[UserRow]:
    return [UserRow(*r) for r in conn.execute(f"SELECT {_COLUMNS} FROM users ORDER BY login")]


def roles_of(conn: Connection, user_id: int) -> list[str]:
    cur = conn.execute(
        "SELECT role_code FROM user_roles WHERE user_id = ? ORDER BY role_code", (user_id,)
    )
    return [str(r[0]) for r in cur]


def permissions_of(conn: Connection, roles: Iterable[str]) -> frozenset[str]:
    roles = list(roles)
    if not roles:
        return frozenset()
    marks = ",".join("?" * len(roles))
    cur = conn.execute(
        f"SELECT permission FROM role_permissions WHERE role_code IN ({marks})", roles
    )
    return frozenset(str(r[0]) for r in cur)


def role_names(conn: Connection) -> dict[str, str]:
    return {str(c): str(n) for c, n in conn.execute("SELECT code, name_ja FROM roles")}


def touch_login(conn: Connection, user_id: int) -> None:
    conn.execute("UPDATE users SET last_login_at = datetime('now') WHERE id = ?", (user_id,))


def deactivate(conn: Connection, user_id: int) -> None:
    conn.execute(
        "UPDATE users SET active = 0, deactivated_at = datetime('now') WHERE id = ?", (user_id,)
    )


def uid_of(conn: Connection, user_id: int) -> bytes:
    return bytes(conn.execute("SELECT uid FROM users WHERE id = ?", (user_id,)).fetchone()[0])


def staff_no_taken(conn: Connection, staff_no: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM users WHERE staff_no = ?", (staff_no,)).fetchone() is not None
    )
