"""The one print pipeline every document service uses, its staged output file and its result.

Transaction scope: a document's issuances (発行履歴), its ``print.*`` audit entry and its file
are one unit. ``print_document`` draws the numbers inside a write transaction, renders the PDF
(in memory) with the document's own render step, writes it to a temporary file beside the
target, appends the audit entry, commits, and only then renames the file into place. A failure
or a cancel before the commit rolls the numbers back and removes the temporary file, so no
number exists for a document that was not written and no document exists with a number the
register does not know. (A crash between the commit and the rename leaves committed numbers and
a stray ``.tmp`` file: the document can be reissued.) Documents that issue no numbers (lists,
reports) go through the same steps with the audit entry in its own transaction.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from app.errors import InvalidInput
from app.printing import PrintCancelled
from app.security.session import Session
from app.services import _audit
from app.services._issuing import Issued
from app.services._transaction import WriteContext, write


class NothingDue(InvalidInput):
    code = "E_NOTHING_DUE"


class NoticesCancelled(PrintCancelled):
    """A notice batch was cancelled: the file being built was not written and its numbers were
    not issued; files finished before the cancel are kept (``written``) with their numbers."""

    message_ja = "印刷を中止しました。作成中のファイルは作成していません。"

    def __init__(self, written: tuple[Path, ...]) -> None:
        if written:
            super().__init__(
                f"印刷を中止しました。作成中のファイルは作成していません"
                f"（完成済みの {len(written)} ファイルは残っています）。"
            )
        else:
            super().__init__()
        self.written = written


@dataclass(frozen=True, slots=True)
class PrintResult:
    """What a print service produced. ``issue_numbers`` are the numbers printed on the
    documents (also in 発行履歴); ``notes`` are Japanese remarks for the operator."""

    doc: str
    paths: tuple[Path, ...]
    pages: int
    issue_numbers: tuple[str, ...] = ()
    issuance_ids: tuple[int, ...] = ()
    rows: int = 0
    notes: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        return self.paths[0]


class StagedFile:
    """A PDF written to a temporary file beside ``target`` and moved into place by ``publish``.

    ``stage`` is called inside the write transaction; ``publish`` after the commit; ``discard``
    when the transaction failed."""

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        self.tmp: Path | None = None

    def stage(self, data: bytes) -> None:
        parent = self.target.parent
        if not parent.is_dir():
            raise InvalidInput(code="E_PRINT_OUT_DIR")
        fd, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=parent)
        self.tmp = Path(name)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    def publish(self) -> Path:
        assert self.tmp is not None
        os.replace(self.tmp, self.target)
        self.tmp = None
        return self.target

    def discard(self) -> None:
        if self.tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                self.tmp.unlink()
            self.tmp = None


@contextlib.contextmanager
def staged(target: Path) -> Iterator[StagedFile]:
    """Discard the temporary file unless it was published."""
    f = StagedFile(target)
    try:
        yield f
    finally:
        f.discard()


def pdf_target(out: Path | str) -> Path:
    path = Path(out)
    if path.suffix.lower() != ".pdf":
        raise InvalidInput(code="E_PRINT_OUT_NAME")
    return path


IssueStep = Callable[[WriteContext], Sequence[Issued]]
RenderStep = Callable[[Sequence[Issued], BinaryIO], int]
AuditStep = Callable[[Sequence[Issued], int], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class Printed:
    """One published file: its path, page count and the issuances printed on it (if any)."""

    path: Path
    pages: int
    issued: tuple[Issued, ...]


def print_document(
    session: Session,
    target: Path,
    action: str,
    *,
    render: RenderStep,
    audit: AuditStep,
    issue: IssueStep | None = None,
    person_id: int | None = None,
) -> Printed:
    """staged → write → issue → render → stage → audit → publish, for one file.

    ``issue`` draws the document's numbers inside the write transaction (None: a document with
    no numbers, audited in its own transaction); ``render`` writes the PDF for those issuances
    into the buffer and returns the page count; ``audit`` returns the audit detail (ids and
    counts only). The audit entry of an issuing print points at the first issuance."""
    with staged(target) as f:
        if issue is None:
            pages = _render_into(f, (), render)
            _audit.record_now(session, action, detail=audit((), pages))
            issued: tuple[Issued, ...] = ()
        else:
            with write(session) as w:
                issued = tuple(issue(w))
                pages = _render_into(f, issued, render)
                _audit.record(
                    session,
                    action,
                    person_id=person_id,
                    record_type="issuance",
                    record_id=issued[0].issuance_id,
                    detail=audit(issued, pages),
                )
        path = f.publish()
    return Printed(path, pages, issued)


def _render_into(f: StagedFile, issued: Sequence[Issued], render: RenderStep) -> int:
    buf = io.BytesIO()
    pages = render(issued, buf)
    f.stage(buf.getvalue())
    return pages
