"""An opened package whose member checks run on another thread while the caller applies it (used
for ``initial`` packages: a full load is the one case where checking every line first and then
reading every line again to apply it doubles the time).

The outer checks (header, signature, recipient, sequence, payload hash, decryption) and the safe
reading of the inner archive's directory and its manifest are done before anything is returned,
as for any package. The member checks (sizes, SHA-256 and line counts against the manifest,
every line against its schema: ``scan_inner``) then run on a worker thread. The caller applies
inside a transaction and calls ``OpenedPackage.verify_records`` before it commits; a failed check
raises the same ``PackageError`` as ``scan_inner`` would have before the apply, the transaction
rolls back and nothing has changed. Should the apply fail first, the caller asks for the checks'
verdict before its own error, so the reported code follows PACKAGE-FORMAT.md §4's order.
"""

from __future__ import annotations

import threading
from pathlib import Path

from app.sync.channel import Outcome
from app.sync.errors import PackageError
from app.sync.header import PackageHeader
from app.sync.inner import open_safe
from app.sync.opened import FileEntry, OpenedPackage, _parse_manifest, scan_inner


class DeferredScan:
    """``scan_inner`` of the inner archive at ``path`` on a worker thread (its own file handles)."""

    def __init__(self, path: Path, header: PackageHeader) -> None:
        self._files: dict[str, FileEntry] = {}
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(path, header), name="vaxdesk-scan", daemon=True
        )
        self._thread.start()

    def _run(self, path: Path, header: PackageHeader) -> None:
        try:
            zf, _manifest, _raw, files = scan_inner(path, header, self._stop)
            zf.close()
            self._files = files
        except BaseException as exc:  # handed to the caller by ``result``
            self._error = exc

    def result(self) -> dict[str, FileEntry]:
        """The verified manifest entries, once every member is checked; or the checks' error."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._files

    def cancel(self) -> None:
        self._stop.set()
        self._thread.join()


def open_deferred(
    path: Path, header: PackageHeader, outcome: Outcome, workdir: Path
) -> OpenedPackage | None:
    """The package with its member checks started on a worker thread, or None when the archive's
    first member is not a manifest that parses (then the caller scans it in full, which reports
    what is wrong in the usual order)."""
    zf, infos = open_safe(path)
    try:
        first = min(infos, key=lambda i: i.header_offset) if infos else None
        if first is None or first.filename != "manifest.json":
            zf.close()
            return None
        manifest, manifest_raw = _parse_manifest(zf, first)
    except PackageError:
        zf.close()
        return None
    except BaseException:
        zf.close()
        raise
    names = {info.filename for info in infos}
    files = {e["name"]: FileEntry(e) for e in manifest["files"] if e["name"] in names}
    return OpenedPackage(
        header,
        outcome,
        workdir,
        zf,
        files,
        manifest,
        manifest_raw,
        pending=DeferredScan(path, header),
    )
