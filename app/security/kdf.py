"""Password and recovery-code stretching (Argon2id) and key derivation (HKDF-SHA256)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SALT_BYTES = 16


@dataclass(frozen=True, slots=True)
class Argon2Params:
    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 2

    def to_json(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, int]) -> Argon2Params:
        params = cls(int(data["time_cost"]), int(data["memory_kib"]), int(data["parallelism"]))
        if params.time_cost < 1 or params.memory_kib < 8 * 1024 or params.parallelism < 1:
            raise ValueError("Argon2 parameters below the minimum")
        return params


# Production default (≈ 0.2 s on a 2-core terminal). Tests lower the cost through
# ``set_default_params`` only; registers record the parameters they were created with.
_default = Argon2Params()


def default_params() -> Argon2Params:
    return _default


def set_default_params(params: Argon2Params) -> None:
    global _default
    _default = params


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def argon2id(secret: bytes, salt: bytes, params: Argon2Params) -> bytes:
    return hash_secret_raw(
        secret=secret,
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def hkdf(ikm: bytes, *, salt: bytes, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)
