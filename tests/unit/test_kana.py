"""Kana search keys."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.domain.kana import InvalidKanaQuery, is_kana, kana_prefix_range, normalize_kana


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("やまだ たろう", "ヤマダタロウ"),
        ("ヤマダ　タロウ", "ヤマダタロウ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ"),
        ("ｶﾞ", "ガ"),
        ("ﾊﾟﾋﾟﾌﾟ", "パピプ"),
        ("ｳﾞｧｲｵﾘﾝ", "ヴアイオリン"),
        ("ゔぁいおりん", "ヴアイオリン"),
        ("じょう", "ジヨウ"),  # small kana folded to large
        ("ジョウ", "ジヨウ"),
        ("ジヨウ", "ジヨウ"),
        ("ｼﾞｮｳ", "ジヨウ"),
        ("きって", "キツテ"),
        ("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ"),
        ("ぁぃぅぇぉっゃゅょゎ", "アイウエオツヤユヨワ"),
        ("コーヒー", "コーヒー"),
        ("ｺｰﾋｰ", "コーヒー"),
        ("コ－ヒ－", "コーヒー"),  # full-width hyphen-minus
        ("コ‐ヒ‐", "コーヒー"),  # U+2010 hyphen
        ("コ-ヒ-", "コーヒー"),  # ASCII hyphen
        ("コ—ヒ—", "コーヒー"),  # em dash
        ("コ―ヒ―", "コーヒー"),  # horizontal bar
        ("コ−ヒ−", "コーヒー"),  # minus sign
        ("コ〜ヒ～", "コーヒー"),  # wave dashes
        ("ジョン・スミス", "ジヨンスミス"),  # 中黒 dropped
        ("ｼﾞｮﾝ･ｽﾐｽ", "ジヨンスミス"),
        ("ジョン スミス", "ジヨンスミス"),
        ("abc ＡＢＣ", "ABCABC"),
        ("ｶ ﾞ", "ガ"),  # a voiced mark separated by a space still composes
        ("カ゛", "ガ"),  # spacing voiced mark U+309B
        ("ヴ", "ヴ"),  # ヴ is not folded to ブ
        ("ヰヱヲ", "ヰヱヲ"),
        ("", ""),
        (" 　\t", ""),
    ],
)
def test_normalize_kana(text: str, key: str) -> None:
    assert normalize_kana(text) == key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ｶﾞｸ", "がく"),
        ("たなか　はなこ", "ﾀﾅｶﾊﾅｺ"),
        ("ｼｮｳﾀ", "しようた"),
        ("さとう", "サトウ"),
    ],
)
def test_equal_keys(a: str, b: str) -> None:
    assert normalize_kana(a) == normalize_kana(b)


@pytest.mark.parametrize(
    ("a", "b"), [("ガ", "カ"), ("パ", "ハ"), ("ヴ", "ブ"), ("サトウ", "サトオ")]
)
def test_distinct_keys(a: str, b: str) -> None:
    assert normalize_kana(a) != normalize_kana(b)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("やまだ たろう", True),
        ("ﾔﾏﾀﾞ", True),
        ("コーヒー", True),
        ("ヴァイオリン", True),
        ("山田", False),
        ("ヤマダ1", False),
        ("ABC", False),
        ("", False),
        ("　", False),
        ("ヽ", False),
    ],
)
def test_is_kana(text: str, expected: bool) -> None:
    assert is_kana(text) is expected


def test_prefix_range_simple() -> None:
    assert kana_prefix_range("たな") == ("タナ", "タニ")
    assert kana_prefix_range("ﾀﾅｰ") == ("タナー", "タナヽ")
    low, high = kana_prefix_range("タナ")
    assert low <= "タナカ" < high
    assert low <= "タナ" < high
    assert not low <= "タニ" < high
    assert not low <= "タ" < high


def test_prefix_range_skips_surrogates_and_max_code_point() -> None:
    assert kana_prefix_range("ア\ud7ff") == ("ア\ud7ff", "ア\ue000")
    assert kana_prefix_range("ア\U0010ffff") == ("ア\U0010ffff", "ィ")  # U+30A2 + 1


def test_prefix_range_empty_is_refused() -> None:
    for prefix in ("", "  ", "・"):
        with pytest.raises(InvalidKanaQuery) as info:
            kana_prefix_range(prefix)
        assert info.value.code == "E_KANA_EMPTY"


KANA_ALPHABET = (
    "あいうえおかがきぎくぐけげこごさざしじすずせぜそぞたちっつてとなにぬねのはばぱひびぴ"
    "ふぶぷへべぺほぼぽまみむめもゃやゅゆょよらりるれろゎわをんゔ"
    "アイウエオカガサザタダナハバパマヤャラワンヴァィゥェォッヵヶヮ"
    "ｱｲｳｶｷｸｻｼﾀﾁﾅﾊﾋﾏﾔｬﾗﾜﾝｰﾞﾟｧｯ"
    "ー－‐-—―〜・･ 　゛゜ABCabcＡｂ019０"
)
kana_text = st.text(alphabet=KANA_ALPHABET, max_size=12)


@given(kana_text)
def test_normalize_is_idempotent_on_kana_text(text: str) -> None:
    key = normalize_kana(text)
    assert normalize_kana(key) == key


@given(st.text(max_size=12))
def test_normalize_is_idempotent_on_any_text(text: str) -> None:
    key = normalize_kana(text)
    assert normalize_kana(key) == key


@given(kana_text)
def test_key_has_no_spaces_hiragana_or_half_width(text: str) -> None:
    key = normalize_kana(text)
    assert not any(c.isspace() for c in key)
    assert not any("\u3041" <= c <= "\u3096" for c in key)  # hiragana
    assert not any("\uff61" <= c <= "\uff9f" for c in key)  # half-width katakana
    assert normalize_kana(text.replace(" ", "")) == key


@given(kana_text, kana_text)
def test_prefix_range_matches_exactly_the_keys_with_that_prefix(prefix: str, name: str) -> None:
    p = normalize_kana(prefix)
    key = normalize_kana(name)
    if not p:
        with pytest.raises(InvalidKanaQuery):
            kana_prefix_range(prefix)
        return
    low, high = kana_prefix_range(prefix)
    assert (low <= key < high) == key.startswith(p)
    assert (low <= p + key < high) is True


@given(st.text(min_size=1, max_size=6), st.text(max_size=6))
def test_prefix_range_on_arbitrary_keys(prefix: str, rest: str) -> None:
    p = normalize_kana(prefix)
    assume(p.rstrip("\U0010ffff") != "")
    low, high = kana_prefix_range(prefix)
    assert low == p
    assert low <= p + rest < high
    assert not high.startswith(p)
    assert all(not "\ud800" <= c <= "\udfff" for c in high)
