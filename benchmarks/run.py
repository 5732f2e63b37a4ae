"""Scale benchmarks of DESIGN.md §6 on the synthetic register: person search on the encrypted
register vs a plain SQLite copy of the same data, the service layer, person view and memory.

Run: ``python -m benchmarks.run --persons 1000000 [--seed 1] [--cache-dir benchmarks/.cache]``.
Builds the demo register once per (persons, seed) into the cache (reused when present), exports a
plain copy, then times ≥ 1,000 random queries of each kind. Prints a table and writes
``benchmarks/results/latest-<persons>.json``. Prints counts and timings only, never names or numbers.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import psutil
import sqlcipher3

from app.domain.kana import kana_prefix_range, normalize_kana
from app.services import persons as person_service
from app.services.demo import demo_password
from app.services.register import login
from app.store import persons as person_repo
from benchmarks.demo_cache import (
    CachedRegister,
    ensure_plain_copy,
    ensure_register,
    register_file,
)

RESULTS = Path(__file__).resolve().parent / "results"
LIMIT = 201  # the service asks for SEARCH_LIMIT + 1 rows
BUDGET = {
    "search_p50_ms": 5.0,
    "search_p99_ms": 30.0,
    "open_p99_ms": 50.0,
    "ratio": 1.5,
    "rss_mb": 400,
}


def _stats(times: Sequence[float]) -> dict[str, float]:
    ordered = sorted(times)
    p99 = ordered[max(0, math.ceil(len(ordered) * 0.99) - 1)]
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(p99 * 1000, 3),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 3),
    }


def _plain_connection(path: Path, module: Any, cache_kib: int) -> Any:
    conn = module.connect(str(path), isolation_level=None, check_same_thread=False)
    for pragma in ("foreign_keys = ON", f"cache_size = -{cache_kib}", "temp_store = MEMORY"):
        conn.execute(f"PRAGMA {pragma}")  # the same settings as the register's connection
    return conn


class Query(Protocol):
    """One query, called with a connection. A callback protocol rather than a ``Callable``: the
    queries are lambdas binding their values as default parameters, whose type mypy cannot infer
    against a ``Callable`` with fewer parameters but checks against this ``__call__``."""

    def __call__(self, conn: Any, /) -> object: ...


class Timed(Protocol):
    """A call without arguments (as ``Query``: it may bind its values as default parameters)."""

    def __call__(self) -> object: ...


def _queries(conn: Any, persons: int, count: int, rng: random.Random) -> dict[str, list[Query]]:
    """Random queries from real rows: kana prefixes (2–3 kana), 宛名番号, birth dates."""
    kana: list[Query] = []
    atena: list[Query] = []
    birth: list[Query] = []
    texts: dict[str, list[str]] = {"kana": [], "atena": [], "birth": []}
    while len(kana) < count:
        row = person_repo.get(conn, rng.randint(1, persons))
        if row is None:
            continue
        prefix = normalize_kana(row.name_kana)[: rng.choice((2, 3))]
        low, high = kana_prefix_range(prefix)
        kana.append(lambda c, lo=low, hi=high: person_repo.search_kana_range(c, lo, hi, LIMIT))
        atena.append(lambda c, a=row.atena_no: person_repo.search_atena_no(c, a, LIMIT))
        birth.append(lambda c, b=row.birth_date: person_repo.search_birth_date(c, b, LIMIT))
        texts["kana"].append(prefix)
        texts["atena"].append(row.atena_no)
        texts["birth"].append(row.birth_date)
    return {"kana": kana, "atena": atena, "birth": birth, "_texts": texts}  # type: ignore[dict-item]


def _side_by_side(
    conns: dict[str, Any], queries: list[Query], warmup: int
) -> dict[str, dict[str, float]]:
    """Run every query on each connection in turn (interleaved, so load affects all alike)."""
    for q in queries[:warmup]:
        for conn in conns.values():
            q(conn)
    times: dict[str, list[float]] = {name: [] for name in conns}
    for q in queries[warmup:]:
        for name, conn in conns.items():
            t0 = time.perf_counter()
            q(conn)
            times[name].append(time.perf_counter() - t0)
    return {name: _stats(t) for name, t in times.items()}


def _timed(fn: Timed, n: int) -> dict[str, float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return _stats(times)


def _service_phase(
    reg: CachedRegister, args: argparse.Namespace, n_queries: int, warmup: int
) -> dict[str, Any]:
    """Service-level timings and RSS, in a process that has only the register open (run as a
    subprocess, so that the plain copies' page caches do not count)."""
    session = login(reg.register_dir, "clerk", demo_password("clerk"))
    if args.cache_mib:
        session.register.conn.execute(f"PRAGMA cache_size = {-args.cache_mib * 1024}")
    persons = int(reg.info["persons"])
    rng = random.Random(args.seed * 1000 + 7)
    qs = _queries(session.register.conn, persons, n_queries + warmup, rng)
    texts: dict[str, list[str]] = qs["_texts"]  # type: ignore[assignment]
    del qs
    service: dict[str, Any] = {}
    for kind in ("kana", "atena", "birth"):
        for text in texts[kind][:warmup]:
            person_service.search(session, text)
        items = iter(texts[kind][warmup:])
        service[kind] = _timed(lambda it=items: person_service.search(session, next(it)), n_queries)
    it_ids = iter([rng.randint(1, persons) for _ in range(n_queries)])
    service["open_person"] = _timed(
        lambda: person_service.open_person(session, next(it_ids)), n_queries
    )
    gc.collect()
    rss = psutil.Process().memory_info().rss
    session.register.close()
    return {"service": service, "rss_mb_register_open": round(rss / 2**20, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache-dir", type=Path, default=Path("benchmarks/.cache"))
    ap.add_argument("--queries", type=int, default=2000, help="per query kind (≥ 1000)")
    ap.add_argument(
        "--cache-mib", type=int, help="what-if: page cache for every connection (default: app's)"
    )
    ap.add_argument("--no-covid-special", action="store_true", help="only DOMAIN.md §2 series")
    ap.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--service-phase", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    n_queries = max(args.queries, 1000)
    warmup = 200
    rng = random.Random(args.seed * 1000 + 1)

    if args.service_phase:
        reg = ensure_register(
            args.cache_dir, args.persons, args.seed, covid_special=not args.no_covid_special
        )
        print(json.dumps(_service_phase(reg, args, n_queries, warmup)))
        return 0
    print(f"VaxDesk scale benchmark: {args.persons:,} persons, seed {args.seed}", flush=True)
    reg = ensure_register(
        args.cache_dir, args.persons, args.seed, covid_special=not args.no_covid_special
    )
    ensure_plain_copy(reg)
    if reg.info.get("built_now") and not args.measure_only:
        # Measure in a fresh process so that the build's memory does not count in the RSS figure.
        cmd = [sys.executable, "-m", "benchmarks.run", *(argv or sys.argv[1:]), "--measure-only"]
        return subprocess.call(cmd)
    enc_path = register_file(reg)
    result: dict[str, Any] = {
        "date": date.today().isoformat(),
        "machine": {
            "cpus": psutil.cpu_count(),
            "python": platform.python_version(),
            "sqlcipher_sqlite": sqlcipher3.sqlite_version,
            "stdlib_sqlite": sqlite3.sqlite_version,
        },
        "persons": reg.info["persons"],
        "vaccinations": reg.info["vaccinations"],
        "households": reg.info["households"],
        "covid_special": reg.info.get("covid_special"),
        "generation_seconds": reg.info["generation_seconds"],
        "generated_in_this_run": bool(reg.info.get("built_now")),
        "encrypted_file_mb": round(enc_path.stat().st_size / 2**20, 1),
        "plain_file_mb": round(reg.plain_path.stat().st_size / 2**20, 1),
        "plain_export_seconds": reg.info.get("plain_export_seconds"),
        "queries_per_kind": n_queries,
        "warmup_per_kind": warmup,
    }
    reg.info["built_now"] = False
    (reg.folder / "info.json").write_text(json.dumps(reg.info, indent=2), encoding="utf-8")

    session = login(reg.register_dir, "clerk", demo_password("clerk"))
    enc = session.register.conn
    if args.cache_mib:  # a what-if on the app's setting (app/store/db.py)
        enc.execute(f"PRAGMA cache_size = {-args.cache_mib * 1024}")
    cache_kib = -int(enc.execute("PRAGMA cache_size").fetchone()[0])
    result["cache_mib"] = cache_kib // 1024
    plain = _plain_connection(reg.plain_path, sqlcipher3, cache_kib)
    stdlib = _plain_connection(reg.plain_path, sqlite3, cache_kib)
    persons = int(result["persons"])
    qs = _queries(plain, persons, n_queries + warmup, rng)
    qs.pop("_texts")
    repo: dict[str, Any] = {}
    for kind in ("kana", "atena", "birth"):
        conns = {"encrypted": enc, "plain": plain, "plain_stdlib": stdlib}
        stats = _side_by_side(conns, qs[kind], warmup)
        for base in ("plain", "plain_stdlib"):
            stats[f"ratio_vs_{base}"] = {
                k: round(stats["encrypted"][k] / stats[base][k], 2)
                for k in ("p50_ms", "p99_ms", "mean_ms")
            }
        repo[kind] = stats
    result["repository_search"] = repo
    plain.close()
    stdlib.close()

    session.register.close()
    cmd = [sys.executable, "-m", "benchmarks.run", *(argv or sys.argv[1:]), "--service-phase"]
    result.update(json.loads(subprocess.check_output(cmd, text=True).strip().splitlines()[-1]))
    result["budget"] = BUDGET
    _print(result)
    RESULTS.mkdir(exist_ok=True)
    suffix = f"-cache{args.cache_mib}" if args.cache_mib else ""
    out = RESULTS / f"latest-{args.persons}{suffix}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten: {out}")
    return 0


def _mark(ok: bool) -> str:
    return "ok  " if ok else "MISS"


def _print(r: dict[str, Any]) -> None:
    b = r["budget"]
    print()
    print(
        f"persons {r['persons']:,}  households {r['households']:,}  vaccinations {r['vaccinations']:,}"
        f"  (covid_special={r['covid_special']})"
    )
    print(
        f"generation {r['generation_seconds']} s   encrypted file {r['encrypted_file_mb']:,} MiB"
        f"   plain copy {r['plain_file_mb']:,} MiB   plain export {r['plain_export_seconds']} s"
    )
    print()
    print(
        f"{'repository query':<14}{'encrypted p50/p99/mean ms':>30}{'plain (same engine)':>26}"
        f"{'ratio p50/p99':>16}{'stdlib plain':>22}{'ratio':>12}"
    )
    for kind, s in r["repository_search"].items():
        e, p, q = s["encrypted"], s["plain"], s["plain_stdlib"]
        rp, rq = s["ratio_vs_plain"], s["ratio_vs_plain_stdlib"]
        print(
            f"{kind:<14}{e['p50_ms']:>10.3f}/{e['p99_ms']:>8.3f}/{e['mean_ms']:>8.3f}"
            f"{p['p50_ms']:>9.3f}/{p['p99_ms']:>7.3f}/{p['mean_ms']:>7.3f}"
            f"{rp['p50_ms']:>8.2f}/{rp['p99_ms']:<6.2f}"
            f"{q['p50_ms']:>10.3f}/{q['p99_ms']:>8.3f}{rq['p50_ms']:>6.2f}/{rq['p99_ms']:<5.2f}"
            f" {_mark(max(rp['p50_ms'], rp['p99_ms']) <= b['ratio'])}"
        )
    print()
    print(f"{'service call':<14}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}   budget")
    for kind, s in r["service"].items():
        if kind == "open_person":
            ok, text = s["p99_ms"] <= b["open_p99_ms"], f"p99 ≤ {b['open_p99_ms']} ms"
        else:
            ok = s["p50_ms"] <= b["search_p50_ms"] and s["p99_ms"] <= b["search_p99_ms"]
            text = f"p50 ≤ {b['search_p50_ms']}, p99 ≤ {b['search_p99_ms']} ms"
        print(
            f"{kind:<14}{s['p50_ms']:>10.3f}{s['p99_ms']:>10.3f}{s['mean_ms']:>10.3f}   {_mark(ok)} {text}"
        )
    rss = r["rss_mb_register_open"]
    print(f"\npage cache per connection: {r['cache_mib']} MiB (encrypted and plain alike)")
    print(
        f"\nRSS with the register open after the runs: {rss} MiB   {_mark(rss <= b['rss_mb'])}"
        f" ≤ {b['rss_mb']} MB"
    )


if __name__ == "__main__":
    sys.exit(main())
