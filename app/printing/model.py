"""Input of the print engine: plain frozen dataclasses that the services layer fills.

There is deliberately no field for 個人番号 (My Number) anywhere: no printed document may contain
one. As a second line of defence every free-text field that could carry a person's data is
refused when it contains a stand-alone run of exactly 12 digits (the shape of a 個人番号), so a
mis-mapped column cannot leak a number onto paper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.domain.ids import validate_municipality_code, validate_voucher_number
from app.errors import InvalidInput

_TWELVE_DIGITS = re.compile(r"(?<![0-9０-９])[0-9０-９]{12}(?![0-9０-９])")
_ASCII_ID = re.compile(r"[0-9A-Za-z\-]{1,20}")
SEXES = ("M", "F", "")


def refuse_personal_number(*values: str) -> None:
    """Raise ``InvalidInput`` (E_PRINT_MYNUMBER) when any value holds a 12-digit run."""
    for value in values:
        if value and _TWELVE_DIGITS.search(value):
            raise InvalidInput(code="E_PRINT_MYNUMBER")


@dataclass(frozen=True, slots=True)
class Municipality:
    name: str  # 新宿区
    code: str  # 全国地方公共団体コード, 6 digits with check digit
    mayor_title: str  # 新宿区長
    address: str = ""
    mayor_name: str = ""
    office: str = ""  # e.g. 健康部 保健予防課 (printed as the sender)
    phone: str = ""
    demo: bool = False  # a demo register: every printed page carries the 見本 watermark

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", validate_municipality_code(self.code))


@dataclass(frozen=True, slots=True)
class PersonBlock:
    atena_no: str  # 宛名番号
    name: str
    name_kana: str
    sex: str  # "M", "F" or "" (unknown)
    birth_date: date
    address: str
    postal_code: str = ""  # 7 digits, printed 〒160-0022
    phone: str = ""
    guardian_name: str = ""
    guardian_relation: str = ""  # 続柄 (母, 父, ...)

    def __post_init__(self) -> None:
        if self.sex not in SEXES:
            raise InvalidInput(code="E_PRINT_SEX")
        refuse_personal_number(
            self.atena_no,
            self.name,
            self.name_kana,
            self.address,
            self.postal_code,
            self.phone,
            self.guardian_name,
            self.guardian_relation,
        )


@dataclass(frozen=True, slots=True)
class YoshinhyoRequest:
    """One pre-filled 予診票."""

    series_id: str  # canonical id from DOMAIN.md §2 (hib, dpt_ipv, ...)
    dose_label: str  # one of the series' dose options, pre-marked (初回1回目, 追加, 1回目, ...)
    print_date: date  # age 満○歳○か月 is computed on this date
    issuance_no: str  # 交付番号 printed as Code128 for batch entry (ASCII letters, digits, '-')
    person: PersonBlock
    series_name: str = ""  # overrides the name in resources/forms/yoshinhyo_series.json

    def __post_init__(self) -> None:
        if not _ASCII_ID.fullmatch(self.issuance_no):
            raise InvalidInput(code="E_PRINT_ISSUANCE")
        refuse_personal_number(self.issuance_no, self.series_name)


@dataclass(frozen=True, slots=True)
class NoticeRequest:
    """One 個別通知: a letter for a window envelope followed by its pre-filled 予診票."""

    yoshinhyo: YoshinhyoRequest
    deadline: date | None = None  # last day of the legal window, printed in the letter
    category: str = "A"  # 定期接種 A類 (free, 努力義務) or B類 (本人の希望, co-payment)


@dataclass(frozen=True, slots=True)
class Voucher:
    """接種券 / 助成券. 券種 and 回数 code values come from configuration (DOMAIN.md §6)."""

    voucher_no: str  # 10 digits
    municipality_code: str  # 6 digits
    name: str
    kind_code: str  # 券種, 1 digit
    count_code: str  # 回数, 1 digit
    series_name: str
    kind_label: str = "接種券"  # 接種券 or 助成券

    def __post_init__(self) -> None:
        object.__setattr__(self, "voucher_no", validate_voucher_number(self.voucher_no))
        object.__setattr__(
            self, "municipality_code", validate_municipality_code(self.municipality_code)
        )
        for value, label in ((self.kind_code, "券種"), (self.count_code, "回数")):
            if len(value) != 1 or not value.isdigit() or not value.isascii():
                raise InvalidInput(f"{label}コードは1桁の数字です。", code="E_PRINT_VOUCHER_CODE")
        refuse_personal_number(self.name, self.series_name)

    @property
    def ocr_digits(self) -> str:
        """18 digits: 券種(1) + 回数(1) + 市町村コード(6) + 券番号(10)."""
        return self.kind_code + self.count_code + self.municipality_code + self.voucher_no


@dataclass(frozen=True, slots=True)
class CertificateDose:
    series_name: str
    dose_label: str  # 1回目, 初回2回目, 追加, ...
    date: date | None
    maker: str = ""
    lot: str = ""
    institution: str = ""
    verified: bool = True  # False → printed struck through with 「記録なし」

    def __post_init__(self) -> None:
        refuse_personal_number(self.series_name, self.maker, self.lot, self.institution)


@dataclass(frozen=True, slots=True)
class CertificateRequest:
    person: PersonBlock
    doses: tuple[CertificateDose, ...]
    issue_date: date
    title: str = "予防接種済証"  # or 予防接種証明書
    certificate_no: str = ""

    def __post_init__(self) -> None:
        refuse_personal_number(self.title, self.certificate_no)


@dataclass(frozen=True, slots=True)
class UnvaccinatedRow:
    person: PersonBlock
    due_dose_label: str  # e.g. 2期, 初回2回目
    deadline: date | None = None

    def __post_init__(self) -> None:
        refuse_personal_number(self.due_dose_label)


@dataclass(frozen=True, slots=True)
class MonthlyReportRow:
    institution_code: str
    institution_name: str
    payment_month: date  # 支払月, any day of the month
    series_name: str
    count: int
    unit_price: int | None  # yen; None: no price set (printed 未設定, left out of the amounts)
    institution_address: str = ""

    @property
    def amount(self) -> int:
        return 0 if self.unit_price is None else self.count * self.unit_price


@dataclass(frozen=True, slots=True)
class AnnualReportRow:
    series_name: str
    term_label: str  # 期/回: 第1期 初回1回目, 2回目, ...
    target_count: int  # 対象者数
    vaccinated_count: int  # 接種者数

    @property
    def rate(self) -> float | None:
        """接種率 in percent, None when there is no target population."""
        if self.target_count <= 0:
            return None
        return 100.0 * self.vaccinated_count / self.target_count
