"""The tamper matrix of issue 8, the signed header: header fields changed with the signature
kept, re-signed by a wrong key or by the sender; a signature swapped in, made without the context
string or cut short; header bytes the reader must not take (a BOM, a duplicate key) or re-serialise;
senders, kinds and keys the trust does not allow; the wrong recipient; expiry; rollback, replay and
a sequence gap. One test per row, each refused with the spec's exact code, nothing written to the
output folder, no temporary file left (see the ``refused`` fixture). The package file's bytes and
outer ZIP: test_sync_tamper_outer_zip.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.sync import MemoryChannel, build_package, build_trust, generate_keypair, make_party
from app.sync.encoding import b64u
from app.sync.writer import HEADER_CONTEXT
from tests.sync.conftest import Refused
from tests.sync.pkgkit import CREATED, World, members, repack, resign, utc


def _header(path: Path) -> dict[str, Any]:
    return dict(json.loads(members(path)[0]))


def _set(obj: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for p in parents:
        obj = obj[p]
    if value is _DELETE:
        del obj[last]
    else:
        obj[last] = value


_DELETE = object()
_OTHER_EPH = b64u(bytes(range(1, 33)))

# field, new value, code when the old signature is kept, code when re-signed by a wrong key
HEADER_ROWS = [
    ("format", "vaxdesk-packagf", "E_HEADER", "E_HEADER"),
    ("version", 2, "E_HEADER", "E_HEADER"),
    ("package_id", "01a23221-4646-71ac-b2a2-330a2c901ca2", "E_SIGNATURE", "E_SIGNATURE"),
    ("kind", "initial", "E_UNKNOWN_SENDER", "E_UNKNOWN_SENDER"),
    ("sender.id", "192015-T777", "E_UNKNOWN_SENDER", "E_UNKNOWN_SENDER"),
    ("sender.key_id", "0123456789abcdef", "E_UNKNOWN_SENDER", "E_UNKNOWN_SENDER"),
    ("recipient.id", "192015-HUB2", "E_SIGNATURE", "E_SIGNATURE"),
    ("recipient.key_id", "0123456789abcdef", "E_SIGNATURE", "E_SIGNATURE"),
    ("sequence", 2, "E_SIGNATURE", "E_SIGNATURE"),
    ("sequence", 0, "E_HEADER", "E_HEADER"),
    ("ack", 9, "E_SIGNATURE", "E_SIGNATURE"),
    ("created_at", "2026-11-30T05:00:00Z", "E_SIGNATURE", "E_SIGNATURE"),
    ("created_at", "2026-12-01 05:00:00", "E_HEADER", "E_HEADER"),
    ("expires_at", "2027-12-31T05:00:00Z", "E_SIGNATURE", "E_SIGNATURE"),
    ("expires_at", "2026-12-01T05:00:00Z", "E_HEADER", "E_HEADER"),
    ("payload.cipher", "X25519-HKDF-SHA256-AES256GCM", "E_HEADER", "E_HEADER"),
    ("payload.ephemeral_key", _OTHER_EPH, "E_SIGNATURE", "E_SIGNATURE"),
    ("payload.chunk_size", 65536, "E_HEADER", "E_HEADER"),
    ("payload.length", 17, "E_SIGNATURE", "E_SIGNATURE"),
    ("payload.sha256", "0" * 64, "E_SIGNATURE", "E_SIGNATURE"),
    ("note", "unknown field", "E_HEADER", "E_HEADER"),
    ("payload.extra", 1, "E_HEADER", "E_HEADER"),
    ("ack", _DELETE, "E_HEADER", "E_HEADER"),
]
_IDS = [f"{f}={'deleted' if v is _DELETE else v}" for f, v, *_ in HEADER_ROWS]


@pytest.mark.parametrize(("field", "value", "unsigned", "_wrong"), HEADER_ROWS, ids=_IDS)
def test_header_field_changed_without_resigning(
    pkg: Path, refused: Refused, field: str, value: Any, unsigned: str, _wrong: str
) -> None:
    header_bytes, sig, payload = members(pkg)
    header = json.loads(header_bytes)
    _set(header, field, value)
    repack(pkg, json.dumps(header, separators=(",", ":")).encode(), sig, payload)
    refused(pkg, unsigned)


@pytest.mark.parametrize(("field", "value", "_unsigned", "wrong"), HEADER_ROWS, ids=_IDS)
def test_header_field_changed_and_resigned_with_a_wrong_key(
    pkg: Path, world: World, refused: Refused, field: str, value: Any, _unsigned: str, wrong: str
) -> None:
    header = _header(pkg)
    _set(header, field, value)
    raw, sig = resign(header, world.stranger)
    repack(pkg, raw, sig, members(pkg)[2])
    refused(pkg, wrong)


# Re-signed by the real sender: what the later steps catch.
SENDER_ROWS = [
    ("recipient.id", "192015-T002", "E_WRONG_RECIPIENT"),
    ("recipient.key_id", "0123456789abcdef", "E_WRONG_RECIPIENT"),
    ("payload.length", "+16", "E_MANIFEST"),
    ("payload.sha256", "0" * 64, "E_MANIFEST"),
    ("payload.ephemeral_key", _OTHER_EPH, "E_DECRYPT"),
    ("payload.ephemeral_key", b64u(bytes(32)), "E_DECRYPT"),  # low-order point: all-zero secret
    ("package_id", "01a23221-4646-71ac-b2a2-330a2c901ca2", "E_DECRYPT"),  # bound by HKDF info
    ("created_at", "2025-12-01T05:00:00Z", "E_KEY_REVOKED"),  # before the key's valid_from
]


@pytest.mark.parametrize(
    ("field", "value", "code"), SENDER_ROWS, ids=[r[0] + r[2] for r in SENDER_ROWS]
)
def test_header_field_changed_and_resigned_by_the_sender(
    pkg: Path, world: World, refused: Refused, field: str, value: Any, code: str
) -> None:
    header = _header(pkg)
    if value == "+16":
        value = header["payload"]["length"] + 16
    _set(header, field, value)
    raw, sig = resign(header, world.term)
    repack(pkg, raw, sig, members(pkg)[2])
    refused(pkg, code)


def test_swapped_signature_from_another_package(
    pkg: Path, pkdir: Path, world: World, refused: Refused
) -> None:
    other = pkdir / "other.vxpkg"
    build_package(
        other, sender=world.term, recipient=world.hub.public, sequence=2, created_at=CREATED
    )
    header, _sig, payload = members(pkg)
    repack(pkg, header, members(other)[1], payload)
    other.unlink()
    refused(pkg, "E_SIGNATURE")


def test_signature_without_context_string(pkg: Path, world: World, refused: Refused) -> None:
    header, _sig, payload = members(pkg)
    repack(pkg, header, world.term.sign(header), payload)
    refused(pkg, "E_SIGNATURE")


def test_unknown_sender(pkdir: Path, world: World, refused: Refused) -> None:
    path = pkdir / "s.vxpkg"
    build_package(
        path, sender=world.stranger, recipient=world.hub.public, sequence=1, created_at=CREATED
    )
    refused(path, "E_UNKNOWN_SENDER")


def test_terminal_key_sending_a_server_kind(pkdir: Path, world: World, refused: Refused) -> None:
    path = pkdir / "k.vxpkg"
    build_package(
        path,
        sender=world.term,
        recipient=world.hub.public,
        sequence=1,
        kind="updates",
        created_at=CREATED,
    )
    refused(path, "E_UNKNOWN_SENDER")


def test_revoked_key(pkg: Path, world: World, refused: Refused) -> None:
    from app.sync import revoke

    parties = revoke(world.parties, world.term.key_id, utc(2026, 11, 1))
    trust = build_trust(2, parties, [world.hub], issued_at=utc(2026, 11, 1), previous=world.trust)
    refused(pkg, "E_KEY_REVOKED", trust=trust)


def test_key_past_its_validity(pkg: Path, world: World, refused: Refused) -> None:
    parties = [
        make_party(world.hub.public, "server", utc(2026, 1, 1), utc(2031, 1, 1)),
        make_party(world.term.public, "terminal", utc(2026, 1, 1), utc(2026, 11, 1)),
    ]
    trust = build_trust(2, parties, [world.hub], issued_at=utc(2026, 6, 1), previous=world.trust)
    refused(pkg, "E_KEY_REVOKED", trust=trust)


def test_wrong_recipient(pkg: Path, world: World, refused: Refused) -> None:
    refused(pkg, "E_WRONG_RECIPIENT", identity=world.other)


def test_recipient_with_a_new_key(pkg: Path, world: World, refused: Refused) -> None:
    refused(pkg, "E_WRONG_RECIPIENT", identity=generate_keypair("192015-HUB"))


@pytest.mark.parametrize("now", [utc(2026, 12, 31, 5, 0, 0), utc(2027, 1, 1)])
def test_expired(pkg: Path, refused: Refused, now: Any) -> None:
    refused(pkg, "E_EXPIRED", now=now)


def _seq_package(pkdir: Path, world: World, name: str, sequence: int) -> Path:
    path = pkdir / name
    build_package(
        path, sender=world.term, recipient=world.hub.public, sequence=sequence, created_at=CREATED
    )
    return path


def test_rollback_older_sequence_with_another_package_id(
    pkdir: Path, world: World, refused: Refused
) -> None:
    ch = MemoryChannel()
    ch.record(world.term.party_id, 1, "01a23221-4646-71ac-b2a2-330a2c901ca2", "0" * 64)
    ch.record(world.term.party_id, 2, "01a23221-4646-71ac-b2a2-330a2c901ca3", "0" * 64)
    refused(_seq_package(pkdir, world, "old.vxpkg", 2), "E_ROLLBACK", channel=ch)


def test_replay_known_package_id_with_another_header(
    pkg: Path, pkdir: Path, world: World, refused: Refused
) -> None:
    header = _header(pkg)
    ch = MemoryChannel()
    ch.record(world.term.party_id, 1, header["package_id"], "f" * 64)
    refused(pkg, "E_REPLAY", channel=ch)


def test_sequence_gap_names_the_missing_sequence(
    pkdir: Path, world: World, refused: Refused
) -> None:
    ch = MemoryChannel()
    ch.record(world.term.party_id, 1, "01a23221-4646-71ac-b2a2-330a2c901ca2", "0" * 64)
    exc = refused(_seq_package(pkdir, world, "gap.vxpkg", 4), "E_SEQUENCE_GAP", channel=ch)
    assert "通番 2 " in exc.message_ja


# --- header and signature bytes ------------------------------------------------------------------


def test_header_with_bom(pkg: Path, world: World, refused: Refused) -> None:
    header, _sig, payload = members(pkg)
    raw = b"\xef\xbb\xbf" + header
    repack(pkg, raw, world.term.sign(HEADER_CONTEXT + raw), payload)
    refused(pkg, "E_HEADER")


def test_header_with_duplicate_key(pkg: Path, world: World, refused: Refused) -> None:
    header, _sig, payload = members(pkg)
    raw = header[:-1] + b',"ack":0}'
    repack(pkg, raw, world.term.sign(HEADER_CONTEXT + raw), payload)
    refused(pkg, "E_HEADER")


def test_copy_of_header_is_not_reserialised(pkg: Path, world: World, refused: Refused) -> None:
    header, sig, payload = members(pkg)
    pretty = json.dumps(json.loads(header), indent=1).encode()  # same content, other bytes
    repack(pkg, pretty, sig, payload)
    refused(pkg, "E_SIGNATURE")


def test_signature_of_wrong_length(pkg: Path, refused: Refused) -> None:
    header, sig, payload = members(pkg)
    repack(pkg, header, sig[:63], payload)
    refused(pkg, "E_SIGNATURE")
