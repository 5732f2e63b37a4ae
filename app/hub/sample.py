"""Synthetic resident master CSV (fictional people only) for the demo, tests and benchmarks."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from app.domain.ids import mynumber_check_digit
from app.hub.residents_csv import COLUMNS

_SURNAMES = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
]
_GIVEN = [
    ("太郎", "タロウ", "M"),
    ("花子", "ハナコ", "F"),
    ("健", "ケン", "M"),
    ("陽菜", "ヒナ", "F"),
    ("蓮", "レン", "M"),
    ("結衣", "ユイ", "F"),
    ("翔", "ショウ", "M"),
    ("美咲", "ミサキ", "F"),
    ("大輝", "ダイキ", "M"),
    ("葵", "アオイ", "F"),
]
_TOWNS = ["甲府市丸の内", "甲府市中央", "甲府市相生", "甲府市朝日", "甲府市北口", "甲府市宝"]


def mynumber(seq: int) -> str:
    first11 = f"{seq:011d}"
    return first11 + str(mynumber_check_digit(first11))


def resident_rows(
    count: int, *, seed: int = 1, atena_width: int = 10, start: int = 1
) -> Iterator[list[str]]:
    """``count`` rows in ``COLUMNS`` order; the same seed gives the same rows."""
    rng = random.Random(seed)
    base = date(1930, 1, 1)
    span = (date(2025, 12, 31) - base).days
    for i in range(start, start + count):
        sur, sur_kana = _SURNAMES[rng.randrange(len(_SURNAMES))]
        given, given_kana, sex = _GIVEN[rng.randrange(len(_GIVEN))]
        birth = base + timedelta(days=rng.randrange(span))
        yield [
            f"{i:0{atena_width}d}",
            f"{sur}　{given}",
            f"{sur_kana} {given_kana}",
            birth.isoformat(),
            "男" if sex == "M" else "女",
            f"{_TOWNS[i % len(_TOWNS)]}{i % 50 + 1}丁目{i % 30 + 1}",
            f"{(i // 3) + 1:08d}",
            "世帯主" if i % 3 == 1 else "子",
            mynumber(i * 7 + 3) if i % 4 else "",
            "",
            "",
        ]


def write_residents_csv(
    path: Path, rows: Iterator[list[str]] | list[list[str]], *, encoding: str = "utf-8"
) -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
