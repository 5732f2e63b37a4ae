"""Tampered, misdirected and malformed packages imported through the terminal: each refused with
its code, every table but the audit log unchanged, the file moved to the register's quarantine
folder with a report, and the refusal audited."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from app.security import kdf
from app.security.session import Session
from app.services.sync_import import import_package
from app.store import audit
from app.sync.encoding import utc_now
from app.sync.errors import PackageError
from app.sync.keys import generate_keypair
from app.sync.trust import Trust
from tests.conftest import FAST_ARGON2
from tests.support.registers import login_as
from tests.support.sync_env import SyncEnv, dump_tables, make_sync_register, person_env
from tests.support.sync_forge import flip, forge, inner_zip, members, repack


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncEnv]:
    # One register for the whole matrix: a refusal writes nothing but its audit entry.
    previous = kdf.default_params()
    kdf.set_default_params(FAST_ARGON2)
    try:
        yield make_sync_register(tmp_path_factory.mktemp("tamper") / "reg", demo=True)
    finally:
        kdf.set_default_params(previous)


@pytest.fixture
def number(env: SyncEnv) -> Iterator[Session]:
    s = login_as(env.directory, "number")
    yield s
    s.register.close()


def _good(
    env: SyncEnv,
    path: Path,
    *,
    created_at: datetime | None = None,
    expires_at: datetime | None = None,
    trust: Trust | None = None,
) -> Path:
    env.build_update(
        path,
        {"person": [person_env("0000000200")]},
        sequence=1,
        created_at=created_at,
        expires_at=expires_at,
        trust=trust,
    )
    return path


def _inner(
    env: SyncEnv,
    path: Path,
    files: list[tuple[str, bytes]],
    edit: Callable[[dict[str, Any]], None] | None = None,
) -> Path:
    pid = "01938a2e-7a4b-7c3d-8e4f-123456789abc"
    forge(
        path,
        inner_zip(files, pid, edit=edit),
        sender=env.server,
        recipient=env.terminal,
        package_id=pid,
    )
    return path


def _person_line(**changes: object) -> bytes:
    record = person_env("0000000201")
    record["data"].update(changes)
    return orjson.dumps(record) + b"\n"


def _garbage(env: SyncEnv, p: Path) -> Path:
    p.write_bytes(b"PK\x03\x04 not really a package")
    return p


def _header_edit(env: SyncEnv, p: Path) -> Path:
    header, sig, payload = members(_good(env, p))
    repack(p, header.replace(b'"sequence":1', b'"sequence":3'), sig, payload)
    return p


def _oversized_header(env: SyncEnv, p: Path) -> Path:
    forge(
        p,
        b"",
        sender=env.server,
        recipient=env.terminal,
        header_bytes=lambda raw: raw[:-1] + b" " * 70_000 + b"}",
    )
    return p


def _unknown_sender(env: SyncEnv, p: Path) -> Path:
    impostor = generate_keypair(env.server.party_id)  # same id, key not in the trust store
    env.build_update(p, {"person": [person_env("0000000202")]}, sequence=1, sender=impostor)
    return p


def _before_key_validity(env: SyncEnv, p: Path) -> Path:
    created = utc_now() - timedelta(days=3)  # the server key is valid from yesterday
    return _good(env, p, created_at=created, expires_at=created + timedelta(days=30))


def _bad_signature(env: SyncEnv, p: Path) -> Path:
    header, sig, payload = members(_good(env, p))
    repack(p, header, bytes([sig[0] ^ 1]) + sig[1:], payload)
    return p


def _expired(env: SyncEnv, p: Path) -> Path:
    now = utc_now()
    return _good(env, p, created_at=now - timedelta(hours=12), expires_at=now - timedelta(hours=1))


def _payload_bit(env: SyncEnv, p: Path) -> Path:
    _good(env, p)
    flip(p, p.stat().st_size - 200)
    return p


def _sealed_for_another(env: SyncEnv, p: Path) -> Path:
    other = generate_keypair("192015-T998").public
    forge(p, b"x", sender=env.server, recipient=env.terminal, encrypt_to=other.x25519)
    return p


def _untrusted_trust_file(env: SyncEnv, p: Path) -> Path:
    fake = Trust(
        env.trust.version + 1,
        env.trust.issued_at,
        env.trust.parties,
        env.trust.raw.replace(b'"version":1', b'"version":2'),
        bytes(64),
    )
    return _good(env, p, trust=fake)


CASES: list[tuple[str, Callable[[SyncEnv, Path], Path], str]] = [
    ("garbage", _garbage, "E_HEADER"),
    ("header-edited", _header_edit, "E_SIGNATURE"),
    ("header-64k", _oversized_header, "E_TOO_LARGE"),
    ("unknown-sender-key", _unknown_sender, "E_UNKNOWN_SENDER"),
    ("before-key-validity", _before_key_validity, "E_KEY_REVOKED"),
    ("signature", _bad_signature, "E_SIGNATURE"),
    ("expired", _expired, "E_EXPIRED"),
    ("payload-bit", _payload_bit, "E_MANIFEST"),
    ("sealed-for-another", _sealed_for_another, "E_DECRYPT"),
    ("unsafe-path", lambda e, p: _inner(e, p, [("../evil", b"x")]), "E_UNSAFE_ARCHIVE"),
    (
        "manifest-hash",
        lambda e, p: _inner(
            e,
            p,
            [("records/person.jsonl", _person_line())],
            edit=lambda m: m["files"][0].update(sha256="0" * 64),
        ),
        "E_MANIFEST",
    ),
    (
        "record-schema",
        lambda e, p: _inner(e, p, [("records/person.jsonl", _person_line(sex="X"))]),
        "E_RECORD_SCHEMA",
    ),
    ("trust-not-signed", _untrusted_trust_file, "E_TRUST"),
]


@pytest.mark.parametrize(("make", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_tampered_package_is_refused_and_changes_nothing(
    env: SyncEnv,
    number: Session,
    tmp_path: Path,
    make: Callable[[SyncEnv, Path], Path],
    code: str,
) -> None:
    path = make(env, tmp_path / "in.vxpkg")
    conn = number.register.conn
    before = dump_tables(conn)
    with pytest.raises(PackageError) as err:
        import_package(number, path)
    assert err.value.code == code
    assert dump_tables(conn) == before
    last = next(audit.query(conn, action="sync.import", limit=1))
    assert last.outcome == "failed" and json.loads(last.detail)["code"] == code
    assert not path.exists()
    reports = [
        json.loads(r.read_text("utf-8"))
        for r in (env.directory / "quarantine").glob("*.report.json")
    ]
    mine = [r for r in reports if r["code"] == code]
    assert mine and all(r["message_ja"] for r in mine)
    assert (env.directory / "quarantine" / mine[0]["file_name"]).is_file()
    assert "新規" not in json.dumps(mine, ensure_ascii=False)  # no record content in a report
