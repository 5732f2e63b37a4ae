"""The fast paths the resident import relies on (issue 10, import speed) give exactly what the
general rules give: the 個人番号 check digit on 12 ASCII digits, and the blind index by
``hmac.digest`` (equal to the keyed HMAC-SHA256 every stored index was made with)."""

from __future__ import annotations

import hashlib
import hmac
import random

import pytest

from app.domain.ids import InvalidMyNumber, mynumber_check_digit, validate_mynumber
from app.security.kdf import hkdf
from app.security.person_numbers import NumberCipher


def test_ascii_fast_path_accepts_exactly_the_numbers_the_check_digit_rule_accepts() -> None:
    rng = random.Random(10)
    accepted = refused = 0
    for _ in range(3000):
        first = "".join(rng.choice("0123456789") for _ in range(11))
        right = mynumber_check_digit(first)
        for last in range(10):
            value = f"{first}{last}"
            if last == right:
                assert validate_mynumber(value) == value
                accepted += 1
            else:
                with pytest.raises(InvalidMyNumber) as err:
                    validate_mynumber(value)
                assert err.value.code == "E_MYNUMBER_CHECK_DIGIT"
                refused += 1
    assert (accepted, refused) == (3000, 27000)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12345678901", "E_MYNUMBER_LENGTH"),
        ("1234567890188", "E_MYNUMBER_LENGTH"),
        ("12345678901a", "E_MYNUMBER_NOT_DIGITS"),
        ("12345678901٨", "E_MYNUMBER_NOT_DIGITS"),  # a non-Latin digit: isdigit() but not ASCII
    ],
)
def test_other_input_still_gets_its_own_code(value: str, code: str) -> None:
    with pytest.raises(InvalidMyNumber) as err:
        validate_mynumber(value)
    assert err.value.code == code


def test_full_width_and_spaced_numbers_take_the_general_path() -> None:
    assert validate_mynumber("　１２３４５６７８９０１８ ") == "123456789018"


def test_blind_index_equals_the_keyed_hmac_of_stored_indexes() -> None:
    nk = bytes(range(32))
    cipher = NumberCipher(nk)
    key = hkdf(nk, salt=b"", info=b"vaxdesk-number-index-v1")
    for number in ("123456789018", "000000000000", "999999999991"):
        expected = hmac.new(key, number.encode("ascii"), hashlib.sha256).digest()
        assert cipher.blind_index(number) == expected
