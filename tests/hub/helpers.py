"""Small builders shared by the hub tests (fictional data only)."""

from __future__ import annotations

from typing import Any


def person_tuple(i: int) -> tuple[Any, ...]:
    """A persons row in table column order."""
    uid = i.to_bytes(16, "big")
    return (
        uid,
        f"{i:010d}",
        f"試験 太郎{i}",
        "シケン タロウ",
        "シケンタロウ",
        "M",
        "1990-01-01",
        "甲府市丸の内1",
        "00000001",
        "世帯主",
        "active",
        None,
        None,
        None,
        None,
        None,
        bytes(32),
        f"{i:013d}.00000.192015-HUB",
        "192015-HUB",
        None,
        None,
        i,
    )
