from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfbase import pdfmetrics

from app.errors import InvalidInput
from app.printing import (
    NoticeRequest,
    PersonBlock,
    PrintCancelled,
    write_notices,
    write_unvaccinated_list,
    write_vouchers,
    write_yoshinhyo,
)
from app.printing.fonts import GOTHIC, MINCHO, OCRB, register_fonts
from app.printing.model import CertificateDose, Voucher
from tests.printing.samples import (
    BUILDERS,
    CHILD,
    MUNICIPALITY,
    TWELVE_DIGITS,
    build,
    embedded_fonts,
    page_sizes,
    page_texts,
    unvaccinated_rows,
    voucher,
    yoshinhyo_request,
)


def test_register_fonts_is_idempotent() -> None:
    register_fonts()
    first = {name: pdfmetrics.getFont(name) for name in (GOTHIC, MINCHO, OCRB)}
    register_fonts()
    assert {name: pdfmetrics.getFont(name) for name in first} == first


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_every_document_is_a4_and_embeds_subset_fonts_only(kind: str) -> None:
    pdf, pages = build(kind)
    sizes = page_sizes(pdf)
    assert len(sizes) == pages >= 1
    for w, h in sizes:
        assert sorted((round(w, 2), round(h, 2))) == [595.28, 841.89]
    fonts = embedded_fonts(pdf)
    assert fonts, "no fonts found"
    for name, embedded in fonts.items():
        assert embedded, f"{name} is not embedded"
        assert name[1:7].isupper() and name[7] == "+", f"{name} is not a subset"
    assert any(GOTHIC in name for name in fonts)


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_no_twelve_digit_number_in_any_document(kind: str) -> None:
    pdf, _ = build(kind)
    for text in page_texts(pdf):
        assert text.strip()
        assert not TWELVE_DIGITS.search(text)


@pytest.mark.parametrize(
    "field", ["atena_no", "name", "address", "phone", "guardian_name", "name_kana"]
)
def test_a_personal_number_shaped_value_is_refused(field: str) -> None:
    # str fields named at run time (mypy would check the str against every field, the date too)
    number: dict[str, Any] = {field: "123456789018"}
    full_width: dict[str, Any] = {field: "番号１２３４５６７８９０１８"}  # full-width digits too
    with pytest.raises(InvalidInput) as exc:
        replace(CHILD, **number)
    assert exc.value.code == "E_PRINT_MYNUMBER"
    with pytest.raises(InvalidInput):
        replace(CHILD, **full_width)


def test_other_inputs_refuse_personal_numbers_too() -> None:
    with pytest.raises(InvalidInput):
        Voucher("0000000001", "131041", "山田 123456789018", "1", "1", "ヒブ")
    with pytest.raises(InvalidInput):
        CertificateDose("ヒブ", "1回目", date(2025, 1, 1), lot="123456789018")


def test_person_block_has_no_personal_number_field() -> None:
    fields = set(PersonBlock.__dataclass_fields__)
    assert not {f for f in fields if "mynumber" in f or "kojin" in f or "personal" in f}


def test_progress_is_reported_for_every_item() -> None:
    calls: list[tuple[int, int]] = []
    requests = [yoshinhyo_request(n=i) for i in range(7)]
    pages = write_yoshinhyo(
        requests,
        io.BytesIO(),
        municipality=MUNICIPALITY,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert pages == 7
    assert calls == [(i, 7) for i in range(1, 8)]


def _cancel_after(n: int, seen: list[tuple[int, int]]):
    def progress(done: int, total: int) -> None:
        seen.append((done, total))

    def cancelled() -> bool:
        return len(seen) >= n

    return progress, cancelled


@pytest.mark.parametrize("kind", ["yoshinhyo", "vouchers", "notices", "list"])
def test_cancel_stops_a_batch_and_writes_no_file(kind: str, tmp_path: Path) -> None:
    out = tmp_path / f"{kind}.pdf"
    seen: list[tuple[int, int]] = []
    progress, cancelled = _cancel_after(3, seen)
    common = {"municipality": MUNICIPALITY, "progress": progress, "cancelled": cancelled}
    with pytest.raises(PrintCancelled) as exc:
        if kind == "yoshinhyo":
            write_yoshinhyo([yoshinhyo_request(n=i) for i in range(50)], out, **common)
        elif kind == "vouchers":
            write_vouchers([voucher(i) for i in range(1, 50)], out, **common)
        elif kind == "notices":
            reqs = [NoticeRequest(yoshinhyo_request(n=i)) for i in range(50)]
            write_notices(reqs, out, **common)
        else:
            write_unvaccinated_list(
                unvaccinated_rows(50),
                out,
                series_name="ヒブ",
                period_label="R7",
                print_date=date(2025, 4, 10),
                **common,
            )
    assert exc.value.code == "E_PRINT_CANCELLED"
    assert seen == [(1, 50), (2, 50), (3, 50)] or seen == [(1, 49), (2, 49), (3, 49)]
    assert not out.exists()


def test_writing_to_a_path_creates_the_file(tmp_path: Path) -> None:
    out = tmp_path / "y.pdf"
    assert write_yoshinhyo([yoshinhyo_request()], out, municipality=MUNICIPALITY) == 1
    assert out.read_bytes().startswith(b"%PDF-")
