"""Every barcode and QR code the app prints resolves through its own scan lookup (issue 12
item 14): documents are printed, rendered at 300 dpi, decoded with zxing-cpp, and the decoded
text is fed to ``issuance.find_by_scan`` as a counter scanner would type it."""

from __future__ import annotations

from pathlib import Path

import pytest
import zxingcpp
from pypdf import PdfReader

from app.errors import InvalidInput
from app.services import issuance, printing
from app.store import issuances
from tests.printing.samples import render
from tests.support.documents import ON, _pid


def _decoded(path: Path) -> list[tuple[str, str]]:
    out = []
    for page in range(len(PdfReader(path).pages)):
        for r in zxingcpp.read_barcodes(render(path.read_bytes(), page)):
            out.append((r.format.name, r.text))
    return out


def test_every_printed_code_is_found_by_the_scan_lookup(clerk, tmp_path) -> None:
    taro, sato = _pid(clerk, "0000000001"), _pid(clerk, "0000000004")
    printed = [
        printing.print_vouchers(clerk, [taro, sato], "mr1", tmp_path / "v.pdf", on=ON),
        printing.print_yoshinhyo(clerk, sato, None, tmp_path / "y.pdf", on=ON),
        printing.print_certificate(clerk, taro, tmp_path / "c.pdf", on=ON),
        printing.print_notices(clerk, "dpt_ipv", tmp_path / "n.pdf", on=ON),
    ]
    owners = {}
    for res in printed:
        for number in res.issue_numbers:
            row = issuances.by_number(clerk.register.conn, number)
            assert row is not None
            owners[number] = (row.person_id, row.doc_type)
    formats: set[str] = set()
    seen: set[str] = set()
    for res in printed:
        codes = _decoded(res.path)
        if res.doc == "voucher":  # NW-7 and QR on each of the two vouchers
            assert sorted(f for f, _ in codes) == ["Codabar", "Codabar", "QRCode", "QRCode"]
        for fmt, text in codes:
            formats.add(fmt)
            hit = issuance.find_by_scan(clerk, text)
            assert hit.issuance is not None, (fmt, res.doc)
            person, doc = owners[hit.issuance.issue_no]
            assert (hit.person_id, hit.issuance.doc_type) == (person, doc)
            seen.add(hit.issuance.issue_no)
            if fmt == "QRCode":
                assert len(text) == 18 and text.endswith(hit.issuance.issue_no)
    assert {"Codabar", "QRCode", "Code128"} <= formats
    # every numbered 予診票, voucher and notice was found through its printed code
    assert {n for n, (_, doc) in owners.items() if doc != "certificate"} <= seen


def test_a_voucher_line_of_another_municipality_is_refused(clerk, tmp_path) -> None:
    res = printing.print_vouchers(
        clerk, [_pid(clerk, "0000000001")], "mr1", tmp_path / "v.pdf", on=ON
    )
    number = res.issue_numbers[0]
    assert issuance.find_by_scan(clerk, f"11192015{number}").issuance is not None
    with pytest.raises(InvalidInput) as err:
        issuance.find_by_scan(clerk, f"11131041{number}")  # 新宿区 131041
    assert err.value.code == "E_SCAN_MUNICIPALITY"
