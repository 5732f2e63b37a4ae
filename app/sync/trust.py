"""Trust store: ``trust.json`` + ``trust.sig`` (PACKAGE-FORMAT.md §5).

``trust.json`` lists every party's keys with a validity window and an optional revocation time;
``trust.sig`` is the Ed25519 signature of the server's current key over
``b"vaxdesk-trust-v1\\x00" ‖ trust.json`` (64 bytes), or, when the file introduces a new server key,
the old key's signature followed by the new key's (128 bytes).

Choices where the spec is silent (docs in schemas/README.md):
- the *current server key* of a file is its server-role entry, not revoked, valid at ``issued_at``
  (``valid_from ≤ issued_at < valid_until``), with the latest ``valid_from`` (a tie is refused);
- a first trust file (enrolment, no previous one) must be signed by its own current server key
  (the last 64 bytes of ``trust.sig``); the caller decides out of band that it trusts that file;
- an update needs a strictly higher ``version``; re-delivering the same bytes is ``same_as``.

Every refusal is ``PackageError("E_TRUST")``.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import fastjsonschema
from cryptography.exceptions import InvalidSignature

from app.sync import schemas
from app.sync.encoding import b64u, format_time, key_id, parse_time, unb64u, utc_now
from app.sync.errors import PackageError
from app.sync.keys import KeyPair, PublicKey

TRUST_CONTEXT: Final = b"vaxdesk-trust-v1\x00"
MAX_TRUST_FILE: Final = 16 * 1024 * 1024


def _fail(detail: str) -> PackageError:
    return PackageError("E_TRUST", detail, step="trust")


@dataclass(frozen=True, slots=True)
class TrustParty:
    id: str
    role: str  # "server" | "terminal"
    ed25519: bytes
    x25519: bytes
    valid_from: datetime
    valid_until: datetime
    revoked_at: datetime | None = None

    @property
    def key_id(self) -> str:
        return key_id(self.ed25519, self.x25519)

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.id, self.ed25519, self.x25519)

    def valid_at(self, moment: datetime) -> bool:
        """Within ``[valid_from, valid_until)`` and not revoked at ``moment``."""
        if self.revoked_at is not None and moment >= self.revoked_at:
            return False
        return self.valid_from <= moment < self.valid_until

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "role": self.role,
            "key_id": self.key_id,
            "ed25519": b64u(self.ed25519),
            "x25519": b64u(self.x25519),
            "valid_from": format_time(self.valid_from),
            "valid_until": format_time(self.valid_until),
            "revoked_at": None if self.revoked_at is None else format_time(self.revoked_at),
        }


def make_party(
    pub: PublicKey,
    role: str,
    valid_from: datetime,
    valid_until: datetime,
    revoked_at: datetime | None = None,
) -> TrustParty:
    if role not in ("server", "terminal"):
        raise _fail("role")
    return TrustParty(
        pub.party_id, role, pub.ed25519, pub.x25519, valid_from, valid_until, revoked_at
    )


@dataclass(frozen=True, slots=True)
class Trust:
    """A verified trust file: its parsed content and its exact bytes and signature."""

    version: int
    issued_at: datetime
    parties: tuple[TrustParty, ...]
    raw: bytes
    sig: bytes

    def find(self, party_id: str, kid: str) -> TrustParty | None:
        for party in self.parties:
            if party.id == party_id and party.key_id == kid:
                return party
        return None

    def server(self) -> TrustParty:
        """The current server key (see the module docstring)."""
        candidates = [
            p
            for p in self.parties
            if p.role == "server" and p.revoked_at is None and p.valid_at(self.issued_at)
        ]
        if not candidates:
            raise _fail("有効なサーバー鍵がありません")
        latest = max(p.valid_from for p in candidates)
        current = [p for p in candidates if p.valid_from == latest]
        if len(current) != 1:
            raise _fail("現在のサーバー鍵が一つに定まりません")
        return current[0]

    def same_as(self, raw: bytes, sig: bytes) -> bool:
        return raw == self.raw and sig == self.sig


def trust_bytes(version: int, issued_at: datetime, parties: Iterable[TrustParty]) -> bytes:
    """The exact bytes of a ``trust.json`` (compact JSON, ASCII, no trailing newline)."""
    obj = {
        "version": version,
        "issued_at": format_time(issued_at),
        "parties": [p.to_json() for p in parties],
    }
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def sign_trust(raw: bytes, signers: Sequence[KeyPair]) -> bytes:
    """``trust.sig``: one signature per signer, in order (old server key first on rotation)."""
    return b"".join(k.sign(TRUST_CONTEXT + raw) for k in signers)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def parse_trust(raw: bytes, sig: bytes) -> Trust:
    """Structure only (schema, key ids, times); no signature check. Use ``verify_trust``."""
    try:
        obj = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
        schemas.validator(schemas.TRUST)(obj)
    except (UnicodeDecodeError, ValueError, fastjsonschema.JsonSchemaException) as exc:
        raise _fail("trust.json の形式") from exc
    parties: list[TrustParty] = []
    seen: set[tuple[str, str]] = set()
    try:
        for p in obj["parties"]:
            party = TrustParty(
                p["id"],
                p["role"],
                unb64u(p["ed25519"], 32),
                unb64u(p["x25519"], 32),
                parse_time(p["valid_from"]),
                parse_time(p["valid_until"]),
                None if p["revoked_at"] is None else parse_time(p["revoked_at"]),
            )
            if party.key_id != p["key_id"] or (party.id, party.key_id) in seen:
                raise ValueError("key_id")
            if party.valid_until <= party.valid_from:
                raise ValueError("validity")
            seen.add((party.id, party.key_id))
            parties.append(party)
        issued_at = parse_time(obj["issued_at"])
    except ValueError as exc:
        raise _fail("trust.json の鍵または日時") from exc
    return Trust(obj["version"], issued_at, tuple(parties), raw, sig)


def _verify(party: TrustParty, signature: bytes, raw: bytes) -> bool:
    try:
        party.public.verifier().verify(signature, TRUST_CONTEXT + raw)
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_trust(raw: bytes, sig: bytes, previous: Trust | None = None) -> Trust:
    """Check a trust file. Without ``previous``: self-signed by its current server key (enrolment).
    With ``previous``: a higher version signed by ``previous``'s server key, and by the new server
    key too when it changed (``trust.sig`` = old ‖ new, 128 bytes)."""
    if len(raw) > MAX_TRUST_FILE:
        raise _fail("大きすぎます")
    new = parse_trust(raw, sig)
    server = new.server()
    if previous is None:
        if len(sig) not in (64, 128) or not _verify(server, sig[-64:], raw):
            raise _fail("署名を検証できません")
        return new
    if new.version <= previous.version:
        raise _fail(f"版 {new.version} は現在の版 {previous.version} より新しくありません")
    old = previous.server()
    rotated = old.key_id != server.key_id or old.id != server.id
    if len(sig) != (128 if rotated else 64) or not _verify(old, sig[:64], raw):
        raise _fail("現在のサーバー鍵による署名を検証できません")
    if rotated and not _verify(server, sig[64:], raw):
        raise _fail("新しいサーバー鍵による署名を検証できません")
    return new


def build_trust(
    version: int,
    parties: Sequence[TrustParty],
    signers: Sequence[KeyPair],
    *,
    issued_at: datetime | None = None,
    previous: Trust | None = None,
) -> Trust:
    """Make, sign and verify a trust file (against ``previous`` when given)."""
    raw = trust_bytes(version, issued_at or utc_now(), parties)
    return verify_trust(raw, sign_trust(raw, signers), previous)


def revoke(parties: Sequence[TrustParty], kid: str, at: datetime) -> list[TrustParty]:
    """The same parties with key ``kid`` revoked from ``at`` on."""
    if not any(p.key_id == kid for p in parties):
        raise _fail(f"鍵 {kid} は信頼リストにありません")
    return [replace(p, revoked_at=at) if p.key_id == kid else p for p in parties]


def _read_limited(path: Path, limit: int) -> bytes:
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise _fail(f"{path.name} を読めません") from exc
    if len(data) > limit:
        raise _fail(f"{path.name} が大きすぎます")
    return data


def read_trust_dir(directory: Path | str, previous: Trust | None = None) -> Trust:
    """Read and verify ``DIR/trust.json`` + ``DIR/trust.sig``."""
    d = Path(directory)
    raw = _read_limited(d / "trust.json", MAX_TRUST_FILE)
    sig = _read_limited(d / "trust.sig", 128)
    return verify_trust(raw, sig, previous)


def write_trust_dir(trust: Trust, directory: Path | str) -> None:
    """Write ``trust.json`` and ``trust.sig`` atomically each (temporary file, fsync, rename)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    for name, data in (("trust.json", trust.raw), ("trust.sig", trust.sig)):
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=d)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, d / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
