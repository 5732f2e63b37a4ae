"""Field masking per role (DESIGN.md §4).

Policies: ``hide`` (field removed), ``mask`` (partly shown: the last 4 digits of a number, the
first character of a name) and ``show``. Reveal-on-demand is a service action with a reason.
"""

from __future__ import annotations

from enum import Enum

from app.security import permissions as perm

HIDDEN_TEXT = "（非表示）"


class Policy(Enum):
    SHOW = "show"
    MASK = "mask"
    HIDE = "hide"


def person_policy(permissions: frozenset[str]) -> Policy:
    """How a session sees the basic person items (name, address, phone)."""
    if perm.PERSON_READ in permissions:
        return Policy.SHOW
    if perm.PERSON_READ_MASKED in permissions:
        return Policy.MASK
    return Policy.HIDE


def mask_name(name: str) -> str:
    """Keep the first character of each space-separated part: 山田 太郎 → 山＊ 太＊."""
    parts = name.replace("\u3000", " ").split(" ")
    return "\u3000".join(p[:1] + "＊" * max(len(p) - 1, 1) for p in parts if p)


def mask_digits(value: str, keep: int = 4) -> str:
    """Show only the last ``keep`` digits: 123456789018 → ＊＊＊＊＊＊＊＊9018."""
    return "＊" * max(len(value) - keep, 0) + value[-keep:]


def apply(policy: Policy, value: str | None, *, kind: str = "text") -> str | None:
    if value is None:
        return None
    if policy is Policy.SHOW:
        return value
    if policy is Policy.HIDE:
        return HIDDEN_TEXT
    if kind == "name":
        return mask_name(value)
    if kind == "digits":
        return mask_digits(value)
    return HIDDEN_TEXT
