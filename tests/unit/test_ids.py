"""Identifiers and check digits (DOMAIN.md §5)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.ids import (
    InvalidAtenaNumber,
    InvalidMunicipalityCode,
    InvalidMyNumber,
    InvalidVoucherNumber,
    is_valid_municipality_code,
    is_valid_mynumber,
    municipality_check_digit,
    mynumber_check_digit,
    validate_atena_number,
    validate_municipality_code,
    validate_mynumber,
    validate_voucher_number,
)
from app.errors import InvalidInput

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _reference_mynumber_check(first11: str) -> int:
    # Independent restatement of the rule: Pn weighted by Qn, n counted from the right.
    total = 0
    for n in range(1, 12):
        p = int(first11[11 - n])
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    r = total % 11
    return 0 if r <= 1 else 11 - r


# --- 個人番号 ----------------------------------------------------------------------------------


def test_mynumber_domain_example() -> None:
    assert mynumber_check_digit("12345678901") == 8
    assert validate_mynumber("123456789018") == "123456789018"
    assert is_valid_mynumber("123456789018")


@pytest.mark.parametrize(
    ("first11", "check"),
    [
        ("00000000000", 0),  # r = 0
        ("00000000001", 9),  # r = 2 → 9
        ("00000000005", 1),  # r = 10 → 1
        ("10000000000", 5),  # r = 6 → 5
        ("00000100000", 4),  # weight 7: r = 7 → 4
        ("00000000006", 0),  # 12 mod 11 = 1 → 0
    ],
)
def test_mynumber_check_digit_cases(first11: str, check: int) -> None:
    assert mynumber_check_digit(first11) == check


def test_mynumber_full_width_and_spaces_accepted() -> None:
    assert validate_mynumber("　１２３４５６７８９０１８ ") == "123456789018"
    assert mynumber_check_digit("１２３４５６７８９０１") == 8


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("123456789017", "E_MYNUMBER_CHECK_DIGIT"),
        ("123456789019", "E_MYNUMBER_CHECK_DIGIT"),
        ("12345678901", "E_MYNUMBER_LENGTH"),
        ("1234567890180", "E_MYNUMBER_LENGTH"),
        ("", "E_MYNUMBER_NOT_DIGITS"),
        ("1234-5678-9018", "E_MYNUMBER_NOT_DIGITS"),
        ("1234 5678 9018", "E_MYNUMBER_NOT_DIGITS"),
        ("12345678901８x", "E_MYNUMBER_NOT_DIGITS"),
        ("①23456789018", "E_MYNUMBER_NOT_DIGITS"),  # NFKC would make this a digit: refused
        ("١٢٣٤٥٦٧٨٩٠١٨", "E_MYNUMBER_NOT_DIGITS"),  # Arabic-Indic digits
    ],
)
def test_mynumber_rejections(value: str, code: str) -> None:
    with pytest.raises(InvalidMyNumber) as info:
        validate_mynumber(value)
    assert info.value.code == code
    assert isinstance(info.value, InvalidInput)
    assert not is_valid_mynumber(value)


def test_mynumber_error_never_contains_the_value() -> None:
    for value in ("123456789017", "12345678901", "9876543210ab"):
        with pytest.raises(InvalidMyNumber) as info:
            validate_mynumber(value)
        text = str(info.value) + info.value.message_ja
        assert value not in text
        assert value[:4] not in text
        assert "個人番号" in info.value.message_ja


@pytest.mark.parametrize(
    ("bad", "code"), [("1234567890", "E_MYNUMBER_LENGTH"), ("abc", "E_MYNUMBER_NOT_DIGITS")]
)
def test_mynumber_check_digit_input_errors(bad: str, code: str) -> None:
    with pytest.raises(InvalidMyNumber) as info:
        mynumber_check_digit(bad)
    assert info.value.code == code


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_mynumber_round_trip(first11: str) -> None:
    check = mynumber_check_digit(first11)
    assert check == _reference_mynumber_check(first11)
    full = first11 + str(check)
    assert validate_mynumber(full) == full
    assert validate_mynumber(full.translate(FULLWIDTH)) == full
    for wrong in set(range(10)) - {check}:
        assert not is_valid_mynumber(first11 + str(wrong))


@given(
    st.text(alphabet="0123456789", min_size=11, max_size=11),
    st.integers(0, 11),
    st.integers(1, 9),
)
def test_mynumber_detects_single_digit_errors(first11: str, pos: int, delta: int) -> None:
    full = first11 + str(mynumber_check_digit(first11))
    changed = full[:pos] + str((int(full[pos]) + delta) % 10) + full[pos + 1 :]
    # Mod 11 with weights 2..7 catches every single-digit change, except where the check digit
    # rule folds r = 0 and r = 1 together (both give 0).
    weights = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    r_full = sum(int(c) * w for c, w in zip(full, weights, strict=False)) % 11
    r_changed = sum(int(c) * w for c, w in zip(changed, weights, strict=False)) % 11
    assert is_valid_mynumber(changed) == ({r_full, r_changed} == {0, 1})


# --- 地方公共団体コード -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code5", "full"),
    [("19201", "192015"), ("13104", "131041"), ("01100", "011002"), ("13101", "131016")],
)
def test_municipality_domain_examples(code5: str, full: str) -> None:
    assert municipality_check_digit(code5) == int(full[5])
    assert validate_municipality_code(full) == full
    assert validate_municipality_code(full.translate(FULLWIDTH)) == full
    assert is_valid_municipality_code(full)


def test_municipality_check_digit_r_zero_and_one() -> None:
    # r = 0 → 11 - 0 = 11 → last digit 1; r = 1 → 10 → 0.
    assert municipality_check_digit("00000") == 1
    assert municipality_check_digit("00006") == 0  # 6 * 2 = 12, r = 1
    assert municipality_check_digit("00005") == 1  # r = 10 → 11 - 10 = 1


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("192016", "E_MUNICIPALITY_CHECK_DIGIT"),
        ("19201", "E_MUNICIPALITY_LENGTH"),
        ("1920155", "E_MUNICIPALITY_LENGTH"),
        ("19201a", "E_MUNICIPALITY_NOT_DIGITS"),
        ("", "E_MUNICIPALITY_NOT_DIGITS"),
    ],
)
def test_municipality_rejections(value: str, code: str) -> None:
    with pytest.raises(InvalidMunicipalityCode) as info:
        validate_municipality_code(value)
    assert info.value.code == code
    assert not is_valid_municipality_code(value)


@given(st.text(alphabet="0123456789", min_size=5, max_size=5))
def test_municipality_round_trip(code5: str) -> None:
    check = municipality_check_digit(code5)
    r = sum(int(c) * w for c, w in zip(code5, (6, 5, 4, 3, 2), strict=True)) % 11
    assert check == (11 - r) % 10
    assert validate_municipality_code(code5 + str(check)) == code5 + str(check)


# --- 宛名番号 / 接種券番号 ----------------------------------------------------------------------


def test_atena_number() -> None:
    assert validate_atena_number("0012345678", 10) == "0012345678"
    assert validate_atena_number(" ０１２３４５ ", 6) == "012345"


@pytest.mark.parametrize(
    ("value", "width", "code"),
    [
        ("12345", 6, "E_ATENA_LENGTH"),  # not zero-padded silently
        ("1234567", 6, "E_ATENA_LENGTH"),
        ("12a456", 6, "E_ATENA_NOT_DIGITS"),
        ("", 6, "E_ATENA_NOT_DIGITS"),
    ],
)
def test_atena_number_rejections(value: str, width: int, code: str) -> None:
    with pytest.raises(InvalidAtenaNumber) as info:
        validate_atena_number(value, width)
    assert info.value.code == code
    assert value == "" or value not in info.value.message_ja


def test_atena_width_must_be_positive() -> None:
    with pytest.raises(ValueError):
        validate_atena_number("1", 0)


def test_voucher_number() -> None:
    assert validate_voucher_number("0123456789") == "0123456789"
    assert validate_voucher_number("０１２３４５６７８９") == "0123456789"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("012345678", "E_VOUCHER_LENGTH"),
        ("01234567890", "E_VOUCHER_LENGTH"),
        ("01234-6789", "E_VOUCHER_NOT_DIGITS"),
        ("A012345678", "E_VOUCHER_NOT_DIGITS"),
    ],
)
def test_voucher_number_rejections(value: str, code: str) -> None:
    with pytest.raises(InvalidVoucherNumber) as info:
        validate_voucher_number(value)
    assert info.value.code == code
    assert value not in info.value.message_ja
