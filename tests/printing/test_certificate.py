from __future__ import annotations

import io
from datetime import date

import pytest

from app.domain.wareki import format_wareki
from app.printing import CertificateDose, CertificateRequest, write_certificates
from tests.printing.samples import (
    A4_PORTRAIT,
    CERT_DOSES,
    CHILD,
    MUNICIPALITY,
    PRINT_DATE,
    page_sizes,
    page_texts,
)


def _write(requests: list[CertificateRequest]) -> tuple[list[str], int, bytes]:
    buf = io.BytesIO()
    pages = write_certificates(requests, buf, municipality=MUNICIPALITY)
    pdf = buf.getvalue()
    return [t.replace(" ", "") for t in page_texts(pdf)], pages, pdf


def test_certificate_shows_person_doses_and_mayor() -> None:
    texts, pages, pdf = _write([CertificateRequest(CHILD, CERT_DOSES, PRINT_DATE)])
    assert pages == 1
    assert page_sizes(pdf) == [pytest.approx(A4_PORTRAIT, abs=0.01)]
    text = texts[0]
    for expected in (
        "予防接種済証",
        "山田太郎",
        "ヤマダタロウ",
        format_wareki(CHILD.birth_date),
        CHILD.address,
        MUNICIPALITY.mayor_title,
        format_wareki(PRINT_DATE),
    ):
        assert expected in text, expected
    for dose in CERT_DOSES[:2]:
        assert dose.date is not None
        for expected in (dose.dose_label, format_wareki(dose.date), dose.maker, dose.lot):
            assert expected in text


def test_unverified_dose_is_stamped_and_its_details_are_not_printed() -> None:
    texts, _, _ = _write([CertificateRequest(CHILD, CERT_DOSES, PRINT_DATE)])
    text = texts[0]
    unverified = CERT_DOSES[2]
    assert not unverified.verified and unverified.date is not None
    assert "記録なし" in text
    assert unverified.dose_label in text
    assert unverified.lot not in text
    assert unverified.maker not in text
    assert format_wareki(unverified.date) not in text
    assert "以下余白" in text


def test_title_can_be_shomeisho_and_many_doses_continue_on_a_second_page() -> None:
    doses = tuple(
        CertificateDose("インフルエンザ", f"{i}回目", date(2010 + i, 11, 1), "M", f"L{i:03d}")
        for i in range(1, 21)
    )
    texts, pages, _ = _write([CertificateRequest(CHILD, doses, PRINT_DATE, title="予防接種証明書")])
    assert pages == 2
    assert all("予防接種証明書" in t for t in texts)
    assert "L001" in texts[0] and "L020" in texts[1]
    assert "1/2" in texts[0] and "2/2" in texts[1]
    assert "以下余白" in texts[1] and "以下余白" not in texts[0]
