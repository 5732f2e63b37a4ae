"""A throwaway PostgreSQL cluster for the hub tests (Debian's ``postgresql`` package).

``initdb``/``pg_ctl`` run as an unprivileged user in a private temporary folder: as ``nobody``
through ``runuser`` when the suite runs as root (CI does), as the current user otherwise. The
server listens on 127.0.0.1 only, on a free port, with its socket in the temporary folder and
password (SCRAM) authentication; everything is removed afterwards.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

UNPRIVILEGED_USER = "nobody"
SUPERUSER = "hubtest"


def find_bin_dir() -> Path | None:
    """Newest ``/usr/lib/postgresql/*/bin`` holding initdb and pg_ctl, else one on PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    for cand in candidates:
        if (Path(cand) / "initdb").is_file() and (Path(cand) / "pg_ctl").is_file():
            return Path(cand)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    return None


def _temp_parent() -> str | None:
    """Where the cluster folder goes: the default temporary folder, or /tmp when running as root
    and the default one is not reachable by the unprivileged user (a root-only TMPDIR)."""
    if os.geteuid() != 0:
        return None
    parent = Path(tempfile.gettempdir()).resolve()
    for p in (parent, *parent.parents):
        if not p.stat().st_mode & 0o001:
            return "/tmp"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgCluster:
    bin_dir: Path
    root: Path = field(
        default_factory=lambda: Path(tempfile.mkdtemp(prefix="vaxdesk-pg-", dir=_temp_parent()))
    )
    password: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    port: int = 0
    _counter: int = 0

    @property
    def _as_user(self) -> list[str]:
        if os.geteuid() != 0:
            return []
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        return [runuser, "-u", UNPRIVILEGED_USER, "--"]

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [*self._as_user, *args], cwd=self.root, capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{Path(args[0]).name} failed: {result.stderr[-2000:]}\n{tail}")

    def start(self) -> None:
        self.root.chmod(0o700)
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        if os.geteuid() == 0:
            import pwd

            entry = pwd.getpwnam(UNPRIVILEGED_USER)
            for path in (self.root, pwfile):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        data = self.root / "data"
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--locale=C",
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
        )
        pwfile.unlink()
        self.port = _free_port()
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        try:
            data = self.root / "data"
            if (data / "postmaster.pid").exists():
                self._run(
                    str(self.bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"
                )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        self._counter += 1
        name = f"hub_{os.getpid()}_{self._counter}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
