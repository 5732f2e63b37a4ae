"""The package layer's JSON Schemas (``schemas/``), compiled once per process.

``record_schema(type)`` is a whole record envelope: ``schemas/record-envelope.v1.schema.json``
with ``type`` fixed to the file's type and ``data`` replaced by
``schemas/records/<type>.v1.schema.json``. ``record_checker(type)`` validates package lines in
batches with jsonschema-rs (one Rust call per batch of parsed lines; the per-record Python call of
fastjsonschema was the bottleneck of building and opening) and names the failing rule with the
fastjsonschema function of the same schema (``record_validator``). Headers, manifests and trust
files, one object per package, keep the fastjsonschema functions of ``validator(name)``.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from typing import Any, Final

import fastjsonschema
import jsonschema_rs

from app.paths import schema_path

Validator = Callable[[Any], Any]
_DRAFT7: Final = "http://json-schema.org/draft-07/schema#"

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
    "purge",  # last: records removed under the retention policy (schemas/README.md §7)
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
def record_schema(record_type: str) -> dict[str, Any]:
    """A whole ``record_type`` envelope: ``type`` fixed, ``data`` the record type's schema."""
    if record_type not in RECORD_TYPES:
        raise KeyError(record_type)
    envelope = copy.deepcopy(load_schema(ENVELOPE))
    data = copy.deepcopy(load_schema(f"records/{record_type}.v1.schema.json"))
    for key in ("$schema", "$id"):
        data.pop(key, None)
    envelope.pop("$id", None)
    envelope["properties"]["type"] = {"const": record_type}
    envelope["properties"]["data"] = data
    return envelope


@functools.cache
def record_validator(record_type: str) -> Validator:
    """One compiled fastjsonschema function for a whole ``record_type`` envelope (type, ids and
    data); ``record_checker`` is the fast batch form used for package lines."""
    compiled: Validator = fastjsonschema.compile(record_schema(record_type))
    return compiled


def describe(exc: fastjsonschema.JsonSchemaException) -> str:
    """Where and which rule failed, without the offending value (it may be personal data)."""
    where = str(getattr(exc, "name", "") or "data")
    rule = str(getattr(exc, "rule", "") or "?")
    return f"{where}: {rule}"


class RecordChecker:
    """Validates JSON Lines records in batches: one ``jsonschema-rs`` call (Rust) per batch, and
    per record only when the batch fails, to find the first failing record and name the rule.

    The message comes from the fastjsonschema function of the same schema (the same wording as
    before); should the two ever disagree, a record either of them refuses is refused, so the
    faster validator never lets through what the other one rejects on the slow path."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self._compiled: Validator = fastjsonschema.compile(schema)
        one = {k: v for k, v in schema.items() if k not in ("$schema", "$id", "definitions")}
        wrapper: dict[str, Any] = {"$schema": _DRAFT7, "type": "array", "items": one}
        if "definitions" in schema:
            wrapper["definitions"] = schema["definitions"]
        self._one = jsonschema_rs.Draft7Validator({**one, **_defs(schema), "$schema": _DRAFT7})
        self._many = jsonschema_rs.Draft7Validator(wrapper)

    def __call__(self, obj: Any) -> None:
        """Raise ``RecordInvalid`` naming the rule when ``obj`` is not valid."""
        problem = self.problem(obj)
        if problem is not None:
            raise RecordInvalid(problem)

    def all_valid(self, objs: list[Any]) -> bool:
        """True when every record of ``objs`` is valid (False may also mean "look closer")."""
        try:
            return bool(self._many.is_valid(objs))
        except Exception:  # a value jsonschema-rs cannot convert: decided record by record
            return False

    def first_invalid(self, objs: list[Any]) -> tuple[int, str] | None:
        """(index, rule) of the first invalid record, or None when all are valid."""
        if self.all_valid(objs):
            return None
        for i, obj in enumerate(objs):
            problem = self.problem(obj)
            if problem is not None:
                return i, problem
        return None

    def problem(self, obj: Any) -> str | None:
        """Where and which rule failed, or None when ``obj`` is valid."""
        try:
            self._compiled(obj)
        except fastjsonschema.JsonSchemaException as exc:
            return describe(exc)
        try:
            error = next(iter(self._one.iter_errors(obj)), None)
        except Exception:  # not convertible to JSON (e.g. a lone surrogate): fail closed
            return "data: type"
        if error is None:
            return None
        where = ".".join(["data", *(str(p) for p in error.instance_path)])
        rule = str(error.schema_path[-1]) if error.schema_path else "?"
        return f"{where}: {rule}"


class RecordInvalid(ValueError):
    """A record is not valid; ``str(exc)`` names the rule (never the value)."""


def _defs(schema: dict[str, Any]) -> dict[str, Any]:
    return {"definitions": schema["definitions"]} if "definitions" in schema else {}


@functools.cache
def record_checker(record_type: str) -> RecordChecker:
    """The batch checker of a whole ``record_type`` envelope (see ``record_schema``)."""
    return RecordChecker(record_schema(record_type))


@functools.cache
def checker(name: str) -> RecordChecker:
    """The batch checker of ``schemas/<name>`` (audit entries)."""
    return RecordChecker(load_schema(name))
