"""An exclusive lock between processes on one register folder (``fcntl`` / ``msvcrt``).

The files that are read, changed and written back by several processes (``keyslots.json``,
``login-attempts.json``, the audit head) are replaced atomically, so the lock is taken on a
separate ``<name>.lock`` file that is never replaced. The lock is also held against other threads
of the same process (a per-path ``threading.Lock``), since POSIX record locks are per process.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.errors import RegisterError

_WAIT_SECONDS = 30.0
_thread_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


class FileBusy(RegisterError):
    code = "E_FILE_BUSY"
    message_ja = (
        "台帳フォルダのファイルを別の処理が使用中です。しばらく待ってから、もう一度お試しください。"
    )


def _thread_lock(path: Path) -> threading.Lock:
    key = os.path.abspath(path)
    with _guard:
        return _thread_locks.setdefault(key, threading.Lock())


def _lock_fd(fd: int, deadline: float) -> None:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise FileBusy() from None
                time.sleep(0.02)
    import fcntl

    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise FileBusy() from None
            time.sleep(0.01)


def _unlock_fd(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def lock_path(path: Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".lock")


@contextmanager
def exclusive(path: Path, *, wait_seconds: float = _WAIT_SECONDS) -> Iterator[None]:
    """Hold the exclusive lock that guards ``path`` (raises FileBusy after ``wait_seconds``)."""
    deadline = time.monotonic() + wait_seconds
    tlock = _thread_lock(path)
    if not tlock.acquire(timeout=wait_seconds):
        raise FileBusy()
    try:
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(lock_path(path), flags, 0o600)
        try:
            _lock_fd(fd, deadline)
            try:
                yield
            finally:
                _unlock_fd(fd)
        finally:
            os.close(fd)
    finally:
        tlock.release()
