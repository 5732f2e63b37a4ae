"""Creating and opening an encrypted register; every refusal leaves the files untouched."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from app.errors import AuthError, RegisterError
from app.security.terminal import NoSecureKeyring, TerminalSecretStore
from app.services.recovery import open_with_recovery_code, rebind_terminal
from app.services.register import NewUser, login
from app.services.register_create import create_register
from app.store.layout import RegisterLayout
from tests.support.keyrings import MemoryKeyring
from tests.support.registers import software_key

ADMIN = NewUser("admin", "管理 太郎", "90001", "correct horse", ("admin",))
NUMBER = NewUser("number", "番号 花子", "90002", "number pass", ("number",))
CLERK = NewUser("clerk", "窓口 次郎", "90003", "clerk pass", ("clerk",))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _slots_without_sign_counts(path: Path) -> object:
    """keyslots.json minus the FIDO sign counters (which move forward on every key touch)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for slot in data["slots"]:
        for factor in slot["factors"]:
            factor.pop("sign_count", None)
    return data


@pytest.fixture
def register(tmp_path: Path) -> tuple[Path, str]:
    created = create_register(
        tmp_path / "reg", admin=ADMIN, others=[NUMBER, CLERK], key=software_key(tmp_path / "reg")
    )
    return tmp_path / "reg", created.recovery_code


def test_file_is_encrypted_and_unreadable_by_plain_sqlite(register: tuple[Path, str]) -> None:
    directory, _ = register
    db_file = RegisterLayout(directory).database
    assert not db_file.read_bytes().startswith(b"SQLite format 3")
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(db_file).execute("SELECT count(*) FROM sqlite_master").fetchone()


def test_register_files_are_private(register: tuple[Path, str]) -> None:
    directory, _ = register
    layout = RegisterLayout(directory)
    for path in (layout.database, layout.keyslots):
        assert path.stat().st_mode & 0o077 == 0, path.name


