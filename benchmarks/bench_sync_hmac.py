"""What the register's page HMAC costs an ``updates`` import (issue 9): the raw floor (ONE bare
``UPDATE`` of the address of N random residents, its commit and the WAL checkpoint, timed apart,
``benchmarks.bench_sync_storage.run``) on the register as configured (HMAC_SHA512) and on a copy
exported with HMAC_SHA256 (``app.store.bulk.export_encrypted_variant``), alternated, each on a
fresh set of residents and a fresh connection, same page cache as an import.

Quantifies a product decision (the register format); changes nothing in the product. Run on a
DISPOSABLE copy (it changes addresses; the SHA-256 copy is written beside it and deleted)::

    python -m benchmarks.bench_sync_hmac COPY/register [--rows 100000] [--rounds 2]

Prints one JSON object per run and a summary. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from app.services._bulk import APPLY_CACHE_MIB
from app.services.demo import demo_password
from app.services.register import login
from app.store import bulk
from benchmarks.bench_sync_storage import run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("register", type=Path, help="register folder of a disposable copy")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    session = login(args.register, "number", demo_password("number"))
    dek = session.register.dek
    path = args.register / "register.vxdb"
    variant = args.register.parent / "register-sha256.vxdb"
    started = time.perf_counter()
    try:
        bulk.export_encrypted_variant(
            session.register.conn, variant, dek, hmac_algorithm="HMAC_SHA256"
        )
    finally:
        session.register.close()
    out: dict[str, Any] = {"export_seconds": round(time.perf_counter() - started, 1), "runs": []}
    try:
        for _ in range(args.rounds):
            for name, file, hmac in (
                ("HMAC_SHA512", path, None),
                ("HMAC_SHA256", variant, "HMAC_SHA256"),
            ):
                got = run(file, dek, cache_mib=APPLY_CACHE_MIB, rows=args.rows, hmac=hmac)
                out["runs"].append({"hmac": name, **got})
                print(json.dumps(out["runs"][-1]), flush=True)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{variant}{suffix}").unlink(missing_ok=True)
    summary: dict[str, Any] = {}
    for name in ("HMAC_SHA512", "HMAC_SHA256"):
        runs = [r for r in out["runs"] if r["hmac"] == name]
        summary[name] = {
            part: round(sum(r[part]["cpu"] for r in runs) / len(runs), 2)
            for part in ("statement", "commit", "checkpoint", "total")
        }
    out["mean_cpu_seconds"] = summary
    out["load_average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(json.dumps({"summary": summary, "export_seconds": out["export_seconds"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
