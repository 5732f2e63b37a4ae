"""Open a package: every check of PACKAGE-FORMAT.md §4 that needs no register state, in order.

size (E_TOO_LARGE) → ZIP layout and header schema (E_HEADER) → sender known (E_UNKNOWN_SENDER)
→ key not revoked and valid at created_at (E_KEY_REVOKED) → signature (E_SIGNATURE) → recipient
is ``identity`` with its current key (E_WRONG_RECIPIENT) → not expired (E_EXPIRED) → sequence,
when the caller passes its ``ChannelState`` (E_REPLAY / E_ROLLBACK / E_SEQUENCE_GAP, or the
outcome ALREADY_IMPORTED) → payload length and hash (E_MANIFEST) → decrypt (E_DECRYPT) → safe
unpack (E_UNSAFE_ARCHIVE) → manifest (E_MANIFEST) → record schemas (E_RECORD_SCHEMA).

The payload is hashed and decrypted in one pass into a private temporary folder; a decryption
failure is reported only after the whole ciphertext was hashed, so a changed payload is always
E_MANIFEST, as the order above says. Likewise the inner archive is inflated once: sizes, ratio and
hashes are checked as it streams, every line is validated, and a schema failure is reported only
after the manifest comparison passed. Nothing decrypted is readable by anyone else, and the
folder is removed when the package is closed or a check fails.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zlib
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from app.sync.channel import ChannelState, Outcome, check_sequence
from app.sync.deferred import open_deferred
from app.sync.encoding import utc_now, uuid_raw
from app.sync.errors import PackageError
from app.sync.header import PackageHeader, read_header
from app.sync.keys import KeyPair
from app.sync.opened import OpenedPackage, scan_inner
from app.sync.stream import CHUNK_SIZE, TAG, decrypt_chunk, recipient_key
from app.sync.trust import Trust
from app.sync.writer import HEADER_CONTEXT

_SENDER_ROLE = {"changes": "terminal", "updates": "server", "initial": "server"}


def authenticate(header: PackageHeader, trust: Trust, identity: KeyPair, now: datetime) -> None:
    """Sender, key validity, signature, recipient and expiry, in the spec's order."""
    party = trust.find(header.sender_id, header.sender_key_id)
    if party is None or party.role != _SENDER_ROLE[header.kind]:
        raise PackageError("E_UNKNOWN_SENDER", f"送信元 {header.sender_id}", step="sender")
    created = header.created_at
    if party.revoked_at is not None and created >= party.revoked_at:
        raise PackageError("E_KEY_REVOKED", f"鍵 {party.key_id} は失効しています", step="key")
    if not party.valid_at(created):
        raise PackageError("E_KEY_REVOKED", f"鍵 {party.key_id} の有効期間外です", step="key")
    try:
        party.public.verifier().verify(header.layout.signature, HEADER_CONTEXT + header.raw)
    except (InvalidSignature, ValueError):
        raise PackageError("E_SIGNATURE", step="signature") from None
    if header.recipient_id != identity.party_id or header.recipient_key_id != identity.key_id:
        raise PackageError("E_WRONG_RECIPIENT", f"宛先 {header.recipient_id}", step="recipient")
    if now >= header.expires_at:
        raise PackageError("E_EXPIRED", f"有効期限 {header.fields['expires_at']}", step="expiry")


def _decrypt(fh: BinaryIO, header: PackageHeader, identity: KeyPair, out_path: Path) -> None:
    layout = header.layout
    if layout.payload_length != header.payload_length:
        raise PackageError("E_MANIFEST", "payload.bin の長さが一致しません", step="payload")
    key = recipient_key(identity.x25519(), header.ephemeral_key, uuid_raw(header.package_id))
    aead = ChaCha20Poly1305(key) if key is not None else None
    failure: PackageError | None = None
    if aead is None:
        failure = PackageError("E_DECRYPT", "共有鍵がすべてゼロです", step="decrypt")
    digest, crc, index = hashlib.sha256(), 0, 0
    remaining = layout.payload_length
    fh.seek(layout.payload_offset)
    with open(out_path, "wb") as out:
        while remaining > 0:
            n = min(CHUNK_SIZE + TAG, remaining)
            sealed = fh.read(n)
            if len(sealed) != n:
                raise PackageError("E_MANIFEST", "payload.bin が途中で切れています", step="payload")
            remaining -= n
            digest.update(sealed)
            crc = zlib.crc32(sealed, crc)
            if failure is None and aead is not None:
                try:
                    plain = decrypt_chunk(aead, index, sealed, remaining == 0)
                    if remaining == 0 and index > 0 and not plain:
                        raise PackageError("E_DECRYPT", "最後のチャンクが空です", step="decrypt")
                    out.write(plain)
                except PackageError as exc:
                    failure = exc
            index += 1
    if digest.hexdigest() != header.payload_sha256 or crc != layout.payload_crc:
        raise PackageError("E_MANIFEST", "payload.bin のハッシュが一致しません", step="payload")
    if failure is not None:
        raise failure


def open_package(
    path: Path | str,
    *,
    trust: Trust,
    identity: KeyPair,
    channel: ChannelState | None = None,
    now: datetime | None = None,
    tmp_dir: Path | str | None = None,
    defer_initial: bool = False,
    defer_updates: bool = False,
) -> OpenedPackage:
    """Verify ``path`` completely and return it opened (use as a context manager).

    ``identity`` is this party's key pair (recipient). ``channel`` enables the sequence step; its
    outcome may be ``Outcome.ALREADY_IMPORTED`` (nothing decrypted, nothing to apply). Raises
    only ``PackageError``. With ``defer_initial`` an ``initial`` package's member checks run on
    a worker thread while the caller applies it (``app.sync.deferred``: the caller must call
    ``verify_records`` before it keeps anything); ``defer_updates`` does the same for an
    ``updates`` package."""
    header = read_header(path)
    authenticate(header, trust, identity, now or utc_now())
    outcome = Outcome.NEW
    if channel is not None:
        outcome = check_sequence(
            channel, header.sender_id, header.sequence, header.package_id, header.sha256
        )
    if outcome is Outcome.ALREADY_IMPORTED:
        return OpenedPackage(header, outcome, None, None, {})
    workdir = Path(tempfile.mkdtemp(prefix="vaxdesk-open-", dir=tmp_dir))
    try:
        inner_path = workdir / "inner.zip"
        try:
            with open(path, "rb") as fh:
                _decrypt(fh, header, identity, inner_path)
        except OSError as exc:
            raise PackageError("E_MANIFEST", "payload.bin を読めません", step="payload") from exc
        deferred_kinds = {"initial"} if defer_initial else set()
        if defer_updates:
            deferred_kinds.add("updates")
        if header.kind in deferred_kinds:
            deferred = open_deferred(inner_path, header, outcome, workdir)
            if deferred is not None:
                return deferred
        zf, manifest, manifest_raw, files = scan_inner(inner_path, header)
        return OpenedPackage(header, outcome, workdir, zf, files, manifest, manifest_raw)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