def test_login_opens_and_audits(register: tuple[Path, str]) -> None:
    directory, _ = register
    session = login(directory, "admin", "correct horse", key=software_key(directory))
    try:
        assert session.roles == frozenset({"admin"})
        assert not session.holds_number_key
        row = session.register.conn.execute(
            "SELECT action, outcome, user_id FROM audit_log ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        assert row == ("login", "ok", session.user_id)
    finally:
        session.register.close()


def test_number_key_only_for_number_role(register: tuple[Path, str]) -> None:
    directory, _ = register
    number = login(directory, "number", "number pass", key=software_key(directory))
    clerk = login(directory, "clerk", "clerk pass", key=software_key(directory))
    try:
        assert number.holds_number_key and len(number.number_key()) == 32
        assert not clerk.holds_number_key
    finally:
        number.register.close()
        clerk.register.close()


@pytest.mark.parametrize(
    ("user", "password", "code"),
    [
        ("admin", "wrong", "E_AUTH_WRONG_PASSWORD"),
        ("nobody", "x", "E_AUTH_UNKNOWN_USER"),
    ],
)
def test_refusals_leave_files_unchanged(
    register: tuple[Path, str], user: str, password: str, code: str
) -> None:
    directory, _ = register
    layout = RegisterLayout(directory)
    before = (_digest(layout.database), _slots_without_sign_counts(layout.keyslots))
    with pytest.raises(AuthError) as err:
        login(directory, user, password, key=software_key(directory))
    assert err.value.code == code
    assert (_digest(layout.database), _slots_without_sign_counts(layout.keyslots)) == before


def test_missing_terminal_secret_is_refused(register: tuple[Path, str]) -> None:
    directory, _ = register
    layout = RegisterLayout(directory)
    before = _digest(layout.database)
    with pytest.raises(AuthError) as err:
        login(
            directory, "admin", "correct horse", secret_store=TerminalSecretStore(MemoryKeyring())
        )
    assert err.value.code == "E_TERMINAL_SECRET_MISSING"
    assert _digest(layout.database) == before


def test_insecure_keyring_is_refused(register: tuple[Path, str]) -> None:
    import keyring.backends.fail

    directory, _ = register
    with pytest.raises(NoSecureKeyring):
        login(
            directory,
            "admin",
            "correct horse",
            secret_store=TerminalSecretStore(keyring.backends.fail.Keyring()),
            key=software_key(directory),
        )


def test_damaged_file_is_refused_and_untouched(register: tuple[Path, str]) -> None:
    directory, _ = register
    db_file = RegisterLayout(directory).database
    data = bytearray(db_file.read_bytes())
    data[100] ^= 0xFF  # inside page 1, covered by the page HMAC
    db_file.write_bytes(bytes(data))
    before = _digest(db_file)
    with pytest.raises(RegisterError) as err:
        login(directory, "admin", "correct horse", key=software_key(directory))
    assert err.value.code == "E_REGISTER_DAMAGED"
    assert _digest(db_file) == before


def test_plain_sqlite_file_is_not_a_register(register: tuple[Path, str]) -> None:
    directory, _ = register
    db_file = RegisterLayout(directory).database
    db_file.unlink()
    sqlite3.connect(db_file).execute("CREATE TABLE t (x)").connection.close()
    before = _digest(db_file)
    with pytest.raises(RegisterError) as err:
        login(directory, "admin", "correct horse", key=software_key(directory))
    assert err.value.code == "E_REGISTER_NOT_ENCRYPTED"
    assert _digest(db_file) == before


def test_existing_register_is_never_overwritten(register: tuple[Path, str]) -> None:
    directory, _ = register
    before = _digest(RegisterLayout(directory).database)
    with pytest.raises(RegisterError) as err:
        create_register(directory, admin=ADMIN, key=software_key(directory))
    assert err.value.code == "E_REGISTER_EXISTS"
    assert _digest(RegisterLayout(directory).database) == before


def test_recovery_code_opens_and_rebinds_a_reimaged_terminal(
    register: tuple[Path, str], memory_keyring: MemoryKeyring
) -> None:
    directory, code = register
    memory_keyring.store.clear()  # the PC was reimaged: the keyring is empty
    with pytest.raises(AuthError):
        login(directory, "admin", "correct horse", key=software_key(directory))
    access = open_with_recovery_code(directory, code.lower().replace("-", " "))
    assert access.nk is not None
    with pytest.raises(AuthError) as refused:  # only an administrator re-binds the terminal
        rebind_terminal(access, "clerk", "x", key=software_key(directory))
    assert refused.value.code == "E_RECOVERY_NOT_ADMIN"
    rebind_terminal(access, "admin", "correct horse", key=software_key(directory))
    access.register.close()
    session = login(directory, "admin", "correct horse", key=software_key(directory))
    actions = [
        r[0] for r in session.register.conn.execute("SELECT action FROM audit_log ORDER BY seq")
    ]
    session.register.close()
    assert "recovery.use" in actions and "terminal.rebind" in actions
    with pytest.raises(AuthError):  # other users must be re-enrolled
        login(directory, "clerk", "clerk pass", key=software_key(directory))


def test_wrong_recovery_code(register: tuple[Path, str]) -> None:
    directory, code = register
    wrong = ("0" if code[0] != "0" else "1") + code[1:]
    with pytest.raises(AuthError) as err:
        open_with_recovery_code(directory, wrong)
    assert err.value.code == "E_RECOVERY_CODE_WRONG"


def test_encrypted_database_that_is_not_a_register(register: tuple[Path, str]) -> None:
    """Right key, but the file holds some other database: refused, file untouched."""
    from app.services.recovery import open_with_recovery_code
    from app.store import db

    directory, code = register
    access = open_with_recovery_code(directory, code)
    dek = access.register.dek
    access.register.close()
    db_file = RegisterLayout(directory).database
    for extra in db_file.parent.glob(db_file.name + "-*"):
        extra.unlink()
    db_file.unlink()
    other = db.connect(db_file, dek, create=True)
    other.execute("CREATE TABLE something_else (x)")
    other.execute("PRAGMA journal_mode = DELETE")
    other.close()
    before = _digest(db_file)
    with pytest.raises(RegisterError) as err:
        login(directory, "admin", "correct horse", key=software_key(directory))
    assert err.value.code == "E_REGISTER_NOT_VAXDESK"
    assert _digest(db_file) == before


def test_a_failed_key_enrollment_leaves_no_register(tmp_path: Path) -> None:
    from app.security.fido.software import SoftwareAuthenticator
    from tests.support.registers import TEST_KEY_AAGUID, stand_in_key

    device = SoftwareAuthenticator(refuse_uv=True, aaguid=TEST_KEY_AAGUID)
    refusing = stand_in_key(authenticator=device)
    with pytest.raises(AuthError) as err:
        create_register(tmp_path / "reg", admin=ADMIN, others=[CLERK], key=refusing)
    assert err.value.code == "E_FIDO_UV_MISSING"
    assert not RegisterLayout(tmp_path / "reg").exists()
    create_register(tmp_path / "reg", admin=ADMIN, key=software_key(tmp_path / "reg"))  # retry
