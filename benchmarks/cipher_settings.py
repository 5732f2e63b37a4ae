"""Why encrypted search is slower than plain: page cache size and page HMAC, measured side by side.

Run after ``benchmarks.run`` built the cache:
``python -m benchmarks.cipher_settings --persons 1000000 [--cache-mib 64 128 256]``.
Each configuration runs in its own process (for a clean RSS figure): the same random queries through
app.store.persons on the encrypted register (as configured) and on the plain copy (same settings),
interleaved. A copy with HMAC_SHA256 page authentication is exported once for comparison.
Prints counts and timings only; writes ``benchmarks/results/cipher-settings-<persons>.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil
import sqlcipher3

from app.services.recovery import open_with_recovery_code
from app.store import bulk
from benchmarks.demo_cache import ensure_register, register_file
from benchmarks.run import RESULTS, _queries, _side_by_side

QUERIES = 1500
WARMUP = 200


def _open(path: Path, dek: bytes | None, cache_mib: int, hmac: str | None) -> Any:
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    if dek is not None:
        conn.execute(f"PRAGMA key = \"x'{dek.hex()}'\"")
        if hmac:
            conn.execute(f"PRAGMA cipher_hmac_algorithm = {hmac}")
    conn.execute(f"PRAGMA cache_size = {-cache_mib * 1024}")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def _one(args: argparse.Namespace) -> dict[str, Any]:
    reg = ensure_register(args.cache_dir, args.persons, args.seed, covid_special=True)
    access = open_with_recovery_code(reg.register_dir, reg.recovery_code)
    dek = access.register.dek
    access.register.close()
    path = register_file(reg) if args.hmac == "HMAC_SHA512" else reg.folder / "hmac256.vxdb"
    enc = _open(path, dek, args.one, args.hmac)
    # Memory first, with only the encrypted connection open, on queries of another seed.
    other = _queries(enc, int(reg.info["persons"]), QUERIES, random.Random(args.seed + 99))
    other.pop("_texts")
    for kind in ("kana", "atena", "birth"):
        for q in other[kind]:
            q(enc)
    rss = round(psutil.Process().memory_info().rss / 2**20, 1)
    del other
    plain = _open(reg.plain_path, None, args.one, None)
    qs = _queries(plain, int(reg.info["persons"]), QUERIES + WARMUP, random.Random(args.seed + 5))
    qs.pop("_texts")
    out: dict[str, Any] = {"cache_mib": args.one, "hmac": args.hmac}
    for kind in ("kana", "atena", "birth"):
        s = _side_by_side({"encrypted": enc, "plain": plain}, qs[kind], WARMUP)
        s["ratio"] = {
            k: round(s["encrypted"][k] / s["plain"][k], 2) for k in ("p50_ms", "p99_ms", "mean_ms")
        }
        out[kind] = s
    plain.close()
    enc.close()
    out["rss_mb_encrypted_only"] = rss
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache-dir", type=Path, default=Path("benchmarks/.cache"))
    ap.add_argument("--cache-mib", type=int, nargs="+", default=[64, 128, 256])
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--hmac", default="HMAC_SHA512", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one is not None:
        print(json.dumps(_one(args)))
        return 0
    reg = ensure_register(args.cache_dir, args.persons, args.seed, covid_special=True)
    variant = reg.folder / "hmac256.vxdb"
    if not variant.exists():
        access = open_with_recovery_code(reg.register_dir, reg.recovery_code)
        try:
            bulk.export_encrypted_variant(
                access.register.conn, variant, access.register.dek, hmac_algorithm="HMAC_SHA256"
            )
        finally:
            access.register.close()
    configs = [(mib, "HMAC_SHA512") for mib in args.cache_mib] + [(64, "HMAC_SHA256")]
    results = []
    base = [sys.executable, "-m", "benchmarks.cipher_settings", "--persons", str(args.persons)]
    base += ["--seed", str(args.seed), "--cache-dir", str(args.cache_dir)]
    print(
        f"{'cache MiB':>9} {'page HMAC':<12}"
        + "".join(f"{k + ' p50/p99 ratio':>24}" for k in ("kana", "atena", "birth"))
        + f"{'RSS MiB':>10}"
    )
    for mib, hmac in configs:
        cmd = [*base, "--one", str(mib), "--hmac", hmac]
        r = json.loads(subprocess.check_output(cmd, text=True).strip().splitlines()[-1])
        results.append(r)
        cells = "".join(
            f"{r[k]['encrypted']['p50_ms']:>7.3f}/{r[k]['encrypted']['p99_ms']:.3f} "
            f"{r[k]['ratio']['p50_ms']:.2f}/{r[k]['ratio']['p99_ms']:.2f}".rjust(24)
            for k in ("kana", "atena", "birth")
        )
        print(f"{mib:>9} {hmac:<12}{cells}{r['rss_mb_encrypted_only']:>10}", flush=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"cipher-settings-{args.persons}.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
