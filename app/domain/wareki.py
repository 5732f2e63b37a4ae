"""和暦 (Japanese era) formatting and date parsing for input fields.

Eras and their first days (Gregorian):

====  ======  ==========
明治  M       1868-10-23
大正  T       1912-07-30
昭和  S       1926-12-25
平成  H       1989-01-08
令和  R       2019-05-01
====  ======  ==========

明治 is taken to start on 1868-10-23 (the Gregorian date of the 改元の詔, 慶応4年9月8日), and
明治 dates are read on the Gregorian calendar throughout (明治n年 = 1867 + n). Japan used the
lunisolar calendar until 明治5年12月2日 (1872-12-31), so for 1868–1872 our 明治 month/day is the
Gregorian one, not the historical lunisolar date; the register holds no one born then. Dates before
1868-10-23 are outside every era and are refused (``E_DATE_ERA_RANGE``).

Year 1 of an era is written 元年 in the long form (令和元年5月1日) and as 1 in the short form
(R1.05.01). The short form is ``<letter><year>.<MM>.<DD>``: the year is not padded, month and day
are two digits (R7.04.10).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Final

from app.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Era:
    name: str  # 令和
    letter: str  # R
    start: date  # first day of the era


ERAS: Final[tuple[Era, ...]] = (
    Era("明治", "M", date(1868, 10, 23)),
    Era("大正", "T", date(1912, 7, 30)),
    Era("昭和", "S", date(1926, 12, 25)),
    Era("平成", "H", date(1989, 1, 8)),
    Era("令和", "R", date(2019, 5, 1)),
)
EARLIEST_DATE: Final = ERAS[0].start

_BY_NAME: Final = {e.name: e for e in ERAS}
_BY_LETTER: Final = {e.letter: e for e in ERAS}
_BY_KANJI: Final = {e.name[0]: e for e in ERAS}  # 明 大 昭 平 令

ACCEPTED_FORMATS_JA: Final = "2025-04-10、2025/4/10、20250410、R7.4.10、令和7年4月10日（元年も可）"


class InvalidDate(InvalidInput):
    """A date typed by a person could not be read.

    Codes: E_DATE_FORMAT (not a recognised form), E_DATE_INVALID (no such day, e.g. 2月30日),
    E_DATE_ERA_RANGE (outside the named era, e.g. H31.5.1, or before 明治).
    """

    code = "E_DATE_FORMAT"


# --- eras -------------------------------------------------------------------------------------


def era_of(d: date) -> Era:
    """The era that contains ``d``; ``InvalidDate`` (E_DATE_ERA_RANGE) before 明治."""
    for era in reversed(ERAS):
        if d >= era.start:
            return era
    raise InvalidDate(code="E_DATE_ERA_RANGE")


def era_end(era: Era) -> date | None:
    """Last day of ``era``, or None for the current era."""
    i = ERAS.index(era)
    if i + 1 == len(ERAS):
        return None
    return date.fromordinal(ERAS[i + 1].start.toordinal() - 1)


def wareki_year(d: date) -> tuple[Era, int]:
    """(era, year within the era) for ``d``: 2025-04-10 → (令和, 7)."""
    era = era_of(d)
    return era, d.year - era.start.year + 1


# --- formatting -------------------------------------------------------------------------------


def format_wareki(d: date) -> str:
    """令和7年4月10日; year 1 as 元年 (令和元年5月1日)."""
    era, year = wareki_year(d)
    y = "元" if year == 1 else str(year)
    return f"{era.name}{y}年{d.month}月{d.day}日"


def format_wareki_short(d: date) -> str:
    """Compact form for lists: R7.04.10 (year unpadded, month and day two digits)."""
    era, year = wareki_year(d)
    return f"{era.letter}{year}.{d.month:02d}.{d.day:02d}"


def format_both(d: date) -> str:
    """令和7年4月10日 (2025-04-10)."""
    return f"{format_wareki(d)} ({d.isoformat()})"


# --- parsing ----------------------------------------------------------------------------------

_SEP = r"[-/.]"
_SEIREKI_SEP: Final = re.compile(rf"(\d{{4}})({_SEP})(\d{{1,2}})\2(\d{{1,2}})", re.ASCII)
_SEIREKI_KANJI: Final = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?", re.ASCII)
_SEIREKI_COMPACT: Final = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
_ERA_TOKEN = r"(明治|大正|昭和|平成|令和|[明大昭平令]|[MTSHR])"
_ERA_SEP: Final = re.compile(
    rf"{_ERA_TOKEN}(\d{{1,2}}|元)({_SEP})(\d{{1,2}})\3(\d{{1,2}})", re.ASCII
)
_ERA_KANJI: Final = re.compile(
    rf"{_ERA_TOKEN}(\d{{1,2}}|元)年(\d{{1,2}})月(\d{{1,2}})日?", re.ASCII
)
_ERA_COMPACT: Final = re.compile(r"([MTSHR])(\d{2})(\d{2})(\d{2})", re.ASCII)


def _clean(text: str) -> str:
    """NFKC (full-width digits/letters, ㋿ → 令和), drop all whitespace, upper-case letters."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidDate(code="E_DATE_INVALID") from None


