"""Where the CPU of a timed block went, per thread and over time (bench_sync ``--stage updates``):
a sampler thread reads each thread's CPU seconds from ``/proc/self/task`` every ``step`` seconds
and names it by its Python thread (``threading.enumerate``), plus the process's user and system
seconds and minor page faults (``getrusage``). Linux only (elsewhere the per-thread part stays
empty); its own reads cost well under 1% of a core. Figures, not assertions."""

from __future__ import annotations

import os
import resource
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

_TASKS = Path("/proc/self/task")


def _thread_cpu() -> dict[int, float]:
    """CPU seconds (user + system) of each live thread of this process, by native id."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    out: dict[int, float] = {}
    try:
        tids = list(_TASKS.iterdir())
    except OSError:
        return out
    for task in tids:
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the thread ended meanwhile
        out[int(task.name)] = (int(fields[11]) + int(fields[12])) / tick
    return out


class ThreadCpu:
    """Context manager: ``report()`` after it gives CPU seconds per thread name, the busy cores
    in each quarter second, and the process's user/system seconds and minor faults (a thread
    that ends between two samples misses up to ``step`` seconds of its CPU)."""

    def __init__(self, step: float = 0.05) -> None:
        self.step = step
        self._names: dict[int, str] = {}
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._samples: list[tuple[float, float]] = []  # (elapsed, CPU of all threads so far)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-thread-cpu", daemon=True)
        self._rusage: tuple[Any, Any] | None = None

    def _sample(self) -> None:
        own = threading.get_native_id()
        names = {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}
        total = 0.0
        for tid, cpu in _thread_cpu().items():
            if tid == own:
                continue
            self._names.setdefault(tid, names.get(tid, f"thread {tid}"))
            self._first.setdefault(tid, 0.0)  # started inside the block
            self._last[tid] = cpu
        for tid, cpu in self._last.items():
            total += cpu - self._first[tid]
        self._samples.append((time.perf_counter() - self._started, total))

    def _run(self) -> None:
        while not self._stop.wait(self.step):
            self._sample()

    def __enter__(self) -> ThreadCpu:
        self._started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_SELF)
        self._rusage = (before, before)
        self._first = dict(_thread_cpu())
        self._thread.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        assert self._rusage is not None
        self._rusage = (self._rusage[0], resource.getrusage(resource.RUSAGE_SELF))

    def report(self) -> dict[str, Any]:
        assert self._rusage is not None
        before, after = self._rusage
        by_name: dict[str, float] = {}
        for tid, cpu in self._last.items():
            name = self._names.get(tid, str(tid))
            by_name[name] = by_name.get(name, 0.0) + cpu - self._first.get(tid, cpu)
        quarters: list[float] = []
        mark, used = 0.25, 0.0
        for elapsed, total in self._samples:
            if elapsed >= mark:
                quarters.append(round((total - used) / 0.25, 2))
                used, mark = total, mark + 0.25
        return {
            "user_seconds": round(after.ru_utime - before.ru_utime, 2),
            "system_seconds": round(after.ru_stime - before.ru_stime, 2),
            "minor_faults": after.ru_minflt - before.ru_minflt,
            "thread_cpu_seconds": {k: round(v, 2) for k, v in by_name.items() if v >= 0.01},
            "busy_cores_each_quarter_second": quarters,
        }
