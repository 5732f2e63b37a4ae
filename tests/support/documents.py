"""Helpers for the document tests (tests/integration/test_documents_person.py,
test_documents_mailings_reports.py, test_scan_printed_codes.py, and the ``reg`` fixture in
tests/integration/conftest.py): the fixed print date ``ON``; the text, page count and Code 128
barcodes of a printed PDF; a person's id by 宛名番号; the issuances of a document type and the
audit entries of an action. The names are those the tests have always used."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pdfplumber
import zxingcpp
from pypdf import PdfReader

from app.services import persons
from tests.printing.samples import render

ON = date(2026, 6, 1)


def _pdf_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as doc:
        return [p.extract_text() or "" for p in doc.pages]


def _flat(path: Path) -> str:
    return "".join(_pdf_texts(path)).replace(" ", "").replace("\n", "")


def _pages(path: Path) -> int:
    return len(PdfReader(path).pages)


def _code128(path: Path, page: int) -> list[str]:
    return [
        r.text
        for r in zxingcpp.read_barcodes(render(path.read_bytes(), page))
        if r.format.name == "Code128"
    ]


def _pid(session, atena: str) -> int:
    return persons.search(session, atena).people[0].person_id


def _issuances(session, doc_type: str) -> list[tuple[str, int, str | None, str | None, object]]:
    rows: list[tuple[str, int, str | None, str | None, object]] = session.register.conn.execute(
        "SELECT issue_no, person_id, series_id, dose_label, voided_at FROM issuances"
        " WHERE doc_type = ? ORDER BY id",
        (doc_type,),
    ).fetchall()
    return rows


def _audit(session, action: str) -> list[tuple[str, int | None, dict[str, Any]]]:
    rows = session.register.conn.execute(
        "SELECT outcome, person_id, detail FROM audit_log WHERE action = ? ORDER BY seq",
        (action,),
    ).fetchall()
    return [(o, p, json.loads(d)) for o, p, d in rows]
