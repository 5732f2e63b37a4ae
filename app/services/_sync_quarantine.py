"""Refused packages: the file is moved to the register's quarantine folder with a report beside it
(code, step, what was wrong, header facts when readable). The register itself is not written: the
refusal's audit entry is the only write (by the caller). The list comes from the reports. Also
the clean-up of the kept copies of sent packages once the server acknowledged them."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.security.atomic import write_atomic
from app.store import db, sync_state
from app.store.layout import RegisterLayout
from app.sync.errors import PackageError
from app.sync.header import read_header

REPORT_SUFFIX = ".report.json"
STALE_WORK_SECONDS = 3600


def work_dir(directory: Path) -> Path:
    """The register's private (0700) folder for the package layer's temporary files, on the
    register's own disk rather than the system temp folder. Leftovers of a killed run (their
    plaintext records) are removed once they are an hour old (a running job keeps its own)."""
    folder = RegisterLayout(directory).sync_work
    folder.mkdir(mode=0o700, exist_ok=True)
    now = datetime.now(UTC).timestamp()
    for child in folder.iterdir():
        with contextlib.suppress(OSError):
            if now - child.stat().st_mtime > STALE_WORK_SECONDS:
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink()
    return folder


@dataclass(frozen=True, slots=True)
class QuarantineReport:
    file_name: str
    report_name: str
    at: str
    code: str
    step: str
    message_ja: str
    sender: str | None
    sequence: int | None
    package_id: str | None
    kind: str | None


def header_facts(path: Path) -> dict[str, Any]:
    """Sender, sequence, package id and kind when the header can be read (else nothing)."""
    try:
        header = read_header(path)
    except (PackageError, OSError, ValueError, KeyError):
        return {}
    return {
        "sender": header.sender_id,
        "sequence": header.sequence,
        "package_id": header.package_id,
        "kind": header.kind,
    }


def _unique(folder: Path, name: str) -> Path:
    target = folder / name
    n = 1
    while target.exists() or target.with_name(target.name + REPORT_SUFFIX).exists():
        target = folder / f"{Path(name).stem}.{n}{Path(name).suffix}"
        n += 1
    return target


def quarantine_file(directory: Path, path: Path, exc: PackageError) -> QuarantineReport:
    """Move ``path`` into the quarantine folder and write its report."""
    folder = RegisterLayout(directory).quarantine
    folder.mkdir(mode=0o700, exist_ok=True)
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    facts = header_facts(path)
    stamp = at.replace(":", "").replace("-", "")
    target = _unique(folder, f"{stamp}-{path.name}")
    report = QuarantineReport(
        file_name=target.name,
        report_name=target.name + REPORT_SUFFIX,
        at=at,
        code=exc.code,
        step=getattr(exc, "step", "") or "",
        message_ja=exc.message_ja,
        sender=facts.get("sender"),
        sequence=facts.get("sequence"),
        package_id=facts.get("package_id"),
        kind=facts.get("kind"),
    )
    body = {**{k: getattr(report, k) for k in report.__dataclass_fields__}, "original": path.name}
    write_atomic(
        folder / report.report_name,
        (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode(),
        mode=0o600,
    )
    try:
        os.replace(path, target)
    except OSError:  # another file system (removable medium): copy, then remove
        shutil.copy2(path, target)
        with contextlib.suppress(OSError):
            path.unlink()
    return report


def quarantine_reports(directory: Path) -> list[QuarantineReport]:
    folder = RegisterLayout(directory).quarantine
    if not folder.is_dir():
        return []
    reports = []
    for file in sorted(folder.glob("*" + REPORT_SUFFIX), reverse=True):
        try:
            body = json.loads(file.read_text("utf-8"))
            reports.append(
                QuarantineReport(**{k: body.get(k) for k in QuarantineReport.__dataclass_fields__})
            )
        except (OSError, ValueError, TypeError):
            continue
    return reports


def forget_acknowledged(directory: Path, conn: db.Connection, peer_id: str, ack: int) -> None:
    """Remove kept copies of packages the peer has acknowledged."""
    sent_dir = RegisterLayout(directory).sync_sent
    for sent in sync_state.sent_packages(conn, peer_id):
        if sent.sequence <= ack:
            (sent_dir / sent.file_name).unlink(missing_ok=True)
