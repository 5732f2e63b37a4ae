"""Recovery codes: 30 Crockford base32 characters (150 bits), shown once, printed for the safe."""

from __future__ import annotations

import secrets

from app.errors import AuthError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
GROUPS = 6
GROUP_LEN = 5


class RecoveryCodeMalformed(AuthError):
    code = "E_RECOVERY_CODE_FORMAT"


def new_recovery_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LEN))
    return "-".join(chars[i : i + GROUP_LEN] for i in range(0, len(chars), GROUP_LEN))


def normalize_recovery_code(text: str) -> str:
    """Upper-case, drop separators and spaces, map look-alikes (O→0, I/L→1); validate length."""
    import unicodedata

    cleaned = unicodedata.normalize("NFKC", text).upper()
    cleaned = "".join(ch for ch in cleaned if ch not in " -\t")
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(cleaned) != GROUPS * GROUP_LEN or any(ch not in ALPHABET for ch in cleaned):
        raise RecoveryCodeMalformed()
    return cleaned
