"""Small strict encoders shared by the package layer: base64url, times, ids, key ids."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from datetime import UTC, datetime
from typing import Final

import uuid_utils

PARTY_ID_RE: Final = re.compile(r"^[0-9]{6}-[A-Z0-9]{1,16}\Z")
_B64URL_RE: Final = re.compile(r"^[A-Za-z0-9_-]*\Z")
_TIME_RE: Final = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")
_UUID7_RE: Final = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z"
)


def b64u(data: bytes) -> str:
    """base64url without padding (RFC 4648 §5)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64u(text: str, length: int | None = None) -> bytes:
    """Strict inverse of ``b64u``: canonical text only; ``ValueError`` otherwise."""
    if not isinstance(text, str) or not _B64URL_RE.match(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64u(data) != text:
        raise ValueError("not canonical base64url")
    if length is not None and len(data) != length:
        raise ValueError("wrong length")
    return data


def format_time(moment: datetime) -> str:
    """UTC RFC 3339 with ``Z`` and whole seconds."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: object) -> datetime:
    """Strict inverse of ``format_time``; ``ValueError`` otherwise."""
    if not isinstance(text, str) or not _TIME_RE.match(text):
        raise ValueError("not an RFC 3339 UTC time")
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def is_party_id(value: object) -> bool:
    return isinstance(value, str) and PARTY_ID_RE.match(value) is not None


def new_package_id() -> str:
    """A fresh UUIDv7 in canonical text."""
    return str(uuid_utils.uuid7())


def is_uuid7(value: object) -> bool:
    return isinstance(value, str) and _UUID7_RE.match(value) is not None


def uuid_raw(value: str) -> bytes:
    """The 16 raw bytes of a canonical UUID text."""
    return uuid.UUID(value).bytes


def key_id(ed25519_public: bytes, x25519_public: bytes) -> str:
    """First 8 bytes of SHA-256(ed25519 ‖ x25519), lowercase hex (16 characters)."""
    return hashlib.sha256(ed25519_public + x25519_public).digest()[:8].hex()
