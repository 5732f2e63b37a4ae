"""Sync package speed: build and open+verify+validate of N vaccination records (default 8,000,000),
with peak RSS growth and the process CPU time per record, beside the raw limits measured in the
same run (ChaCha20-Poly1305, zlib and ISA-L deflate/inflate, SHA-256, json.loads/orjson.loads,
the fastjsonschema function and the jsonschema-rs batch validator on the same lines) and the
load average of the (shared) machine.

Run: ``.venv/bin/python -m benchmarks.bench_package [--records 8000000] [--workdir DIR]``.
Targets (issue 8): build ≥ 150,000 rec/s, open+verify+validate ≥ 100,000 rec/s, RSS growth
< 200 MB. Writes ``benchmarks/results/package-N.json``. Not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import psutil
import uuid_utils
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from app.sync import build_package, build_trust, generate_keypair, make_party, open_package
from app.sync.inner import fast_zlib
from app.sync.schemas import record_checker, record_validator

RESULTS = Path(__file__).resolve().parent / "results"
SERIES = ["hepb", "rota1", "dpt_ipv_hib", "pcv20", "bcg", "mr", "varicella", "je", "hpv", "flu"]
PLACES = ["個別", "集団", "施設"]
DOCTORS = ["山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 次郎", "田中 三郎"]


class RssSampler:
    """Peak RSS of this process, sampled every 20 ms in a thread."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.base: int = self.proc.memory_info().rss  # psutil has no type information
        self.peak: int = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.base) / 1e6


def record_pool(size: int, seed: int) -> list[dict[str, Any]]:
    """Distinct realistic vaccination envelopes (the build cycles through them)."""
    rng = random.Random(seed)
    base = datetime(2020, 4, 1, tzinfo=UTC)
    pool = []
    for i in range(size):
        day = (base + timedelta(days=rng.randint(0, 2400))).date().isoformat()
        data: dict[str, Any] = {
            "person_uid": str(uuid_utils.uuid7()),
            "series_id": rng.choice(SERIES),
            "product_id": rng.choice(SERIES),
            "dose_no": rng.randint(1, 4),
            "dose_label": f"{rng.randint(1, 4)}回目",
            "category": "routine",
            "vaccinated_on": day,
            "receipt_no": f"R{rng.randint(0, 9_999_999):07d}",
            "institution_uid": str(uuid_utils.uuid7()),
            "payment_month": day[:7],
            "follow_up": False,
            "lot_no": f"L{rng.randint(0, 99999):05d}",
            "dose_amount_ml": 0.5,
            "route": "subcutaneous",
            "place": rng.choice(PLACES),
            "doctor": rng.choice(DOCTORS),
            "updated_date": day,
            "updated_time": f"{rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}:00",
            "updated_by": f"S{rng.randint(1, 300):04d}",
        }
        pool.append(
            {
                "type": "vaccination",
                "uid": str(uuid_utils.uuid7()),
                "version": f"17{rng.randint(0, 10**11 - 1):011d}.{i % 100000:05d}.192015-T001",
                "origin": "192015-T001",
                "voided": None,
                "data": data,
            }
        )
    return pool


def records(pool: list[dict[str, Any]], n: int) -> Iterator[dict[str, Any]]:
    size = len(pool)
    for i in range(n):
        yield pool[i % size]


def raw_limits(lines: list[bytes]) -> dict[str, float]:
    """Throughput of the primitives on this machine, now, on the benchmark's own lines."""
    blob = b"".join(lines)
    out: dict[str, float] = {"line_bytes": len(blob) / len(lines)}
    chunk = os.urandom(1 << 20)
    aead = ChaCha20Poly1305(os.urandom(32))
    t = time.perf_counter()
    for i in range(256):
        aead.encrypt(i.to_bytes(12, "big"), chunk, None)
    out["chacha20poly1305_MBps"] = 256 * (1 << 20) / (time.perf_counter() - t) / 1e6
    t = time.perf_counter()
    packed = zlib.compress(blob, 1)
    out["deflate_level1_MBps"] = len(blob) / (time.perf_counter() - t) / 1e6
    out["deflate_ratio"] = len(blob) / len(packed)
    t = time.perf_counter()
    zlib.decompress(packed)
    out["inflate_MBps"] = len(blob) / (time.perf_counter() - t) / 1e6
    t = time.perf_counter()
    comp = fast_zlib.compressobj(1, zlib.DEFLATED, -15)
    packed = comp.compress(blob) + comp.flush()
    out["isal_deflate_level1_MBps"] = len(blob) / (time.perf_counter() - t) / 1e6
    out["isal_deflate_ratio"] = len(blob) / len(packed)
    t = time.perf_counter()
    fast_zlib.decompressobj(-15).decompress(packed)
    out["isal_inflate_MBps"] = len(blob) / (time.perf_counter() - t) / 1e6
    t = time.perf_counter()
    hashlib.sha256(blob).digest()
    out["sha256_MBps"] = len(blob) / (time.perf_counter() - t) / 1e6
    t = time.perf_counter()
    for line in lines:
        json.loads(line)
    out["json_loads_rec_s"] = len(lines) / (time.perf_counter() - t)
    t = time.perf_counter()
    parsed = [orjson.loads(line) for line in lines]
    out["orjson_loads_rec_s"] = len(lines) / (time.perf_counter() - t)
    validate = record_validator("vaccination")
    t = time.perf_counter()
    for obj in parsed:
        validate(obj)
    out["schema_validate_rec_s"] = len(lines) / (time.perf_counter() - t)
    checker = record_checker("vaccination")
    t = time.perf_counter()
    for start in range(0, len(parsed), 1000):
        assert checker.all_valid(parsed[start : start + 1000])
    out["jsonschema_rs_batch_rec_s"] = len(lines) / (time.perf_counter() - t)
    t = time.perf_counter()
    for obj in parsed:
        orjson.dumps(obj)
    out["orjson_dumps_rec_s"] = len(lines) / (time.perf_counter() - t)
    return out


