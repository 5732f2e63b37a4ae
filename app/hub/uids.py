"""Record uids as the hub stores them: the 16 bytes of the canonical UUID text a package line
carries (PACKAGE-FORMAT.md §3; the line's schema check has already accepted its form)."""

from __future__ import annotations


def uid_bytes(text: str) -> bytes:
    """The 16 bytes of a canonical UUID text (schema-checked already)."""
    return bytes.fromhex(text.replace("-", ""))
