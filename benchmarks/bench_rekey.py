"""鍵の更新 (register rekey) at register scale, beside its raw limits measured in the same run.

    .venv/bin/python -m benchmarks.bench_rekey [--persons 1000000] [--cache-dir benchmarks/.cache]

Works on a copy of the cached benchmark register (never on the cache). Steps, each a fresh
child process so that its peak RSS is its own:

1. raw limit: plain file copy of register.vxdb (cache → work folder), timed in this process;
2. preparation (not timed): every demo user signs in once and the recovery code is used once,
   so every key slot has its inbox key (the cache predates key delivery); this also applies this
   branch's migration, whose automatic pre-migration copy is then deleted;
3. raw limit: ``VACUUM INTO`` of the same open register (same key) into a new file;
4. ``key_rotation.rekey_register`` as the administrator (sqlcipher_export into a new file under a
   new DEK, deliveries to every slot, the switch), seconds and peak RSS; then every user signs
   in once more on the rekeyed register (checked, not timed).

Peak RSS of steps 3 and 4 includes the sign-in that opens the register (Argon2id, 64 MiB).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

_PREPARE = """
import json, sys
from pathlib import Path
from app.services.demo import demo_password, demo_users
from app.services.recovery import open_with_recovery_code
from app.services.register import login
reg, code = Path(sys.argv[1]), sys.argv[2]
for user in demo_users():
    login(reg, user.login, demo_password(user.login)).register.close()
open_with_recovery_code(reg, code).register.close()
print(json.dumps({"ok": True}))
"""

_VACUUM_INTO = """
import json, resource, sys, time
from pathlib import Path
from app.services.demo import demo_password
from app.services.register import login
reg, out = Path(sys.argv[1]), Path(sys.argv[2])
session = login(reg, "admin", demo_password("admin"))
t0 = time.perf_counter()
session.register.conn.execute("VACUUM INTO ?", (str(out),))
seconds = time.perf_counter() - t0
session.register.close()
encrypted = out.read_bytes()[:16] != b"SQLite format 3\\x00"
print(json.dumps({"seconds": seconds, "encrypted_output": encrypted,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_REKEY = """
import json, resource, sys, time
from pathlib import Path
from app.services.demo import demo_password
from app.services.key_rotation import rekey_register
from app.services.register import login
reg = Path(sys.argv[1])
session = login(reg, "admin", demo_password("admin"))
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
marks = []
t0 = time.perf_counter()
result = rekey_register(session, progress=lambda f, text: marks.append(f))
seconds = time.perf_counter() - t0
session.register.close()
print(json.dumps({"seconds": seconds, "slots": result.slots, "size_bytes": result.size_bytes,
                  "progress_reports": len(marks),
                  "peak_rss_mib_before_rekey": rss_before,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_CHECK = """
import json, sys
from pathlib import Path
from app.services.demo import demo_password, demo_users
from app.services.register import login
reg = Path(sys.argv[1])
opened = 0
for user in demo_users():
    session = login(reg, user.login, demo_password(user.login))
    n = session.register.conn.execute("SELECT count(*) FROM persons").fetchone()[0]
    session.register.close()
    opened += 1
print(json.dumps({"users_signed_in": opened, "persons": n}))
"""


def _child(script: str, *args: str) -> dict[str, object]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache-dir", type=Path, default=Path("benchmarks/.cache"))
    ap.add_argument("--work-dir", type=Path, default=None)
    args = ap.parse_args(argv)

    from benchmarks.demo_cache import ensure_register

    cached = ensure_register(args.cache_dir, args.persons, args.seed, covid_special=True)
    work = args.work_dir or args.cache_dir / f"rekey-work-{args.persons}"
    if work.exists():
        shutil.rmtree(work)
    reg = work / "register"
    source = cached.register_dir
    shutil.copytree(source, reg, ignore=shutil.ignore_patterns("register.vxdb*", "*.before-*"))
    size = (source / "register.vxdb").stat().st_size
    t0 = time.perf_counter()
    shutil.copyfile(source / "register.vxdb", reg / "register.vxdb")
    with (reg / "register.vxdb").open("rb") as fh:
        os.fsync(fh.fileno())
    copy_s = time.perf_counter() - t0
    print(f"file copy {size / 2**30:.2f} GiB: {copy_s:.1f} s", file=sys.stderr, flush=True)
    try:
        _child(_PREPARE, str(reg), cached.recovery_code)
        for left in reg.glob("register.vxdb.*"):  # the pre-migration copy of this work folder
            left.unlink()
        vacuum_out = work / "vacuum-into.db"
        vacuum = _child(_VACUUM_INTO, str(reg), str(vacuum_out))
        vacuum_out.unlink()
        print(f"VACUUM INTO: {vacuum['seconds']:.1f} s", file=sys.stderr, flush=True)
        load_before = os.getloadavg()
        rekey = _child(_REKEY, str(reg))
        load_after = os.getloadavg()
        print(f"rekey: {rekey['seconds']:.1f} s", file=sys.stderr, flush=True)
        check = _child(_CHECK, str(reg))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "persons": args.persons,
        "register_bytes": size,
        "rekey": rekey,
        "raw_limits": {"file_copy_seconds": round(copy_s, 2), "vacuum_into": vacuum},
        "rekey_over_file_copy": round(float(rekey["seconds"]) / copy_s, 2),  # type: ignore[arg-type]
        "rekey_over_vacuum_into": round(
            float(rekey["seconds"]) / float(vacuum["seconds"]),  # type: ignore[arg-type]
            2,
        ),
        "after_rekey": check,
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"rekey-{args.persons}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
