"""Read and check a package's header without any key (size → ZIP layout → header schema).

``read_header(path)`` is what ``vaxdesk package inspect`` shows and the first three steps of
``open_package``. header.json must be UTF-8 without BOM, one JSON object without duplicate keys,
valid against ``schemas/package-header.v1.schema.json`` (unknown fields refused), with
``expires_at`` after ``created_at`` and an ``ephemeral_key`` of 32 bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import fastjsonschema

from app.sync import schemas
from app.sync.encoding import parse_time, unb64u
from app.sync.errors import PackageError
from app.sync.outer import Layout, parse_layout


@dataclass(frozen=True, slots=True)
class PackageHeader:
    """A header that passed the layout and schema checks (not yet authenticated)."""

    raw: bytes
    fields: dict[str, Any]
    layout: Layout

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of header.json: with ``package_id``, what a recipient keeps per sequence."""
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def package_id(self) -> str:
        return str(self.fields["package_id"])

    @property
    def kind(self) -> str:
        return str(self.fields["kind"])

    @property
    def sender_id(self) -> str:
        return str(self.fields["sender"]["id"])

    @property
    def sender_key_id(self) -> str:
        return str(self.fields["sender"]["key_id"])

    @property
    def recipient_id(self) -> str:
        return str(self.fields["recipient"]["id"])

    @property
    def recipient_key_id(self) -> str:
        return str(self.fields["recipient"]["key_id"])

    @property
    def sequence(self) -> int:
        return int(self.fields["sequence"])

    @property
    def ack(self) -> int:
        return int(self.fields["ack"])

    @property
    def created_at(self) -> datetime:
        return parse_time(self.fields["created_at"])

    @property
    def expires_at(self) -> datetime:
        return parse_time(self.fields["expires_at"])

    @property
    def ephemeral_key(self) -> bytes:
        return unb64u(self.fields["payload"]["ephemeral_key"], 32)

    @property
    def payload_length(self) -> int:
        return int(self.fields["payload"]["length"])

    @property
    def payload_sha256(self) -> str:
        return str(self.fields["payload"]["sha256"])


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def _no_constant(_name: str) -> Any:
    raise ValueError("NaN or Infinity")


def parse_header(raw: bytes) -> dict[str, Any]:
    """Decode and check header.json's bytes (``E_HEADER``)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise PackageError("E_HEADER", "header.json に BOM があります", step="header")
    try:
        fields = json.loads(
            raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise PackageError(
            "E_HEADER", "header.json を JSON として読めません", step="header"
        ) from exc
    try:
        schemas.validator(schemas.HEADER)(fields)
    except fastjsonschema.JsonSchemaException as exc:
        raise PackageError("E_HEADER", schemas.describe(exc), step="header") from exc
    try:
        created = parse_time(fields["created_at"])
        expires = parse_time(fields["expires_at"])
        unb64u(fields["payload"]["ephemeral_key"], 32)
    except ValueError as exc:
        raise PackageError("E_HEADER", "日時または鍵の形式が不正です", step="header") from exc
    if expires <= created:
        raise PackageError("E_HEADER", "expires_at が created_at 以前です", step="header")
    if fields["sender"]["id"] == fields["recipient"]["id"]:
        raise PackageError("E_HEADER", "送信元と宛先が同じです", step="header")
    return dict(fields)


def read_header(path: Path | str) -> PackageHeader:
    """Size, ZIP layout and header schema; no key needed (``vaxdesk package inspect``)."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            layout = parse_layout(fh, size)
    except OSError as exc:
        raise PackageError("E_HEADER", "ファイルを読めません", step="layout") from exc
    return PackageHeader(layout.header, parse_header(layout.header), layout)
