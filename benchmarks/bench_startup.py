"""Start-up and sign-in timings (DESIGN.md §6: start to login window ≤ 2 s; unlock after the key
touch ≤ 1.5 s; issue "Access control": key touch to main window ≤ 1.5 s).

    .venv/bin/python -m benchmarks.bench_startup [--register DIR] [--runs 5]

- cold start: a fresh process runs `app.ui` up to the login dialog being shown (offscreen), wall
  time measured from outside the process;
- sign-in: ``register.login`` on the register (password → demo software key → Argon2id with the
  production cost → unwrap → open and check the encrypted file → session), then the main window
  built and shown. The software key answers at once, so the time is what follows the touch.

Uses the cached 1M benchmark register when present (benchmarks/.cache), else a fresh demo one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
CACHED = Path("benchmarks/.cache/register-1000000-s1/register")

_COLD = """
import sys
from pathlib import Path
from app.ui.shell.application import GuiController, create_application
app = create_application([])
controller = GuiController(Path(sys.argv[1]))
controller.start()
app.processEvents()
assert controller.login_dialog.isVisible()
print("shown", flush=True)
"""


def cold_start(register: Path, runs: int) -> list[float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _COLD, str(register)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        if "shown" not in done.stdout:
            raise RuntimeError("login dialog not shown")
        out.append(time.perf_counter() - t0)
    return out


def sign_in(register: Path, runs: int) -> tuple[list[float], list[float]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.services.demo import demo_password
    from app.services.register import login
    from app.ui.shell.application import create_application
    from app.ui.shell.main_window import MainWindow

    app = create_application([])
    logins, windows = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        session = login(register, "clerk", demo_password("clerk"))
        t1 = time.perf_counter()
        window = MainWindow(session)
        window.show()
        app.processEvents()
        t2 = time.perf_counter()
        logins.append(t1 - t0)
        windows.append(t2 - t0)
        window.close()
        session.register.close()
    return logins, windows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--register", type=Path, default=None)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    register = args.register
    if register is None and CACHED.is_dir():
        register = CACHED
    if register is None:
        from app.services.demo import create_demo_register

        register = Path(tempfile.mkdtemp()) / "demo"
        create_demo_register(register, persons=2000)
    cold = cold_start(register, args.runs)
    logins, windows = sign_in(register, args.runs)
    result = {
        "register": "1M benchmark register" if register == CACHED else str(register),
        "cold_start_to_login_dialog_s": {
            "median": round(statistics.median(cold), 3),
            "max": round(max(cold), 3),
        },
        "login_service_s": {
            "median": round(statistics.median(logins), 3),
            "max": round(max(logins), 3),
        },
        "key_touch_to_main_window_s": {
            "median": round(statistics.median(windows), 3),
            "max": round(max(windows), 3),
        },
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "startup.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