def _cpu() -> float:
    """CPU seconds (user + system) of this process, all threads."""
    times = os.times()
    return times.user + times.system


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--records", type=int, default=8_000_000)
    ap.add_argument("--pool", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument(
        "--no-validate-build",
        action="store_true",
        help="build with validate_records=False (records trusted from the register)",
    )
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="vaxdesk-bench-", dir=args.workdir))
    try:
        hub, term = generate_keypair("192015-HUB"), generate_keypair("192015-T001")
        now = datetime.now(UTC).replace(microsecond=0)
        trust = build_trust(
            1,
            [
                make_party(hub.public, "server", now - timedelta(days=1), now + timedelta(days=9)),
                make_party(
                    term.public, "terminal", now - timedelta(days=1), now + timedelta(days=9)
                ),
            ],
            [hub],
            issued_at=now,
        )
        pool = record_pool(args.pool, args.seed)
        lines = [orjson.dumps(r) + b"\n" for r in pool]
        limits = raw_limits(lines)
        del lines
        path = work / "bench.vxpkg"

        load_before = os.getloadavg()
        with RssSampler() as rss_build:
            c = _cpu()
            t = time.perf_counter()
            built = build_package(
                path,
                sender=term,
                recipient=hub.public,
                sequence=1,
                records={"vaccination": records(pool, args.records)},
                tmp_dir=work,
                validate_records=not args.no_validate_build,
            )
            build_s = time.perf_counter() - t
            build_cpu = _cpu() - c
        with RssSampler() as rss_open:
            c = _cpu()
            t = time.perf_counter()
            with open_package(path, trust=trust, identity=hub, tmp_dir=work) as package:
                open_s = time.perf_counter() - t
                open_cpu = _cpu() - c
                t = time.perf_counter()
                count = sum(1 for _ in package.records("vaccination"))
                iterate_s = time.perf_counter() - t
        assert count == args.records
        n = args.records
        inflated = built.manifest["files"][0]["length"] if built.manifest["files"] else 0
        result = {
            "records": n,
            "build_validates_records": not args.no_validate_build,
            "package_bytes": built.size,
            "jsonl_bytes": inflated,
            "build_s": round(build_s, 2),
            "build_rec_s": round(n / build_s),
            "build_rss_growth_MB": round(rss_build.growth_mb, 1),
            "build_cpu_us_per_rec": round(build_cpu / n * 1e6, 2),
            "build_cpu_per_wall": round(build_cpu / build_s, 2),
            "open_verify_validate_s": round(open_s, 2),
            "open_verify_validate_rec_s": round(n / open_s),
            "open_rss_growth_MB": round(rss_open.growth_mb, 1),
            "open_cpu_us_per_rec": round(open_cpu / n * 1e6, 2),
            "open_cpu_per_wall": round(open_cpu / open_s, 2),
            "iterate_records_rec_s": round(n / iterate_s) if iterate_s else None,
            "raw_limits": {k: round(v, 2) for k, v in limits.items()},
            "targets": {"build_rec_s": 150_000, "open_rec_s": 100_000, "rss_growth_MB": 200},
            "cpu": os.cpu_count(),
            "load_avg_1_5_15_before": [round(x, 2) for x in load_before],
            "load_avg_1_5_15_after": [round(x, 2) for x in os.getloadavg()],
            "at": now.isoformat(),
        }
        per_rec = limits["line_bytes"]
        result["limits_as_rec_s"] = {
            "chacha20poly1305": round(limits["chacha20poly1305_MBps"] * 1e6 / per_rec),
            "deflate_level1": round(limits["deflate_level1_MBps"] * 1e6 / per_rec),
            "inflate": round(limits["inflate_MBps"] * 1e6 / per_rec),
            "isal_deflate_level1": round(limits["isal_deflate_level1_MBps"] * 1e6 / per_rec),
            "isal_inflate": round(limits["isal_inflate_MBps"] * 1e6 / per_rec),
            "sha256": round(limits["sha256_MBps"] * 1e6 / per_rec),
            "json_loads": round(limits["json_loads_rec_s"]),
            "orjson_loads": round(limits["orjson_loads_rec_s"]),
            "schema_validate": round(limits["schema_validate_rec_s"]),
            "jsonschema_rs_batch": round(limits["jsonschema_rs_batch_rec_s"]),
            "orjson_dumps": round(limits["orjson_dumps_rec_s"]),
        }
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"package-{n}{'-novalidate' if args.no_validate_build else ''}.json").write_text(
            json.dumps(result, indent=2) + "\n"
        )
        print(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
