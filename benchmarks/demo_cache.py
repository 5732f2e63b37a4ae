"""The synthetic register used by the scale benchmarks, built once per (persons, seed) and cached.

Layout: ``<cache>/register-<persons>-s<seed>/register/`` (the encrypted register folder),
``info.json`` (counts, build time, recovery code — a synthetic demo register only) written last, so
an interrupted build is detected and rebuilt, and ``plain.db`` (unencrypted copy of the same data).
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NotRequired, TypedDict

from app.services.demo import create_demo_register
from app.services.recovery import open_with_recovery_code
from app.store import bulk
from app.store.layout import RegisterLayout


class RegisterInfo(TypedDict):
    """``info.json`` as ``ensure_register`` writes it (``plain_export_seconds`` added with the
    plain copy); ``covid_special`` and ``built_now`` are read with ``get`` (older caches)."""

    persons: int
    vaccinations: int
    households: int
    generation_seconds: float
    wall_seconds: float
    seed: int
    covid_special: NotRequired[bool]
    recovery_code: str
    built_now: NotRequired[bool]
    plain_export_seconds: NotRequired[float]


@dataclass(frozen=True, slots=True)
class CachedRegister:
    folder: Path
    register_dir: Path
    plain_path: Path
    info: RegisterInfo

    @property
    def recovery_code(self) -> str:
        return str(self.info["recovery_code"])


def _progress(stage: str, done: int, total: int, _last: list[float] = [0.0]) -> None:  # noqa: B006
    now = time.monotonic()
    if now - _last[0] >= 15 or done == total:
        _last[0] = now
        print(f"  build: {stage} {done:,}/{total:,}", file=sys.stderr, flush=True)


def ensure_register(
    cache_dir: Path, persons: int, seed: int, *, covid_special: bool
) -> CachedRegister:
    folder = cache_dir / f"register-{persons}-s{seed}{'' if covid_special else '-nocovid'}"
    register_dir = folder / "register"
    info_path = folder / "info.json"
    if not info_path.is_file():
        if folder.exists():  # an interrupted build of the benchmark cache
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        started = time.perf_counter()
        info = create_demo_register(
            register_dir,
            persons=persons,
            seed=seed,
            progress=_progress,
            covid_special=covid_special,
        )
        record: RegisterInfo = {
            "persons": info.persons,
            "vaccinations": info.vaccinations,
            "households": info.households,
            "generation_seconds": round(info.seconds, 1),
            "wall_seconds": round(time.perf_counter() - started, 1),
            "seed": seed,
            "covid_special": covid_special,
            "recovery_code": info.recovery_code,
            "built_now": True,
        }
        info_path.write_text(json.dumps(record, indent=2), encoding="utf-8")
    data = json.loads(info_path.read_text(encoding="utf-8"))
    return CachedRegister(folder, register_dir, folder / "plain.db", data)


def ensure_plain_copy(reg: CachedRegister) -> float:
    """Export the plain copy when missing; returns the seconds it took (0 when reused)."""
    if reg.plain_path.is_file():
        return 0.0
    started = time.perf_counter()
    tmp = reg.plain_path.with_suffix(".partial")
    tmp.unlink(missing_ok=True)
    access = open_with_recovery_code(reg.register_dir, reg.recovery_code)
    try:
        bulk.export_plain(access.register.conn, tmp)
    finally:
        access.register.close()
    tmp.replace(reg.plain_path)
    seconds = time.perf_counter() - started
    reg.info["plain_export_seconds"] = round(seconds, 1)
    (reg.folder / "info.json").write_text(json.dumps(reg.info, indent=2), encoding="utf-8")
    return seconds


def register_file(reg: CachedRegister) -> Path:
    return RegisterLayout(reg.register_dir).database
