"""The one print pipeline (app/services/printing/_pipeline.py): numbers, audit entry and file are
one unit, whatever the document's own render step does."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import BinaryIO

import pytest

from app.security.session import Session
from app.services._issuing import Issued, issue_in
from app.services._transaction import WriteContext
from app.services.printing._pipeline import print_document
from app.store import audit, issuances
from tests.support.registers import login_as, make_register

ON = date(2026, 6, 1)
PDF = b"%PDF-1.4 test\n"


@pytest.fixture
def clerk(tmp_path: Path) -> Iterator[Session]:
    make_register(tmp_path / "reg")
    session = login_as(tmp_path / "reg", "clerk")
    yield session
    session.register.close()


def _issue(session: Session, person_ids: Sequence[int]) -> Callable[[WriteContext], list[Issued]]:
    def issue(w: WriteContext) -> list[Issued]:
        return [issue_in(session, w, pid, "certificate", on=ON) for pid in person_ids]

    return issue


def _entries(session: Session, action: str) -> list[audit.AuditEntry]:
    return list(audit.query(session.register.conn, action=action))


def test_a_published_print_has_its_numbers_its_audit_entry_and_its_file(
    clerk: Session, tmp_path: Path
) -> None:
    seen: list[str] = []

    def render(issued: Sequence[Issued], buf: BinaryIO) -> int:
        seen.extend(i.issue_no for i in issued)
        buf.write(PDF)
        return len(issued)

    target = tmp_path / "out.pdf"
    done = print_document(
        clerk,
        target,
        "print.certificate",
        issue=_issue(clerk, [1, 2]),
        render=render,
        audit=lambda issued, pages: {"pages": pages, "count": len(issued)},
        person_id=None,
    )
    assert done.path == target and target.read_bytes() == PDF
    assert done.pages == 2 and [i.issue_no for i in done.issued] == seen
    assert [r.issue_no for r in issuances.for_person(clerk.register.conn, 1)] == seen[:1]
    entry = _entries(clerk, "print.certificate")[0]
    assert (entry.record_type, entry.record_id) == ("issuance", done.issued[0].issuance_id)
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_a_failing_render_leaves_no_file_no_number_and_no_print_entry(
    clerk: Session, tmp_path: Path
) -> None:
    def render(_issued: Sequence[Issued], _buf: BinaryIO) -> int:
        raise RuntimeError("render failed")

    before = len(_entries(clerk, "print.certificate"))
    with pytest.raises(RuntimeError):
        print_document(
            clerk,
            tmp_path / "out.pdf",
            "print.certificate",
            issue=_issue(clerk, [1]),
            render=render,
            audit=lambda issued, pages: {"pages": pages},
        )
    assert list(tmp_path.glob("*.pdf")) == [] and list(tmp_path.glob(".*.tmp")) == []
    assert issuances.for_person(clerk.register.conn, 1) == []
    assert len(_entries(clerk, "print.certificate")) == before


def test_a_document_without_numbers_is_audited_in_its_own_transaction(
    clerk: Session, tmp_path: Path
) -> None:
    def render(issued: Sequence[Issued], buf: BinaryIO) -> int:
        assert list(issued) == []
        buf.write(PDF)
        return 1

    done = print_document(
        clerk,
        tmp_path / "list.pdf",
        "print.unvaccinated",
        render=render,
        audit=lambda issued, pages: {"rows": 0, "pages": pages},
    )
    assert done.issued == () and done.pages == 1 and done.path.read_bytes() == PDF
    entry = _entries(clerk, "print.unvaccinated")[0]
    assert entry.record_type is None and entry.outcome == "ok"
