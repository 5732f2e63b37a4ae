"""Locate bundled resources from source checkouts and from the PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def _root() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """Path of a file under ``resources/`` (e.g. ``resource_path("fonts", "ipaexg.ttf")``)."""
    return _root().joinpath("resources", *parts)


def schema_path(name: str) -> Path:
    """Path of a JSON Schema under ``schemas/``."""
    return _root().joinpath("schemas", name)
