"""The ``initial`` stage of ``bench_sync``: the cached register's households, institutions,
vaccines, lots, persons, issuances and vaccinations (``INITIAL_TYPES``) as a server sends them in
an ``initial`` package, imported into a copy of an empty register, with the process's peak RSS
and I/O, beside plain SQLite's insert rate of the source's persons and vaccinations in the same
run. The package and its empty target register are built once per cached register under the
cache folder (``_initial_fixture``; ``--stage initial-package`` builds only them, and
``bench_initial_floor`` and its test load the same fixture).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from app.services import _sync_identity
from app.services._sync_records import to_envelope
from app.services.demo import MUNICIPALITY_CODE, demo_password, demo_users
from app.services.register import login
from app.services.register_create import create_register
from app.services.sync_import import import_package
from app.store import db, sync_outbox
from app.sync.encoding import utc_now
from app.sync.keys import load_keypair
from app.sync.trust import build_trust, make_party
from app.sync.writer import build_package
from benchmarks.demo_cache import CachedRegister
from benchmarks.sync_stage_common import SERVER, _peak_rss_mb, _plain_rate

INITIAL_TYPES = ("household", "institution", "vaccine", "lot", "person", "issuance", "vaccination")


def _io_mb() -> dict[str, int]:
    """MB this process read and wrote through system calls (``rchar``/``wchar``: page reads of
    the register whether or not the OS had them cached), where /proc offers them."""
    try:
        text = Path("/proc/self/io").read_text()
    except OSError:
        return {}
    fields = dict(line.split(": ") for line in text.splitlines() if ": " in line)
    return {k: int(fields[k]) // 2**20 for k in ("rchar", "wchar") if k in fields}


def _source_envelopes(
    conn: db.Connection, rtype: str, batch: int = 20_000
) -> Iterator[dict[str, Any]]:
    table = sync_outbox.RECORD_TABLES[rtype]
    last = 0
    while True:
        ids = conn.execute(
            f"SELECT id, uid FROM {table} WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
        ).fetchall()
        if not ids:
            return
        last = int(ids[-1][0])
        for row in sync_outbox.read_records(conn, rtype, [bytes(r[1]) for r in ids]):
            ptype, env = to_envelope(row, party_id=SERVER, cipher=None)
            if ptype == ("vaccination" if rtype == "vaccination" else rtype):
                env["origin"] = SERVER
                env["version"] = env["version"].rsplit(".", 1)[0] + "." + SERVER
                yield env


def _initial_fixture(reg: CachedRegister, cache_dir: Path) -> tuple[Path, Path, dict[str, Any]]:
    """(empty target register, initial package for it, info): built once per cached register
    under ``cache_dir``/initial-<persons>-s<seed>/ (info.json written last, so an interrupted
    build is detected and rebuilt). The package is encrypted to the target's own key, so the two
    are kept together; every run imports into a copy of the target."""
    folder = cache_dir / f"initial-{reg.folder.name.removeprefix('register-')}"
    target_dir, pkg, info_path = folder / "target", folder / "initial.vxpkg", folder / "info.json"
    if info_path.is_file():
        return target_dir, pkg, json.loads(info_path.read_text("utf-8"))
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    source = login(reg.register_dir, "number", demo_password("number"))
    server = load_keypair(reg.register_dir / "demo-server" / f"{SERVER}.key.json")
    admin = demo_users()
    create_register(
        target_dir,
        admin=admin[0],
        others=[admin[3]],
        demo=True,
        municipality_code=MUNICIPALITY_CODE,
        municipality_name="デモ市",
    )
    target = login(target_dir, "number", demo_password("number"))
    try:
        tconn = target.register.conn
        keys = _sync_identity.identity_keys(tconn)
        now = utc_now()
        until = now + timedelta(days=365)
        trust = build_trust(
            1,
            [
                make_party(server.public, "server", now - timedelta(days=1), until),
                make_party(keys.public, "terminal", now - timedelta(days=1), until),
            ],
            [server],
            issued_at=now,
        )
        with db.transaction(tconn):
            _sync_identity.install_trust(tconn, trust, "bench")
        sconn = source.register.conn
        counts = {
            t: int(
                sconn.execute(f"SELECT count(*) FROM {sync_outbox.RECORD_TABLES[t]}").fetchone()[0]
            )
            for t in INITIAL_TYPES
        }
        started = time.perf_counter()
        build_package(
            pkg,
            sender=server,
            recipient=keys.public,
            sequence=1,
            kind="initial",
            records=[(t, _source_envelopes(sconn, t)) for t in INITIAL_TYPES],
            tmp_dir=folder,
            expires_at=now + timedelta(days=365),
        )
        build_seconds = time.perf_counter() - started
    finally:
        source.register.close()
        target.register.close()
    info = {
        "counts": counts,
        "build_seconds": round(build_seconds, 1),
        "build_peak_rss_mb": _peak_rss_mb(),
        "package_mb": round(pkg.stat().st_size / 2**20),
        "built_at": now.isoformat(),
    }
    info_path.write_text(json.dumps(info, indent=2) + "\n", "utf-8")
    return target_dir, pkg, info


def stage_initial(reg: CachedRegister, work: Path, cache_dir: Path) -> dict[str, Any]:
    """Import of the cached initial package into a copy of its empty target register, then plain
    SQLite's insert rate of the same persons and vaccinations (read from the source register)."""
    fixture_dir, cached_pkg, info = _initial_fixture(reg, cache_dir)
    target_dir = work / "new-terminal"
    shutil.copytree(fixture_dir, target_dir)
    pkg = work / "initial.vxpkg"
    os.link(cached_pkg, pkg)
    target = login(target_dir, "number", demo_password("number"))
    try:
        rss_before = _peak_rss_mb()
        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        os.sync()  # the copy's write-back does not land in the import's commit
        io_before = _io_mb()
        started, cpu = time.perf_counter(), time.process_time()
        main_cpu = time.thread_time()
        result = import_package(target, pkg)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        main_cpu = time.thread_time() - main_cpu
        io = {k: v - io_before.get(k, 0) for k, v in _io_mb().items()}
        rss_import = _peak_rss_mb()
        load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        target.register.close()
    source = login(reg.register_dir, "number", demo_password("number"))
    try:
        sconn = source.register.conn
        tables = ("persons", "vaccinations")
        cols = {
            t: [c[0] for c in sconn.execute(f"SELECT * FROM {t} LIMIT 0").description]
            for t in tables
        }
        plain = _plain_rate({t: sconn.execute(f"SELECT * FROM {t}") for t in tables}, cols)
    finally:
        source.register.close()
    total = result.applied + result.quarantined + result.unchanged
    return {
        "records": result.applied,
        "counts": info["counts"],
        "quarantined": result.quarantined,
        "build_seconds": info["build_seconds"],
        "build_peak_rss_mb": info.get("build_peak_rss_mb"),
        "import_seconds": round(seconds, 1),
        "import_cpu_seconds": round(cpu, 1),
        "import_main_thread_cpu_seconds": round(main_cpu, 1),
        "import_io_mb": io,
        "records_per_s": round(total / seconds),
        "records_per_cpu_s": round(total / cpu),
        "load_average_before_import": load_before,
        "load_average_after_import": load_after,
        "package_mb": info["package_mb"],
        "peak_rss_mb_before_import": rss_before,
        "peak_rss_mb_after_import": rss_import,
        "plain_sqlite_insert_per_s": plain,
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
