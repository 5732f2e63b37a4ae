"""Retention purge at register scale (issue 11 item 15): the preview (counts by kind), the purge
(delete with ``secure_delete``) and the vacuum of the freed pages, timed on a copy of the cached
synthetic register (a purge is destructive). First purge: one full VACUUM switches the register
to incremental auto-vacuum; a second purge (with a later policy) frees pages incrementally.
Writes benchmarks/results/retention-<persons>.json. Not a test: figures, not assertions.

    .venv/bin/python -m benchmarks.bench_retention --persons 20000
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from app.domain.retention import DEFAULT_POLICY
from app.services import retention
from app.services.demo import demo_password
from app.services.register import login
from app.store.layout import RegisterLayout
from benchmarks.demo_cache import ensure_register

RESULTS = Path(__file__).resolve().parent / "results"


def _purge(session: Any, label: str) -> dict[str, Any]:
    started = time.perf_counter()
    preview = retention.preview(session)
    preview_s = time.perf_counter() - started
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks.setdefault(stage, time.perf_counter())

    started = time.perf_counter()
    result = retention.purge(session, preview, preview.counts, progress=progress)
    end = time.perf_counter()
    vacuum_from = marks.get("vacuum", end)
    out = {
        "counts": preview.counts,
        "preview_s": round(preview_s, 3),
        "delete_s": round(vacuum_from - started, 3),
        "vacuum_s": round(end - vacuum_from, 3),
        "vacuumed": result.vacuumed,
    }
    print(f"{label}: {json.dumps(out, ensure_ascii=False)}", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache-dir", type=Path, default=Path("benchmarks/.cache"))
    args = ap.parse_args()
    reg = ensure_register(args.cache_dir, args.persons, args.seed, covid_special=True)
    results: dict[str, Any] = {"persons": args.persons}
    with tempfile.TemporaryDirectory(dir=args.cache_dir) as tmp:
        work = Path(tmp) / "register"
        shutil.copytree(reg.register_dir, work)
        db_file = RegisterLayout(work).database
        results["file_mib_before"] = round(db_file.stat().st_size / 2**20, 1)
        session = login(work, "admin", demo_password("admin"))
        try:
            results["first"] = _purge(session, "first purge (full VACUUM)")
            results["file_mib_after_first"] = round(db_file.stat().st_size / 2**20, 1)
            # residents' records too: a larger second purge, incremental vacuum
            policy = dataclasses.replace(DEFAULT_POLICY, keep_records_of_residents=False)
            retention.set_policy(session, policy)
            results["second"] = _purge(session, "second purge (incremental)")
            results["file_mib_after_second"] = round(db_file.stat().st_size / 2**20, 1)
        finally:
            session.register.close()
    text = json.dumps(results, ensure_ascii=False, indent=2)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"retention-{args.persons}.json").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
