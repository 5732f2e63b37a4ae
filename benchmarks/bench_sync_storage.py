"""Where the raw floor of an ``updates`` import goes (issue 9): one ``UPDATE`` of the address of
100,000 random residents of the encrypted register and its commit, under varied storage settings,
each on a fresh set of residents and a fresh connection (cold page cache):

- the statement, the commit and the WAL checkpoint timed apart (``wal_autocheckpoint`` off, then
  ``PRAGMA wal_checkpoint(TRUNCATE)``), with the WAL frames written;
- page cache 64 / 512 / 768 MiB, ``cache_spill`` off, rollback journal instead of WAL;
- rows in row-id order (one statement) against random order (one statement per row);
- with ``persons_list`` narrowed (migration 0010), and on a plain (unencrypted) copy.

Run on a DISPOSABLE copy (it changes addresses and may drop an index)::

    python -m benchmarks.bench_sync_storage COPY/register [--only NAME ...]

Prints one JSON object per experiment (wall and CPU seconds, load average). Figures, not
assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path
from typing import Any

from app.services.demo import demo_password
from app.services.register import login
from app.store import bulk, db

ROWS = 100_000


def _now() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(t: tuple[float, float]) -> dict[str, float]:
    return {
        "wall": round(time.perf_counter() - t[0], 2),
        "cpu": round(time.process_time() - t[1], 2),
    }


def _open(path: Path, dek: bytes | None, cache_mib: int, hmac: str | None = None) -> db.Connection:
    conn: db.Connection  # sqlcipher3 has no type information: its connect() is untyped
    if dek is not None and hmac is not None:  # a copy with another page HMAC (export_variant)
        import sqlcipher3

        if hmac not in bulk.HMAC_ALGORITHMS:
            raise ValueError(hmac)
        conn = sqlcipher3.connect(str(path), isolation_level=None)
        conn.execute(f"PRAGMA key = \"x'{dek.hex()}'\"")
        conn.execute(f"PRAGMA cipher_hmac_algorithm = {hmac}")
        conn.execute(f"PRAGMA cache_size = {-cache_mib * 1024}")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    elif dek is None:
        import sqlcipher3

        conn = sqlcipher3.connect(str(path), isolation_level=None)
        conn.execute(f"PRAGMA cache_size = {-cache_mib * 1024}")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA synchronous = FULL")
    else:
        conn = db.connect(path, dek, cache_mib=cache_mib)
    conn.execute("PRAGMA journal_mode = WAL")
    return conn


def run(
    path: Path,
    dek: bytes | None,
    *,
    cache_mib: int = 64,
    spill: bool = True,
    journal: str = "WAL",
    order: str = "rowid",
    setting: str = "address = address || ' 2'",
    mmap_mib: int = 0,
    rows: int = ROWS,
    hmac: str | None = None,
) -> dict[str, Any]:
    os.sync()
    conn = _open(path, dek, cache_mib, hmac)
    try:
        if journal != "WAL":
            conn.execute(f"PRAGMA journal_mode = {journal}")
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        if not spill:
            conn.execute("PRAGMA cache_spill = OFF")
        if mmap_mib:
            conn.execute(f"PRAGMA mmap_size = {mmap_mib << 20}")
        ids = [int(r[0]) for r in conn.execute("SELECT id FROM persons")]
        chosen = random.sample(ids, min(rows, len(ids)))
        conn.execute("CREATE TEMP TABLE ids (id INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO ids VALUES (?)", ((i,) for i in chosen))
        out: dict[str, Any] = {"load": round(os.getloadavg()[0], 2)}
        t = _now()
        conn.execute("BEGIN IMMEDIATE")
        if order == "rowid":
            conn.execute(f"UPDATE persons SET {setting} WHERE id IN (SELECT id FROM ids)")
        else:
            conn.executemany(f"UPDATE persons SET {setting} WHERE id = ?", ((i,) for i in chosen))
        out["statement"] = _since(t)
        t = _now()
        conn.execute("COMMIT")
        out["commit"] = _since(t)
        wal = Path(f"{path}-wal")
        out["wal_mb_after_commit"] = round(wal.stat().st_size / 2**20, 1) if wal.exists() else 0
        # frames in the WAL (the file is new: the register was closed, its WAL folded in)
        page = int(conn.execute("PRAGMA page_size").fetchone()[0])
        out["wal_frames"] = (wal.stat().st_size - 32) // (page + 24) if wal.exists() else 0
        t = _now()
        if journal == "WAL":
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            out["checkpoint"] = _since(t)
        total = sum(v["wall"] for k, v in out.items() if isinstance(v, dict))
        cpu = sum(v["cpu"] for k, v in out.items() if isinstance(v, dict))
        out["total"] = {"wall": round(total, 2), "cpu": round(cpu, 2)}
    finally:
        conn.close()
    return out


EXPERIMENTS: dict[str, dict[str, Any]] = {
    "baseline_64mib": {},
    "cache_512mib": {"cache_mib": 512},
    "cache_768mib": {"cache_mib": 768},
    "cache_64mib_no_spill": {"spill": False},
    "cache_512mib_random_order": {"cache_mib": 512, "order": "random"},
    "cache_512mib_rollback_journal": {"cache_mib": 512, "journal": "DELETE"},
    "cache_512mib_set_phone_not_indexed": {"cache_mib": 512, "setting": "phone = '0'"},
    "cache_512mib_set_version_only": {"cache_mib": 512, "setting": "version = version || '1'"},
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("register", type=Path, help="register folder of a disposable copy")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--plain", type=Path, default=None, help="also run on this plain copy")
    args = ap.parse_args(argv)
    session = login(args.register, "number", demo_password("number"))
    dek = session.register.dek
    path = args.register / "register.vxdb"
    session.register.close()
    names = args.only or list(EXPERIMENTS)
    for name in names:
        if name.startswith("plain_"):
            assert args.plain is not None
            result = run(args.plain, None, **EXPERIMENTS[name.removeprefix("plain_")])
        else:
            result = run(path, dek, **EXPERIMENTS[name])
        print(json.dumps({"experiment": name, **result}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
