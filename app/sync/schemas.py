"""The package layer's JSON Schemas (``schemas/``), compiled with fastjsonschema once per process.

``record_validator(type)`` checks a whole record envelope: ``schemas/record-envelope.v1.schema.json``
with ``type`` fixed to the file's type and ``data`` replaced by
``schemas/records/<type>.v1.schema.json``, compiled into one function so each line costs one call.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from typing import Any, Final

import fastjsonschema

from app.paths import schema_path

Validator = Callable[[Any], Any]

#: Record types a v1 package may carry, in the order a full load writes them.
RECORD_TYPES: Final = (
    "household",
    "person",
    "person_number",
    "institution",
    "vaccine",
    "lot",
    "issuance",
    "vaccination",
    "postponement",
)

HEADER: Final = "package-header.v1.schema.json"
MANIFEST: Final = "package-manifest.v1.schema.json"
TRUST: Final = "trust.v1.schema.json"
KEY_FILE: Final = "key-file.v1.schema.json"
ENVELOPE: Final = "record-envelope.v1.schema.json"
AUDIT: Final = "audit-entry.v1.schema.json"


def schema_name(record_type: str) -> str:
    """The manifest's ``schema`` value for a record file (``vaccination.v1``)."""
    return f"{record_type}.v1"


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    with open(schema_path(name), encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


@functools.cache
def validator(name: str) -> Validator:
    """Compiled validator of ``schemas/<name>``."""
    compiled: Validator = fastjsonschema.compile(load_schema(name))
    return compiled


@functools.cache
def record_validator(record_type: str) -> Validator:
    """One compiled validator for a whole ``record_type`` envelope (type, ids and data)."""
    if record_type not in RECORD_TYPES:
        raise KeyError(record_type)
    envelope = copy.deepcopy(load_schema(ENVELOPE))
    data = copy.deepcopy(load_schema(f"records/{record_type}.v1.schema.json"))
    for key in ("$schema", "$id"):
        data.pop(key, None)
    envelope.pop("$id", None)
    envelope["properties"]["type"] = {"const": record_type}
    envelope["properties"]["data"] = data
    compiled: Validator = fastjsonschema.compile(envelope)
    return compiled


def describe(exc: fastjsonschema.JsonSchemaException) -> str:
    """Where and which rule failed, without the offending value (it may be personal data)."""
    where = str(getattr(exc, "name", "") or "data")
    rule = str(getattr(exc, "rule", "") or "?")
    return f"{where}: {rule}"
