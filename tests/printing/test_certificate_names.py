"""済証 (issue 12 item 18): long vaccine and institution names wrap to two lines at ≥ 7.5 pt
instead of shrinking to 5–6 pt."""

from __future__ import annotations

import io
from datetime import date

import pdfplumber

from app.printing import write_certificates
from app.printing.certificate import MIN_CELL_SIZE
from app.printing.model import CertificateDose, CertificateRequest
from tests.printing.samples import CHILD, MUNICIPALITY

LONG_SERIES = "ジフテリア・百日せき・破傷風・ポリオ"
LONG_PLACE = "新宿区立新宿こども総合医療センター附属クリニック"


def test_long_names_wrap_at_a_readable_size() -> None:
    doses = (
        CertificateDose(
            LONG_SERIES, "初回1回目", date(2024, 10, 15), "テスト製薬", "A1", LONG_PLACE
        ),
        CertificateDose(
            "5種混合（DPT-IPV-Hib）",
            "初回2回目",
            date(2024, 11, 20),
            "テスト製薬",
            "A2",
            "新宿こどもクリニック",
        ),
    )
    buf = io.BytesIO()
    write_certificates(
        [CertificateRequest(CHILD, doses, date(2025, 4, 10))], buf, municipality=MUNICIPALITY
    )
    with pdfplumber.open(io.BytesIO(buf.getvalue())) as doc:
        page = doc.pages[0]
        text = (page.extract_text() or "").replace(" ", "").replace("\n", "")
        sizes = [
            ch["size"] for ch in page.chars if ch["text"] in "ジフテリア百日せき破傷風ポリオ附属"
        ]
    assert sizes and min(sizes) >= MIN_CELL_SIZE - 0.01
    for part in ("ジフテリア・百日せき・", "破傷風・ポリオ", "5種混合", "（DPT-IPV-Hib）"):
        assert part in text
