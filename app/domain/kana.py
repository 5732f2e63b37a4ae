"""Kana search keys for person search (DESIGN.md §6 budget: kana prefix search).

``normalize_kana`` turns what a clerk types or what the resident register holds into one key,
stored in an indexed column and compared with a plain range query (``kana_prefix_range``).
"""

from __future__ import annotations

import re
import string
import unicodedata
from typing import Final

import jaconv

from app.errors import InvalidInput

LONG_VOWEL: Final = "ー"

# Marks people type for the long vowel. jaconv.normalize already maps 〜 ～ － — ― ‐ ‑ ‒ – ⁃ −
# ﹣ ━ ─ (to "-" or "ー") and NFKC maps ｰ; what is left is the ASCII hyphen and a few others.
_LONG_VOWEL_MARKS: Final = re.compile("[-\u2010-\u2015\u2212\u2043\ufe63\uff0d\uff70\u30fc]")
# Separators dropped from the key: every Unicode space (incl. U+3000) and the middle dot (中黒) that
# foreign names are registered with or without (ジョン・スミス == ジョンスミス).
_DROPPED: Final = re.compile(r"[\s\u30fb\uff65]+")
# Small kana that jaconv.enlarge_smallkana leaves alone.
_EXTRA_SMALL_TO_LARGE: Final = str.maketrans({"ヮ": "ワ"})
_ASCII_UPPER: Final = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_KATAKANA_KEY: Final = re.compile("[\u30a1-\u30fa\u30fc]+")

_MAX_CODE_POINT: Final = 0x10FFFF
_SURROGATES: Final = range(0xD800, 0xE000)


class InvalidKanaQuery(InvalidInput):
    """A kana search that cannot be run. Code: E_KANA_EMPTY."""

    code = "E_KANA_EMPTY"


def normalize_kana(text: str) -> str:
    """The canonical search key for a kana name.

    Folded together, so that both sides compare equal:

    - hiragana and katakana (かな == カナ), half- and full-width (ｶﾞ == ガ, ＡＢＣ == ABC);
    - small kana to large (ァィゥェォッャュョヮヵヶ → アイウエオツヤユヨワカケ), because resident
      registers hold e.g. ジョウ and ジヨウ for the same name;
    - long vowel variants (ー ｰ － ‐ - — ― 〜 ～ and similar dashes) to ー;
    - all spaces (half- and full-width) and the middle dot ・ are removed;
    - NFKC compatibility forms (① → 1, ㌔ → キロ); ASCII letters upper-cased.

    Not folded: ヴ stays ヴ (ゔ → ヴ), distinct from ブ; ヰ ヱ ヲ stay as they are; dakuten and
    handakuten are significant (ガ ≠ カ). The result is idempotent: normalize(normalize(x)) ==
    normalize(x).
    """
    s = jaconv.normalize(text, "NFKC")  # half-width kana → full-width, full-width ASCII → ASCII
    s = jaconv.hira2kata(s)
    s = jaconv.enlarge_smallkana(s).translate(_EXTRA_SMALL_TO_LARGE)
    s = _LONG_VOWEL_MARKS.sub(LONG_VOWEL, s)
    s = _DROPPED.sub("", s)
    # Removing spaces can bring a base and a combining mark together (カ ゛ → カ゛): compose them.
    s = unicodedata.normalize("NFC", s)
    # Only ASCII letters are upper-cased: str.upper() on other scripts can expand (ß → SS) and
    # would break idempotence.
    return s.translate(_ASCII_UPPER)


def is_kana(text: str) -> bool:
    """True when ``text`` normalises to a non-empty key of katakana and ー only."""
    return _KATAKANA_KEY.fullmatch(normalize_kana(text)) is not None


def _next_code_point(cp: int) -> int:
    nxt = cp + 1
    return _SURROGATES.stop if nxt in _SURROGATES else nxt


def kana_prefix_range(prefix: str) -> tuple[str, str]:
    """(low, high) such that ``key >= low AND key < high`` matches exactly the keys that start with
    ``normalize_kana(prefix)``.

    Works for Python string order and SQLite's BINARY collation alike (both are code-point order,
    as UTF-8 byte order is). ``high`` is the prefix with its last code point incremented (skipping
    the surrogate block, which SQLite cannot store); a trailing U+10FFFF is dropped first.
    Raises ``InvalidKanaQuery`` (E_KANA_EMPTY) when the prefix normalises to nothing: an empty
    prefix would match the whole register and is not a search.
    """
    low = normalize_kana(prefix)
    stem = low.rstrip(chr(_MAX_CODE_POINT))
    if not stem:
        raise InvalidKanaQuery()
    high = stem[:-1] + chr(_next_code_point(ord(stem[-1])))
    return low, high
