"""Sync packages v1 (PACKAGE-FORMAT.md): keys, trust, build and open. Qt-free.

The stable interface for the terminal's import/export and the hub:

- keys: ``generate_keypair``, ``write_key_files``, ``load_keypair``, ``load_public_key``,
  ``KeyPair``, ``PublicKey``, ``key_id``;
- trust: ``TrustParty``, ``make_party``, ``build_trust``, ``verify_trust`` (versioned updates,
  rotation signed by old and new key), ``revoke``, ``read_trust_dir``, ``write_trust_dir``,
  ``Trust``;
- build: ``build_package(out, sender=, recipient=, sequence=, ack=, kind=, records=, audit=,
  trust=, manifest_extra=) -> BuiltPackage`` (streaming, atomic);
- open: ``read_header(path)`` (no key: inspect), ``open_package(path, trust=, identity=,
  channel=) -> OpenedPackage`` (every check of §4 needing no register state; the caller's
  ``ChannelState`` enables the sequence step; ``Outcome.ALREADY_IMPORTED`` is an outcome, not an
  error), then ``records(type)``, ``record_lines(type)``, ``audit_entries()``, ``trust_files()``,
  ``manifest``, ``extract_to(dir)``; ``close()`` removes every decrypted byte.

Every refusal is ``PackageError`` with the spec's code, a Japanese message and the ``step``.
"""

from __future__ import annotations

from app.sync.channel import Applied, ChannelState, MemoryChannel, Outcome
from app.sync.encoding import key_id
from app.sync.errors import PackageError
from app.sync.header import PackageHeader, read_header
from app.sync.keys import (
    KeyPair,
    PublicKey,
    generate_keypair,
    load_keypair,
    load_public_key,
    write_key_files,
)
from app.sync.opened import OpenedPackage
from app.sync.reader import open_package
from app.sync.schemas import RECORD_TYPES
from app.sync.trust import (
    Trust,
    TrustParty,
    build_trust,
    make_party,
    read_trust_dir,
    revoke,
    verify_trust,
    write_trust_dir,
)
from app.sync.writer import BuiltPackage, build_package

__all__ = [
    "RECORD_TYPES",
    "Applied",
    "BuiltPackage",
    "ChannelState",
    "KeyPair",
    "MemoryChannel",
    "OpenedPackage",
    "Outcome",
    "PackageError",
    "PackageHeader",
    "PublicKey",
    "Trust",
    "TrustParty",
    "build_package",
    "build_trust",
    "generate_keypair",
    "key_id",
    "load_keypair",
    "load_public_key",
    "make_party",
    "open_package",
    "read_header",
    "read_trust_dir",
    "revoke",
    "verify_trust",
    "write_key_files",
    "write_trust_dir",
]
