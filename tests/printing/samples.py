"""Sample inputs and PDF inspection helpers shared by the printing tests."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from app.printing import (
    AnnualReportRow,
    CertificateDose,
    CertificateRequest,
    MonthlyReportRow,
    Municipality,
    NoticeRequest,
    PersonBlock,
    UnvaccinatedRow,
    Voucher,
    YoshinhyoRequest,
    write_annual_report,
    write_certificates,
    write_monthly_report,
    write_notices,
    write_unvaccinated_list,
    write_vouchers,
    write_yoshinhyo,
)

PRINT_DATE = date(2025, 4, 10)
A4_PORTRAIT = (595.28, 841.89)

MUNICIPALITY = Municipality(
    name="新宿区",
    code="131041",
    mayor_title="新宿区長",
    address="東京都新宿区歌舞伎町一丁目4番1号",
    mayor_name="新宿 一郎",
    office="新宿区健康部 保健予防課",
    phone="03-5273-3859",
)

CHILD = PersonBlock(
    atena_no="0001234567",
    name="山田 太郎",
    name_kana="ヤマダ タロウ",
    sex="M",
    birth_date=date(2024, 8, 15),
    address="東京都新宿区西新宿二丁目8番1号",
    postal_code="1600023",
    phone="03-1234-5678",
    guardian_name="山田 花子",
    guardian_relation="母",
)

ADULT = PersonBlock(
    atena_no="0009876543",
    name="佐藤 一郎",
    name_kana="サトウ イチロウ",
    sex="M",
    birth_date=date(1958, 11, 3),
    address="東京都新宿区高田馬場一丁目2番3号",
    postal_code="1690075",
    phone="03-9876-5432",
)

GIRL = PersonBlock(
    atena_no="0005555555",
    name="鈴木 花",
    name_kana="スズキ ハナ",
    sex="F",
    birth_date=date(2013, 6, 1),
    address="東京都新宿区大久保三丁目4番5号",
    postal_code="1690072",
    guardian_name="鈴木 一郎",
    guardian_relation="父",
)


def person_for(series_id: str) -> PersonBlock:
    if series_id in ("flu65", "pneumo65", "covid65", "zoster", "rsv_maternal"):
        return ADULT
    if series_id == "hpv":
        return GIRL
    return CHILD


def yoshinhyo_request(
    series_id: str = "hib", dose: str = "初回2回目", n: int = 123, person: PersonBlock = CHILD
) -> YoshinhyoRequest:
    return YoshinhyoRequest(series_id, dose, PRINT_DATE, f"Y25-{n:07d}", person)


def voucher(n: int = 1, name: str = "山田 太郎") -> Voucher:
    return Voucher(f"{n:010d}", "131041", name, "1", "2", "高齢者インフルエンザ")


CERT_DOSES = (
    CertificateDose(
        "ヒブ",
        "初回1回目",
        date(2024, 10, 15),
        "KMバイオロジクス",
        "AB123C",
        "新宿こどもクリニック",
    ),
    CertificateDose(
        "ヒブ",
        "初回2回目",
        date(2024, 11, 20),
        "KMバイオロジクス",
        "AB124C",
        "新宿こどもクリニック",
    ),
    CertificateDose(
        "ヒブ",
        "初回3回目",
        date(2024, 12, 25),
        "不明製薬",
        "ZZ999Z",
        "転入前の医療機関",
        verified=False,
    ),
)

MONTHLY_ROWS = (
    MonthlyReportRow("1310000011", "新宿こどもクリニック", date(2025, 5, 1), "ヒブ", 12, 8965),
    MonthlyReportRow("1310000011", "新宿こどもクリニック", date(2025, 5, 1), "B型肝炎", 7, 6435),
    MonthlyReportRow("1310000011", "新宿こどもクリニック", date(2025, 6, 1), "ヒブ", 9, 8965),
    MonthlyReportRow(
        "1310000029", "西新宿内科", date(2025, 6, 1), "高齢者インフルエンザ", 30, 4730
    ),
)

ANNUAL_ROWS = (
    AnnualReportRow("ヒブ", "初回1回目", 1000, 955),
    AnnualReportRow("ヒブ", "追加", 1010, 890),
    AnnualReportRow("麻しん風しん", "第1期", 980, 950),
    AnnualReportRow("帯状疱疹", "1回目", 0, 0),
)


def unvaccinated_rows(n: int) -> list[UnvaccinatedRow]:
    return [UnvaccinatedRow(CHILD, "第2期", date(2026, 3, 31)) for _ in range(n)]


# One builder per document type: writes to a file object and returns the page count.
BUILDERS: dict[str, Callable[[Any], int]] = {
    "yoshinhyo": lambda out: write_yoshinhyo(
        [yoshinhyo_request(), yoshinhyo_request("flu65", "1回", 124, ADULT)],
        out,
        municipality=MUNICIPALITY,
    ),
    "vouchers": lambda out: write_vouchers(
        [voucher(i) for i in range(1, 6)], out, municipality=MUNICIPALITY
    ),
    "certificate": lambda out: write_certificates(
        [CertificateRequest(CHILD, CERT_DOSES, PRINT_DATE, certificate_no="S25-000042")],
        out,
        municipality=MUNICIPALITY,
    ),
    "unvaccinated": lambda out: write_unvaccinated_list(
        unvaccinated_rows(30),
        out,
        municipality=MUNICIPALITY,
        series_name="麻しん風しん（第2期）",
        period_label="令和7年4月10日",
        print_date=PRINT_DATE,
    ),
    "notices": lambda out: write_notices(
        [NoticeRequest(yoshinhyo_request("mr2", "第2期", 5, CHILD), date(2026, 3, 31))],
        out,
        municipality=MUNICIPALITY,
    ),
    "monthly_report": lambda out: write_monthly_report(
        MONTHLY_ROWS,
        out,
        municipality=MUNICIPALITY,
        period_label="令和7年6月審査分",
        print_date=PRINT_DATE,
    ),
    "annual_report": lambda out: write_annual_report(
        ANNUAL_ROWS, out, municipality=MUNICIPALITY, period_label="令和6年度"
    ),
}


def build(kind: str) -> tuple[bytes, int]:
    buf = io.BytesIO()
    pages = BUILDERS[kind](buf)
    return buf.getvalue(), pages


def page_texts(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [p.extract_text() or "" for p in doc.pages]


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def render(pdf: bytes | Path, page: int = 0, dpi: int = 300, grey: bool = False) -> Image.Image:
    doc = pdfium.PdfDocument(pdf)
    try:
        image: Image.Image = doc[page].render(scale=dpi / 72, grayscale=grey).to_pil()
    finally:
        doc.close()
    return image.convert("L") if grey else image


def read_barcodes(pdf: bytes, page: int = 0) -> list[tuple[str, str, Any]]:
    """(format name, text, position) of every barcode found on a page rendered at 300 dpi."""
    results = zxingcpp.read_barcodes(render(pdf, page))
    return [(r.format.name, r.text, r.position) for r in results]


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """BaseFont name → has an embedded TrueType program (FontFile2), over all pages and forms."""
    reader = PdfReader(io.BytesIO(pdf))
    found: dict[str, bool] = {}

    def visit_resources(res: Any) -> None:
        if not res:
            return
        res = res.get_object()
        fonts = res.get("/Font")
        if fonts:
            for ref in fonts.get_object().values():
                font = ref.get_object()
                descriptors = []
                if "/FontDescriptor" in font:
                    descriptors.append(font["/FontDescriptor"].get_object())
                for desc in font.get("/DescendantFonts", []):
                    d = desc.get_object()
                    if "/FontDescriptor" in d:
                        descriptors.append(d["/FontDescriptor"].get_object())
                embedded = any("/FontFile2" in d for d in descriptors)
                found[str(font["/BaseFont"])] = embedded
        xobjects = res.get("/XObject")
        if xobjects:
            for ref in xobjects.get_object().values():
                xo = ref.get_object()
                if xo.get("/Subtype") == "/Form":
                    visit_resources(xo.get("/Resources"))

    for page in reader.pages:
        visit_resources(page.get("/Resources"))
    return found


TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")