def _era_from_token(token: str) -> Era:
    return _BY_NAME.get(token) or _BY_KANJI.get(token) or _BY_LETTER[token]


def _from_era(token: str, year_text: str, month: int, day: int) -> date:
    era = _era_from_token(token)
    year = 1 if year_text == "元" else int(year_text)
    if year < 1:
        raise InvalidDate("和暦の年は1（元年）以上で入力してください。", code="E_DATE_INVALID")
    d = _make_date(era.start.year + year - 1, month, day)
    end = era_end(era)
    if d < era.start or (end is not None and d > end):
        span = f"{format_wareki(era.start)}から" + (
            f"{format_wareki(end)}まで" if end is not None else ""
        )
        raise InvalidDate(
            f"{era.name}の期間外の日付です（{era.name}は{span}）。元号を確認してください。",
            code="E_DATE_ERA_RANGE",
        )
    return d


def parse_date(text: str) -> date:
    """Read a date typed by a person.

    Accepted (full-width digits and letters, any spaces, upper or lower case):
    ``2025-04-10``, ``2025/4/10``, ``2025.4.10``, ``2025年4月10日``, ``20250410``,
    ``R7.4.10``, ``R07.04.10``, ``R7/4/10``, ``R070410``, ``令和7年4月10日``, ``令和元年5月1日``,
    ``令7.4.10``, ``㋿7年4月10日``. Era letters: M 明治, T 大正, S 昭和, H 平成, R 令和.

    Raises ``InvalidDate`` with code E_DATE_FORMAT (unrecognised form), E_DATE_INVALID (no such
    day) or E_DATE_ERA_RANGE (outside the named era, e.g. H31.5.1, R1.4.30, or before 明治).
    """
    s = _clean(text)
    if m := _SEIREKI_SEP.fullmatch(s):
        d = _make_date(int(m[1]), int(m[3]), int(m[4]))
    elif m := (_SEIREKI_KANJI.fullmatch(s) or _SEIREKI_COMPACT.fullmatch(s)):
        d = _make_date(int(m[1]), int(m[2]), int(m[3]))
    elif m := _ERA_SEP.fullmatch(s):
        return _from_era(m[1], m[2], int(m[4]), int(m[5]))
    elif m := (_ERA_KANJI.fullmatch(s) or _ERA_COMPACT.fullmatch(s)):
        return _from_era(m[1], m[2], int(m[3]), int(m[4]))
    else:
        raise InvalidDate()
    era_of(d)  # refuse dates before 明治 so every parsed date can be shown in 和暦
    return d
