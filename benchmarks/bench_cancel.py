"""How fast Cancel stops the annual statistics (issue 12 item 11: cancel within 1 s).

The report reads the whole register twice (births, doses given) and evaluates the schedule per
birth date; Cancel is pressed at several moments of the run and the time until the service has
stopped (``PrintCancelled``) is measured. The full uncancelled run is timed beside it. Writes
benchmarks/results/cancel-<persons>.json. Not a test: figures, not assertions.

    .venv/bin/python -m benchmarks.bench_cancel --persons 1000000
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path

from app.printing import PrintCancelled
from app.security.session import Session
from app.services import printing
from app.services.demo import demo_password
from app.services.register import login
from benchmarks.demo_cache import ensure_register

FISCAL_YEAR = 2025
RESULTS = Path(__file__).resolve().parent / "results"


def cancel_latency(session: Session, after_s: float, out: Path) -> tuple[float, bool]:
    """Press Cancel ``after_s`` into the run; (seconds from the press to the stop, stopped)."""
    pressed = threading.Event()
    pressed_at: list[float] = []

    def press() -> None:
        pressed_at.append(time.perf_counter())
        pressed.set()

    timer = threading.Timer(after_s, press)
    timer.start()
    try:
        printing.print_annual_report(session, FISCAL_YEAR, out, cancelled=pressed.is_set)
    except PrintCancelled:
        return time.perf_counter() - pressed_at[0], True
    finally:
        timer.cancel()
    return 0.0, False  # finished before the press


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache-dir", type=Path, default=Path("benchmarks/.cache"))
    ap.add_argument("--at", type=float, nargs="*", default=[0.05, 0.3, 1.0, 2.0, 4.0, 8.0])
    args = ap.parse_args()
    reg = ensure_register(args.cache_dir, args.persons, args.seed, covid_special=True)
    session = login(reg.register_dir, "nurse", demo_password("nurse"))  # a demo register
    results: dict[str, object] = {"persons": args.persons}
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        printing.print_annual_report(session, FISCAL_YEAR, Path(tmp) / "full.pdf")
        results["full_run_s"] = round(time.perf_counter() - started, 3)
        stops = {}
        for at in args.at:
            latency, stopped = cancel_latency(session, at, Path(tmp) / f"c{at}.pdf")
            stops[str(at)] = round(latency, 3) if stopped else "finished first"
            outcome = f"stopped {latency:.3f} s later" if stopped else "the run had finished"
            print(f"cancel at {at:>5.2f} s: {outcome}", flush=True)
        results["cancel_latency_s"] = stops
    text = json.dumps(results, ensure_ascii=False, indent=2)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"cancel-{args.persons}.json").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
