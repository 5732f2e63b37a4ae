"""Identifiers and check digits (DOMAIN.md §5).

- 個人番号 (My Number): 12 digits, the last a check digit over the first 11.
- 全国地方公共団体コード: 5-digit code + check digit.
- 宛名番号: digits, fixed width configured per municipality.
- 接種券番号: 10 digits.

Every ``validate_*`` function accepts full-width digits (０-９) and surrounding half/full-width
spaces, returns the canonical ASCII-digit string, and raises an ``InvalidInput`` subclass with a
specific code otherwise. Only ASCII and full-width digits count as digits: other characters that
NFKC would turn into digits (①, ¹, ...) and non-Latin decimal digits are refused. Error messages
never contain the value: it may be personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from app.errors import InvalidInput

MYNUMBER_LENGTH: Final = 12
MUNICIPALITY_CODE_LENGTH: Final = 6
VOUCHER_NUMBER_LENGTH: Final = 10

_MYNUMBER_WEIGHTS: Final = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_MYNUMBER_ASCII_OFFSET: Final = 48 * sum(_MYNUMBER_WEIGHTS)  # ord("0") times every weight
_MUNICIPALITY_WEIGHTS: Final = (6, 5, 4, 3, 2)
_FULLWIDTH_DIGITS: Final = str.maketrans("０１２３４５６７８９", "0123456789")


class InvalidMyNumber(InvalidInput):
    """個人番号 is malformed. Codes: E_MYNUMBER_NOT_DIGITS, E_MYNUMBER_LENGTH, E_MYNUMBER_CHECK_DIGIT."""

    code = "E_MYNUMBER"


class InvalidMunicipalityCode(InvalidInput):
    """地方公共団体コード is malformed. Codes: E_MUNICIPALITY_NOT_DIGITS, E_MUNICIPALITY_LENGTH,
    E_MUNICIPALITY_CHECK_DIGIT."""

    code = "E_MUNICIPALITY"


class InvalidAtenaNumber(InvalidInput):
    """宛名番号 is malformed. Codes: E_ATENA_NOT_DIGITS, E_ATENA_LENGTH."""

    code = "E_ATENA"


class InvalidVoucherNumber(InvalidInput):
    """接種券番号 is malformed. Codes: E_VOUCHER_NOT_DIGITS, E_VOUCHER_LENGTH."""

    code = "E_VOUCHER"


def normalize_digits(value: str) -> str:
    """Full-width digits → ASCII and strip surrounding (full-width too) whitespace; nothing else."""
    return value.strip().translate(_FULLWIDTH_DIGITS)


def _is_ascii_digits(value: str) -> bool:
    # isascii() first: the only ASCII characters isdigit() accepts are 0-9
    return value.isascii() and value.isdigit()


def _weighted_remainder(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(c) * w for c, w in zip(digits, weights, strict=True)) % 11


# --- 個人番号 ---------------------------------------------------------------------------------


def mynumber_check_digit(first11: str) -> int:
    """Check digit for the first 11 digits of a 個人番号 (12345678901 → 8).

    Raises ``InvalidMyNumber`` (E_MYNUMBER_NOT_DIGITS / E_MYNUMBER_LENGTH) on bad input.
    """
    digits = normalize_digits(first11)
    if not _is_ascii_digits(digits):
        raise InvalidMyNumber(code="E_MYNUMBER_NOT_DIGITS")
    if len(digits) != MYNUMBER_LENGTH - 1:
        raise InvalidMyNumber(
            "チェックデジットの計算には個人番号の先頭11桁が必要です。", code="E_MYNUMBER_LENGTH"
        )
    r = _weighted_remainder(digits, _MYNUMBER_WEIGHTS)
    return 0 if r <= 1 else 11 - r


def _ascii_check_digit_ok(digits: bytes) -> bool:
    """The check digit rule of ``mynumber_check_digit`` on 12 ASCII digit bytes, without a loop:
    a resident master import checks a million numbers (each byte is ``ord("0") + digit``)."""
    d = digits
    r = (
        6 * d[0]
        + 5 * d[1]
        + 4 * d[2]
        + 3 * d[3]
        + 2 * d[4]
        + 7 * d[5]
        + 6 * d[6]
        + 5 * d[7]
        + 4 * d[8]
        + 3 * d[9]
        + 2 * d[10]
        - _MYNUMBER_ASCII_OFFSET
    ) % 11
    return (0 if r <= 1 else 11 - r) == d[11] - 48


def validate_mynumber(value: str) -> str:
    """Validate a 12-digit 個人番号 and return it as ASCII digits.

    Raises ``InvalidMyNumber`` with code E_MYNUMBER_NOT_DIGITS, E_MYNUMBER_LENGTH or
    E_MYNUMBER_CHECK_DIGIT.
    """
    if len(value) == MYNUMBER_LENGTH and value.isascii() and value.isdigit():
        if _ascii_check_digit_ok(value.encode("ascii")):
            return value  # the common case: already 12 ASCII digits
        raise InvalidMyNumber(code="E_MYNUMBER_CHECK_DIGIT")
    digits = normalize_digits(value)
    if not _is_ascii_digits(digits):
        raise InvalidMyNumber(
            "個人番号は12桁の数字で入力してください（数字以外の文字が含まれています）。",
            code="E_MYNUMBER_NOT_DIGITS",
        )
    if len(digits) != MYNUMBER_LENGTH:
        raise InvalidMyNumber(code="E_MYNUMBER_LENGTH")
    if mynumber_check_digit(digits[:11]) != int(digits[11]):
        raise InvalidMyNumber(code="E_MYNUMBER_CHECK_DIGIT")
    return digits


def is_valid_mynumber(value: str) -> bool:
    """True when ``value`` is a valid 個人番号 (full-width digits accepted)."""
    try:
        validate_mynumber(value)
    except InvalidMyNumber:
        return False
    return True


# --- 全国地方公共団体コード ------------------------------------------------------------------


def municipality_check_digit(code5: str) -> int:
    """Check digit for a 5-digit 地方公共団体コード (19201 → 5, 13104 → 1, 01100 → 2).

    Raises ``InvalidMunicipalityCode`` (E_MUNICIPALITY_NOT_DIGITS / E_MUNICIPALITY_LENGTH).
    """
    digits = normalize_digits(code5)
    if not _is_ascii_digits(digits):
        raise InvalidMunicipalityCode(code="E_MUNICIPALITY_NOT_DIGITS")
    if len(digits) != MUNICIPALITY_CODE_LENGTH - 1:
        raise InvalidMunicipalityCode(
            "チェックデジットの計算には地方公共団体コードの先頭5桁が必要です。",
            code="E_MUNICIPALITY_LENGTH",
        )
    r = _weighted_remainder(digits, _MUNICIPALITY_WEIGHTS)
    return (11 - r) % 10


def validate_municipality_code(value: str) -> str:
    """Validate a 6-digit 地方公共団体コード (with check digit) and return ASCII digits.

    Raises ``InvalidMunicipalityCode`` with code E_MUNICIPALITY_NOT_DIGITS,
    E_MUNICIPALITY_LENGTH or E_MUNICIPALITY_CHECK_DIGIT.
    """
    digits = normalize_digits(value)
    if not _is_ascii_digits(digits):
        raise InvalidMunicipalityCode(
            "地方公共団体コードは6桁の数字で入力してください（数字以外の文字が含まれています）。",
            code="E_MUNICIPALITY_NOT_DIGITS",
        )
    if len(digits) != MUNICIPALITY_CODE_LENGTH:
        raise InvalidMunicipalityCode(code="E_MUNICIPALITY_LENGTH")
    if municipality_check_digit(digits[:5]) != int(digits[5]):
        raise InvalidMunicipalityCode(code="E_MUNICIPALITY_CHECK_DIGIT")
    return digits


def is_valid_municipality_code(value: str) -> bool:
    """True when ``value`` is a valid 6-digit 地方公共団体コード."""
    try:
        validate_municipality_code(value)
    except InvalidMunicipalityCode:
        return False
    return True


# --- 宛名番号 and 接種券番号 --------------------------------------------------------------------


def validate_atena_number(value: str, width: int) -> str:
    """Validate a 宛名番号 of exactly ``width`` digits and return ASCII digits.

    ``width`` is the municipality's configured width. Leading zeros are significant and are not
    added: a shorter number is refused (E_ATENA_LENGTH), not padded. Raises
    ``InvalidAtenaNumber`` with code E_ATENA_NOT_DIGITS or E_ATENA_LENGTH; ``ValueError`` when
    ``width`` is not positive (a configuration bug, not user input).
    """
    if width < 1:
        raise ValueError("width must be positive")
    digits = normalize_digits(value)
    if not _is_ascii_digits(digits):
        raise InvalidAtenaNumber(code="E_ATENA_NOT_DIGITS")
    if len(digits) != width:
        raise InvalidAtenaNumber(
            f"宛名番号は{width}桁の数字で入力してください（桁数が違います）。",
            code="E_ATENA_LENGTH",
        )
    return digits


def validate_voucher_number(value: str) -> str:
    """Validate a 10-digit 接種券番号 and return ASCII digits.

    Raises ``InvalidVoucherNumber`` with code E_VOUCHER_NOT_DIGITS or E_VOUCHER_LENGTH.
    """
    digits = normalize_digits(value)
    if not _is_ascii_digits(digits):
        raise InvalidVoucherNumber(code="E_VOUCHER_NOT_DIGITS")
    if len(digits) != VOUCHER_NUMBER_LENGTH:
        raise InvalidVoucherNumber(code="E_VOUCHER_LENGTH")
    return digits


VOUCHER_LINE_LENGTH = 18


@dataclass(frozen=True, slots=True)
class VoucherLine:
    """The 18-digit OCR line / QR content of a voucher (DOMAIN.md §6)."""

    kind_code: str
    count_code: str
    municipality_code: str
    voucher_no: str


def parse_voucher_line(value: str) -> VoucherLine | None:
    """券種(1) + 回数(1) + 市町村コード(6, valid check digit) + 券番号(10), or None when
    ``value`` is not such a line (a bare voucher number, a 宛名番号, …)."""
    digits = normalize_digits(value)
    if len(digits) != VOUCHER_LINE_LENGTH or not _is_ascii_digits(digits):
        return None
    if not is_valid_municipality_code(digits[2:8]):
        return None
    return VoucherLine(digits[0], digits[1], digits[2:8], digits[8:])
