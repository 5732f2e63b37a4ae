"""Apply the records of a verified server package (PACKAGE-FORMAT.md §4, last step), inside the
caller's transaction.

The records one by one: ``app.services._sync_applier``; the plain updates set-based:
``app.services._sync_fast``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing

from app.errors import VaxDeskError
from app.security.person_numbers import NumberCipher
from app.services._bulk import bulk_apply
from app.services._retention_sync import IncomingPurges
from app.services._sync_applier import Applier, ApplyStats, NumberKeyNeeded
from app.services._sync_fast import FastPath
from app.store import db
from app.sync.errors import PackageError
from app.sync.opened import OpenedPackage
from app.sync.schemas import RECORD_TYPES

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
TICK = 5000
CHUNK = 2000  # records read ahead: their stored rows and references in one query each


class ImportCancelled(VaxDeskError):
    code = "E_CANCELLED"
    message_ja = "中止しました。台帳は変更していません。"
    exit_code = 75


def needs_number_key(opened: OpenedPackage) -> bool:
    entry = opened.files.get("records/person_number.jsonl")
    return entry is not None and int(entry["records"]) > 0


def record_count(opened: OpenedPackage) -> int:
    return sum(int(e["records"]) for n, e in opened.files.items() if n.startswith("records/"))


def apply_package(
    conn: db.Connection,
    opened: OpenedPackage,
    *,
    party_id: str,
    cipher: NumberCipher | None,
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
) -> ApplyStats:
    """Every record of ``opened`` in dependency order (inside the caller's transaction).

    When ``opened`` is still checking its members (``app.sync.deferred``) the records are applied
    meanwhile and the checks are waited for before this returns; any failure here first asks the
    checks for their verdict, so a package that fails them is refused with their code, as if they
    had run first, and the caller's transaction keeps nothing (a cancel stops at once)."""
    return with_verdict(
        opened, lambda: _apply_package(conn, opened, party_id, cipher, progress, cancel)
    )


def with_verdict(opened: OpenedPackage, apply: Callable[[], ApplyStats]) -> ApplyStats:
    """``apply()`` while ``opened`` may still be checking its members: the checks' verdict is
    waited for before returning and asked for before any failure of the apply is raised (a
    cancel or a package error stops at once), so a package failing its checks is refused with
    their code, as if they had run first."""
    try:
        stats = apply()
    except (ImportCancelled, PackageError):
        raise
    except BaseException:
        opened.verify_records()
        raise
    opened.verify_records()
    return stats


def _apply_package(
    conn: db.Connection,
    opened: OpenedPackage,
    party_id: str,
    cipher: NumberCipher | None,
    progress: Progress | None,
    cancel: CancelCheck | None,
) -> ApplyStats:
    if cipher is None and needs_number_key(opened):
        raise NumberKeyNeeded()
    applier = Applier(conn, opened.header.package_id, party_id, cipher)
    total = record_count(opened)
    done = 0
    present = set(opened.record_types)
    purges = IncomingPurges(conn)  # retention: tombstoned uids dropped, purges applied last
    fast = FastPath(conn, applier)  # plain updates written set-based, the rest one by one
    with bulk_apply(conn):
        for package_type in RECORD_TYPES:
            if package_type not in present or package_type == "purge":
                continue
            # closed at once on an error too: its worker thread stops before the package does
            with closing(fast.chunks(opened, package_type, CHUNK)) as chunks:
                for chunk in chunks:
                    if not chunk:  # a window of plain records written
                        if cancel is not None and cancel():
                            raise ImportCancelled()
                        if progress is not None:
                            progress(done + fast.taken, total)
                        continue
                    chunk = purges.keep(chunk)
                    applier.prefetch(package_type, chunk)
                    for envelope in chunk:
                        applier.apply(envelope)
                        done += 1
                        if done % TICK == 0:
                            if cancel is not None and cancel():
                                raise ImportCancelled()
                            if progress is not None:
                                progress(done + fast.taken, total)
        applier.finish()
        fast.close()
        if "purge" in present:
            applier.stats.by_type["purge"] = purges.apply(opened.records("purge"))
    applier.stats.unchanged += purges.dropped
    applier.stats.purged = purges.deleted
    if progress is not None:
        progress(total, total)
    return applier.stats
