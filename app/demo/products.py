"""Vaccine products (brand, maker, dose, route), their lots, and routine unit prices for the demo.

Product ids are the catalog's (resources/catalog/catalog.json). One brand and maker per product,
as the ``vaccines`` table holds one row per product. Lots: one per product and quarter, numbered
``<prefix><quarter><letter>``, expiring two years after the quarter starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Product:
    product_id: str
    brand: str
    maker: str
    dose_ml: float | None  # None: not measured in ml (BCG 管針法)
    route: str  # subcutaneous / intramuscular / oral / percutaneous
    lot_prefix: str
    first_year: int  # first year lots are generated for


PRODUCTS: tuple[Product, ...] = (
    Product("hepb", "ビームゲン", "KMバイオロジクス", 0.25, "subcutaneous", "Y", 2016),
    Product("rota1", "ロタリックス", "グラクソ・スミスクライン", 1.5, "oral", "AROL", 2020),
    Product("rota5", "ロタテック", "MSD", 2.0, "oral", "R", 2020),
    Product("dpt_ipv_hib", "ゴービック", "BIKEN", 0.5, "subcutaneous", "GB", 2024),
    Product("dpt_ipv", "テトラビック", "BIKEN", 0.5, "subcutaneous", "4K", 2012),
    Product("hib", "アクトヒブ", "サノフィ", 0.5, "subcutaneous", "T", 2013),
    Product("pcv20", "プレベナー20", "ファイザー", 0.5, "subcutaneous", "LF", 2024),
    Product("pcv15", "バクニュバンス", "MSD", 0.5, "subcutaneous", "X", 2024),
    Product("pcv13", "プレベナー13", "ファイザー", 0.5, "subcutaneous", "EW", 2013),
    Product("bcg", "乾燥BCGワクチン", "日本ビーシージー製造", None, "percutaneous", "KH", 1995),
    Product("mr", "ミールビック", "BIKEN", 0.5, "subcutaneous", "MR", 2005),
    Product(
        "varicella", "乾燥弱毒生水痘ワクチン「ビケン」", "BIKEN", 0.5, "subcutaneous", "VZ", 2014
    ),
    Product("je", "ジェービックV", "BIKEN", 0.5, "subcutaneous", "JR", 2005),
    Product("dt", "DTビック", "BIKEN", 0.1, "subcutaneous", "DT", 2005),
    Product("hpv9", "シルガード9", "MSD", 0.5, "intramuscular", "W", 2023),
    Product(
        "hpv2", "サーバリックス", "グラクソ・スミスクライン", 0.5, "intramuscular", "AHPV", 2013
    ),
    Product("hpv4", "ガーダシル", "MSD", 0.5, "intramuscular", "S", 2013),
    Product("flu", "インフルエンザHAワクチン", "KMバイオロジクス", 0.5, "subcutaneous", "FL", 2010),
    Product("ppsv23", "ニューモバックスNP", "MSD", 0.5, "subcutaneous", "PN", 2014),
    Product("covid", "コミナティ筋注", "ファイザー", 0.3, "intramuscular", "CV", 2021),
    Product(
        "zoster_live", "乾燥弱毒生水痘ワクチン「ビケン」", "BIKEN", 0.5, "subcutaneous", "ZL", 2025
    ),
    Product(
        "zoster_recombinant",
        "シングリックス筋注用",
        "グラクソ・スミスクライン",
        0.5,
        "intramuscular",
        "ZR",
        2025,
    ),
    Product("rsv", "アブリスボ筋注用", "ファイザー", 0.5, "intramuscular", "RS", 2026),
)

PRODUCT_INDEX = {p.product_id: i for i, p in enumerate(PRODUCTS)}

# 定期接種 unit prices (yen) per series, effective from FY2024 (illustrative municipal figures).
UNIT_PRICES: tuple[tuple[str, str | None, int], ...] = (
    ("hepb", "hepb", 6_300),
    ("rota", "rota1", 14_200),
    ("rota", "rota5", 9_800),
    ("dpt_ipv", "dpt_ipv_hib", 19_800),
    ("dpt_ipv", "dpt_ipv", 12_100),
    ("hib", "hib", 9_600),
    ("pcv", "pcv20", 12_700),
    ("pcv", "pcv15", 12_000),
    ("bcg", "bcg", 9_300),
    ("mr1", "mr", 11_400),
    ("mr2", "mr", 11_400),
    ("varicella", "varicella", 9_200),
    ("je1", "je", 8_700),
    ("je2", "je", 8_700),
    ("dt2", "dt", 5_900),
    ("hpv", "hpv9", 20_800),
    ("flu65", "flu", 4_800),
    ("pneumo65", "ppsv23", 8_000),
    ("covid65", "covid", 15_300),
    ("zoster", "zoster_live", 8_800),
    ("zoster", "zoster_recombinant", 22_000),
    ("rsv_maternal", "rsv", 30_600),
)
UNIT_PRICES_FROM = "2024-04-01"

LOT_LIFETIME_DAYS = 730
LAST_LOT_YEAR = 2026
_EPOCH_QUARTER = 1990 * 4


def quarter_of(ordinal: int) -> int:
    d = date.fromordinal(ordinal)
    return d.year * 4 + (d.month - 1) // 3 - _EPOCH_QUARTER


def quarter_start(quarter: int) -> date:
    q = quarter + _EPOCH_QUARTER
    return date(q // 4, (q % 4) * 3 + 1, 1)


def lot_number(product: Product, quarter: int) -> str:
    return f"{product.lot_prefix}{quarter:03d}{'ABCDEFGHJK'[quarter % 10]}"


def lot_quarters(product: Product) -> range:
    first = (product.first_year - 1990) * 4
    return range(first, (LAST_LOT_YEAR - 1990 + 1) * 4)


def lot_rows() -> list[tuple[int, str, str]]:
    """(product index, lot number, expires_on) for every generated lot."""
    out = []
    for i, product in enumerate(PRODUCTS):
        for q in lot_quarters(product):
            start = quarter_start(q)
            expires = date.fromordinal(start.toordinal() + LOT_LIFETIME_DAYS)
            out.append((i, lot_number(product, q), expires.isoformat()))
    return out


def lot_for(product_index: int, ordinal: int) -> str:
    """The lot of a product in use on a date (clamped to the generated quarters)."""
    product = PRODUCTS[product_index]
    quarters = lot_quarters(product)
    q = min(max(quarter_of(ordinal), quarters.start), quarters.stop - 1)
    return lot_number(product, q)
