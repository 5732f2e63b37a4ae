"""The terminal as a sync party: party id and keys made at creation and kept inside the encrypted
register, the public key file for enrolment, the demo server party and trust, `sync status`."""

from __future__ import annotations

import hashlib
import json
import re
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.cli import main
from app.services.demo import MUNICIPALITY_CODE, create_demo_register
from app.services.recovery import open_with_recovery_code
from app.store import sync_state
from app.sync.encoding import b64u as b64url
from app.sync.encoding import unb64u as b64url_decode
from app.sync.trust import TRUST_CONTEXT, read_trust_dir
from tests.support.registers import make_register, password

PARTY = re.compile(r"^[0-9]{6}-[A-Z0-9]{1,16}$")


@pytest.fixture
def reg(tmp_path: Path) -> tuple[Path, str]:
    directory = tmp_path / "reg"
    return directory, make_register(directory, with_people=False, demo=True)


def _identity(directory: Path, recovery: str) -> sync_state.Identity:
    access = open_with_recovery_code(directory, recovery)
    try:
        identity = sync_state.load_identity(access.register.conn)
    finally:
        access.register.close()
    assert identity is not None
    # The register's terminal id (record origin and version suffix) is its party id.
    assert access.register.terminal_id == identity.party_id
    return identity


def test_register_gets_a_party_id_and_key_pairs_inside_the_database(
    reg: tuple[Path, str],
) -> None:
    directory, recovery = reg
    identity = _identity(directory, recovery)
    assert PARTY.match(identity.party_id) and identity.party_id.startswith("192015-T")
    assert (
        identity.key_id
        == hashlib.sha256(identity.ed25519_public + identity.x25519_public).digest()[:8].hex()
    )
    assert len(identity.ed25519_private) == 32 and len(identity.x25519_private) == 32
    # The private keys are nowhere in the folder's plain files (the database is encrypted).
    for secret in (identity.ed25519_private, identity.x25519_private):
        for file in directory.rglob("*"):
            if file.is_file():
                data = file.read_bytes()
                assert secret not in data and b64url(secret).encode() not in data


def test_terminal_key_file_for_enrolment(
    reg: tuple[Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    directory, recovery = reg
    out = tmp_path / "terminal.pub.json"
    monkeypatch.setenv("VAXDESK_PASSWORD", password("number"))
    argv = ["sync", "terminal-key", "--register", str(directory), "--user", "number"]
    assert main([*argv, "--out", str(out)]) == 0
    pub = json.loads(out.read_text("utf-8"))
    identity = _identity(directory, recovery)
    assert pub == {
        "id": identity.party_id,
        "key_id": identity.key_id,
        "ed25519": b64url(identity.ed25519_public),
        "x25519": b64url(identity.x25519_public),
    }
    assert main([*argv, "--out", str(out)]) == 65  # never overwrites
    assert "E_SYNC_OUTPUT_EXISTS" in capsys.readouterr().err


@pytest.mark.parametrize("user", ["clerk", "nurse", "auditor"])
def test_terminal_key_refused_without_sync_or_terminal_permission(
    reg: tuple[Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    user: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    directory, _ = reg
    out = tmp_path / "t.pub.json"
    monkeypatch.setenv("VAXDESK_PASSWORD", password(user))
    argv = ["sync", "terminal-key", "--register", str(directory), "--user", user]
    assert main([*argv, "--out", str(out)]) == 77
    assert "E_PERMISSION" in capsys.readouterr().err
    assert not out.exists()


def test_demo_register_trusts_its_demo_server(tmp_path: Path) -> None:
    directory = tmp_path / "demo"
    info = create_demo_register(directory, persons=20, seed=3)
    server_id = f"{MUNICIPALITY_CODE}-HUB"
    folder = directory / "demo-server"
    pub = json.loads((folder / f"{server_id}.pub.json").read_text("utf-8"))
    key_file = folder / f"{server_id}.key.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert {"ed25519_private", "x25519_private"} <= json.loads(key_file.read_text()).keys()
    access = open_with_recovery_code(directory, info.recovery_code)
    try:
        conn = access.register.conn
        servers = sync_state.trusted_parties(conn, "server")
        trust = sync_state.trust_file(conn)
        identity = sync_state.load_identity(conn)
    finally:
        access.register.close()
    assert [(s.party_id, s.key_id) for s in servers] == [(server_id, pub["key_id"])]
    assert trust is not None and trust.version == 1 and trust.source == "demo"
    Ed25519PublicKey.from_public_bytes(b64url_decode(pub["ed25519"])).verify(
        trust.trust_sig, TRUST_CONTEXT + trust.trust_json
    )
    # The folder is a trust folder for `vaxdesk package open`; the terminal's own public key is
    # beside the server keys, ready for `vaxdesk package build`.
    assert read_trust_dir(folder).raw == trust.trust_json
    assert identity is not None
    terminal_pub = json.loads((folder / f"{identity.party_id}.pub.json").read_text("utf-8"))
    assert terminal_pub["key_id"] == identity.key_id


def test_status_json_for_the_number_role_only(
    reg: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, recovery = reg
    monkeypatch.setenv("VAXDESK_PASSWORD", password("number"))
    argv = ["sync", "status", "--register", str(directory), "--user", "number", "--json"]
    assert main(argv) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["party_id"] == _identity(directory, recovery).party_id
    assert status["unacknowledged"] == 0 and status["open_conflicts"] == 0
    assert status["channels"] == []
    monkeypatch.setenv("VAXDESK_PASSWORD", password("clerk"))
    assert main([*argv[:-2], "clerk", "--json"]) == 77


def test_first_trust_is_enrolled_once_against_the_out_of_band_key_id(
    reg: tuple[Path, str], tmp_path: Path
) -> None:
    from app.errors import PermissionDenied
    from app.services._sync_identity import identity_keys
    from app.services.sync_identity import (
        TrustAlreadyInstalled,
        TrustFingerprintMismatch,
        enrol_trust,
    )
    from app.sync.keys import generate_keypair
    from app.sync.trust import write_trust_dir
    from tests.support.registers import login_as
    from tests.support.sync_env import server_trust

    directory, _ = reg
    server = generate_keypair("192015-HUB")
    admin = login_as(directory, "admin")
    try:
        trust = server_trust(server, [identity_keys(admin.register.conn).public])
        write_trust_dir(trust, tmp_path / "trust")
        with pytest.raises(TrustFingerprintMismatch):
            enrol_trust(admin, tmp_path / "trust", "0" * 16)
        assert sync_state.trust_file(admin.register.conn) is None
        installed = enrol_trust(admin, tmp_path / "trust", server.key_id)
        assert installed.server().key_id == server.key_id
        with pytest.raises(TrustAlreadyInstalled):  # later changes only inside server packages
            enrol_trust(admin, tmp_path / "trust", server.key_id)
    finally:
        admin.register.close()
    number = login_as(directory, "number")
    try:
        with pytest.raises(PermissionDenied):
            enrol_trust(number, tmp_path / "trust", server.key_id)
    finally:
        number.register.close()
