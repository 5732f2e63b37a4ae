"""Load the vaccine catalog file, validate it against its JSON Schema and build the model.

The default catalog (``resources/catalog/catalog.json``) is loaded once and cached. A file that is
unreadable, not JSON, not schema-valid or inconsistent raises ``CatalogInvalid``
(code ``E_CATALOG_INVALID``) with a Japanese message naming the failing path or rule.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastjsonschema

from app.domain.catalog import Catalog, CatalogInvalid, catalog_from_dict
from app.paths import resource_path, schema_path

__all__ = ["CatalogInvalid", "catalog_from_text", "default_catalog_path", "load_catalog"]

SCHEMA_NAME = "catalog.schema.json"


def default_catalog_path() -> Path:
    return resource_path("catalog", "catalog.json")


@functools.lru_cache(maxsize=1)
def _validator() -> Callable[[Any], Any]:
    schema = json.loads(schema_path(SCHEMA_NAME).read_text(encoding="utf-8"))
    validate: Callable[[Any], Any] = fastjsonschema.compile(schema)
    return validate


def _read(path: Path) -> Catalog:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogInvalid.at(path.name, "ファイルを読み込めません") from exc
    except UnicodeDecodeError as exc:
        raise CatalogInvalid.at(path.name, f"JSONとして読めません: {exc}") from exc
    return catalog_from_text(text, path.name)


def catalog_from_text(text: str, name: str) -> Catalog:
    """A catalog from its JSON text (a file being imported, or the register's stored copy)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogInvalid.at(name, f"JSONとして読めません: {exc}") from exc
    try:
        _validator()(data)
    except fastjsonschema.JsonSchemaException as exc:
        where = getattr(exc, "name", "") or "data"
        rule = getattr(exc, "rule", "") or ""
        raise CatalogInvalid.at(
            f"{name}: {where}", f"スキーマ規則 {rule} に違反しています（{exc}）"
        ) from exc
    return catalog_from_dict(data)


@functools.lru_cache(maxsize=1)
def _default() -> Catalog:
    return _read(default_catalog_path())


def load_catalog(path: Path | str | None = None) -> Catalog:
    """The catalog at ``path``, or the bundled default (cached) when ``path`` is None."""
    if path is None:
        return _default()
    return _read(Path(path))
