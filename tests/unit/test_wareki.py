"""和暦 formatting and date parsing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.wareki import (
    ERAS,
    InvalidDate,
    era_end,
    era_of,
    format_both,
    format_wareki,
    format_wareki_short,
    parse_date,
    wareki_year,
)
from app.errors import InvalidInput

D = date.fromisoformat


@pytest.mark.parametrize(
    ("d", "long", "short"),
    [
        ("2025-04-10", "令和7年4月10日", "R7.04.10"),
        ("2019-05-01", "令和元年5月1日", "R1.05.01"),
        ("2019-04-30", "平成31年4月30日", "H31.04.30"),
        ("1989-01-08", "平成元年1月8日", "H1.01.08"),
        ("1989-01-07", "昭和64年1月7日", "S64.01.07"),
        ("1926-12-25", "昭和元年12月25日", "S1.12.25"),
        ("1926-12-24", "大正15年12月24日", "T15.12.24"),
        ("1912-07-30", "大正元年7月30日", "T1.07.30"),
        ("1912-07-29", "明治45年7月29日", "M45.07.29"),
        ("1868-10-23", "明治元年10月23日", "M1.10.23"),
        ("1873-01-01", "明治6年1月1日", "M6.01.01"),
        ("2100-12-31", "令和82年12月31日", "R82.12.31"),
    ],
)
def test_format(d: str, long: str, short: str) -> None:
    assert format_wareki(D(d)) == long
    assert format_wareki_short(D(d)) == short
    assert format_both(D(d)) == f"{long} ({d})"


def test_format_both_example() -> None:
    assert format_both(date(2025, 4, 10)) == "令和7年4月10日 (2025-04-10)"


def test_era_table_and_ends() -> None:
    assert [(e.name, e.letter, e.start.isoformat()) for e in ERAS] == [
        ("明治", "M", "1868-10-23"),
        ("大正", "T", "1912-07-30"),
        ("昭和", "S", "1926-12-25"),
        ("平成", "H", "1989-01-08"),
        ("令和", "R", "2019-05-01"),
    ]
    assert [era_end(e) for e in ERAS] == [
        D("1912-07-29"),
        D("1926-12-24"),
        D("1989-01-07"),
        D("2019-04-30"),
        None,
    ]
    era, year = wareki_year(D("2025-04-10"))
    assert (era.name, year) == ("令和", 7)


def test_before_meiji_is_refused() -> None:
    with pytest.raises(InvalidDate) as info:
        format_wareki(D("1868-10-22"))
    assert info.value.code == "E_DATE_ERA_RANGE"
    with pytest.raises(InvalidDate):
        era_of(D("1700-01-01"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-04-10", "2025-04-10"),
        ("2025/4/10", "2025-04-10"),
        ("2025.4.10", "2025-04-10"),
        ("2025年4月10日", "2025-04-10"),
        ("20250410", "2025-04-10"),
        ("R7.4.10", "2025-04-10"),
        ("r7.4.10", "2025-04-10"),
        ("R07.04.10", "2025-04-10"),
        ("R7/4/10", "2025-04-10"),
        ("R7-4-10", "2025-04-10"),
        ("R070410", "2025-04-10"),
        ("令和7年4月10日", "2025-04-10"),
        ("令和7年4月10", "2025-04-10"),
        ("令7.4.10", "2025-04-10"),
        ("令和 7年 4月 10日", "2025-04-10"),
        ("令和元年5月1日", "2019-05-01"),
        ("令和1年5月1日", "2019-05-01"),
        ("R1.5.1", "2019-05-01"),
        ("H31.4.30", "2019-04-30"),
        ("h31.4.30", "2019-04-30"),
        ("平成31年4月30日", "2019-04-30"),
        ("H1.1.8", "1989-01-08"),
        ("S64.1.7", "1989-01-07"),
        ("S1.12.25", "1926-12-25"),
        ("T15.12.24", "1926-12-24"),
        ("T1.7.30", "1912-07-30"),
        ("M45.7.29", "1912-07-29"),
        ("明治元年10月23日", "1868-10-23"),
        ("Ｒ７．４．１０", "2025-04-10"),  # full-width letters and digits
        ("ｒ７．４．１０", "2025-04-10"),
        ("２０２５－０４－１０", "2025-04-10"),
        ("２０２５／４／１０", "2025-04-10"),
        ("令和７年４月１０日", "2025-04-10"),
        ("㋿7年4月10日", "2025-04-10"),  # 令和 ligature
        ("㍻31年4月30日", "2019-04-30"),  # 平成 ligature
        ("  2025-04-10\t", "2025-04-10"),
        ("　R7.4.10　", "2025-04-10"),
        ("2024-02-29", "2024-02-29"),
        ("R6.2.29", "2024-02-29"),
    ],
)
def test_parse_accepts(text: str, expected: str) -> None:
    assert parse_date(text) == D(expected)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("H31.5.1", "E_DATE_ERA_RANGE"),  # 平成 ended 4/30
        ("平成31年5月1日", "E_DATE_ERA_RANGE"),
        ("H32.1.1", "E_DATE_ERA_RANGE"),
        ("R1.4.30", "E_DATE_ERA_RANGE"),  # 令和 began 5/1
        ("令和元年4月30日", "E_DATE_ERA_RANGE"),
        ("S64.1.8", "E_DATE_ERA_RANGE"),
        ("H1.1.7", "E_DATE_ERA_RANGE"),
        ("S1.12.24", "E_DATE_ERA_RANGE"),
        ("T1.7.29", "E_DATE_ERA_RANGE"),
        ("T15.12.25", "E_DATE_ERA_RANGE"),
        ("M1.10.22", "E_DATE_ERA_RANGE"),
        ("M46.1.1", "E_DATE_ERA_RANGE"),
        ("1868-10-22", "E_DATE_ERA_RANGE"),  # before 明治
        ("2025-02-29", "E_DATE_INVALID"),
        ("2025-04-31", "E_DATE_INVALID"),
        ("2025-13-01", "E_DATE_INVALID"),
        ("2025-00-10", "E_DATE_INVALID"),
        ("20250230", "E_DATE_INVALID"),
        ("R7.2.29", "E_DATE_INVALID"),
        ("R0.5.1", "E_DATE_INVALID"),
        ("令和7年2月30日", "E_DATE_INVALID"),
        ("", "E_DATE_FORMAT"),
        ("   ", "E_DATE_FORMAT"),
        ("abc", "E_DATE_FORMAT"),
        ("2025-4/10", "E_DATE_FORMAT"),  # mixed separators
        ("25-04-10", "E_DATE_FORMAT"),  # two-digit year is ambiguous
        ("2025410", "E_DATE_FORMAT"),
        ("202504100", "E_DATE_FORMAT"),
        ("X7.4.10", "E_DATE_FORMAT"),
        ("R7.4", "E_DATE_FORMAT"),
        ("R123.4.10", "E_DATE_FORMAT"),
        ("令和7年4月10日です", "E_DATE_FORMAT"),
        ("٢٠٢٥-٠٤-١٠", "E_DATE_FORMAT"),  # Arabic-Indic digits are not accepted
    ],
)
def test_parse_rejects(text: str, code: str) -> None:
    with pytest.raises(InvalidDate) as info:
        parse_date(text)
    assert info.value.code == code
    assert isinstance(info.value, InvalidInput)
    assert info.value.message_ja


def test_format_error_message_lists_accepted_formats() -> None:
    with pytest.raises(InvalidDate) as info:
        parse_date("そのうち")
    message = info.value.message_ja
    for example in ("2025-04-10", "20250410", "R7.4.10", "令和7年4月10日"):
        assert example in message
    assert "そのうち" not in message


def test_era_range_message_names_the_era_span() -> None:
    with pytest.raises(InvalidDate) as info:
        parse_date("H31.5.1")
    assert "平成元年1月8日" in info.value.message_ja
    assert "平成31年4月30日" in info.value.message_ja


def test_invalid_date_message_does_not_echo_input() -> None:
    with pytest.raises(InvalidDate) as info:
        parse_date("1990-02-30")
    assert "1990" not in info.value.message_ja


def test_round_trip_every_day_from_meiji_to_2100() -> None:
    # Every supported day: each of the three formats parses back to the same date.
    d = ERAS[0].start
    last = date(2100, 12, 31)
    one = timedelta(days=1)
    count = 0
    while d <= last:
        long = format_wareki(d)
        short = format_wareki_short(d)
        if parse_date(long) != d or parse_date(short) != d or parse_date(d.isoformat()) != d:
            raise AssertionError(f"round trip failed for {d}: {long} / {short}")
        d += one
        count += 1
    assert count == (last - ERAS[0].start).days + 1


def test_era_boundaries_round_trip_and_neighbours() -> None:
    for era in ERAS[1:]:
        before = era.start - timedelta(days=1)
        assert era_of(before) is not era
        assert era_of(era.start) is era
        assert format_wareki(era.start).startswith(f"{era.name}元年")
        assert parse_date(format_wareki_short(before)) == before


@given(st.text(max_size=20))
def test_parse_arbitrary_text_raises_only_invalid_date(text: str) -> None:
    try:
        parsed = parse_date(text)
    except InvalidDate as error:
        assert error.code in {"E_DATE_FORMAT", "E_DATE_INVALID", "E_DATE_ERA_RANGE"}
    else:
        assert parsed >= ERAS[0].start


@given(
    st.dates(min_value=date(1868, 10, 23), max_value=date(2100, 12, 31)),
    st.sampled_from(["{y}-{m}-{d}", "{y}/{m}/{d}", "{y}年{m}月{d}日", "{y}.{m}.{d}"]),
)
def test_parse_seireki_with_or_without_padding(d: date, pattern: str) -> None:
    assert parse_date(pattern.format(y=d.year, m=d.month, d=d.day)) == d
    assert parse_date(pattern.format(y=d.year, m=f"{d.month:02d}", d=f"{d.day:02d}")) == d
