"""Synthetic resident master and master CSVs (fictional people and institutions only) for the demo,
tests and benchmarks."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from app.domain.ids import mynumber_check_digit
from app.hub.masters_csv import COLUMNS as MASTER_COLUMNS
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


def master_rows() -> list[list[str]]:
    """A fictional municipality's masters in ``masters_csv.COLUMNS`` order: the 医療機関 and
    vaccines with lots that tests/support/registers.add_masters gives a test register."""
    blank = [""] * 10

    def row(**values: str) -> list[str]:
        out = blank[:]
        for name, value in values.items():
            out[MASTER_COLUMNS.index(_MASTER_NAMES[name])] = value
        return out

    return [
        row(kind="医療機関", code="1310000001", name="テスト小児科", address="テスト市本町2-1"),
        row(kind="医療機関", code="1310000002", name="テスト内科", kana="テストナイカ"),
        row(
            kind="ワクチン",
            code="mr",
            name="乾燥弱毒生麻しん風しん混合ワクチン",
            maker="テスト製薬",
        ),
        row(kind="ワクチン", code="varicella", name="乾燥弱毒生水痘ワクチン", maker="テスト製薬"),
        row(kind="ワクチン", code="dpt_ipv_hib", name="5種混合ワクチン", maker="テスト製薬"),
        row(kind="ロット", code="mr", lot="MR001", expires="2099-12-31"),
        row(kind="ロット", code="mr", lot="MR-OLD", expires="2020-01-31"),
        row(kind="ロット", code="varicella", lot="VZ001", expires="2099-12-31"),
        row(kind="ロット", code="dpt_ipv_hib", lot="GB001", expires="2099-12-31"),
    ]


_MASTER_NAMES = {
    "kind": "種別",
    "code": "コード",
    "name": "名称",
    "kana": "カナ",
    "address": "住所",
    "phone": "電話",
    "maker": "メーカー",
    "lot": "ロット番号",
    "expires": "有効期限",
    "uid": "uid",
}


def write_masters_csv(
    path: Path, rows: list[list[str]], *, encoding: str = "utf-8", header: list[str] | None = None
) -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(header or MASTER_COLUMNS)
        writer.writerows(rows)
