"""Value pools for the synthetic register, built once from faker's ``ja_JP`` provider data.

Calling faker per row is far too slow for a million persons, so the provider's tables (surnames with
their kana and frequency weights, given names with kana, towns, building names) are read once and
sampled with the generator's own ``random.Random``. Given names are split by birth era with a few
additions so that a 90-year-old is not called 翔太.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from faker.providers.address.ja_JP import Provider as AddressProvider
from faker.providers.person.ja_JP import Provider as PersonProvider

from app.domain.kana import normalize_kana

IDEOGRAPHIC_SPACE = "\u3000"

# Given names typical of older and younger cohorts (name, kana), added to faker's list.
_OLD_MALE = (
    ("清", "キヨシ"),
    ("勝", "マサル"),
    ("茂", "シゲル"),
    ("正", "タダシ"),
    ("實", "ミノル"),
    ("博", "ヒロシ"),
    ("進", "ススム"),
    ("武", "タケシ"),
    ("正雄", "マサオ"),
    ("昭", "アキラ"),
)
_OLD_FEMALE = (
    ("和子", "カズコ"),
    ("幸子", "サチコ"),
    ("節子", "セツコ"),
    ("洋子", "ヨウコ"),
    ("恵子", "ケイコ"),
    ("京子", "キョウコ"),
    ("久子", "ヒサコ"),
    ("トシ子", "トシコ"),
    ("美代子", "ミヨコ"),
    ("悦子", "エツコ"),
)
_YOUNG_MALE = (
    ("蓮", "レン"),
    ("陽翔", "ハルト"),
    ("湊", "ミナト"),
    ("蒼", "アオイ"),
    ("樹", "イツキ"),
    ("大翔", "ヒロト"),
    ("悠真", "ユウマ"),
    ("朝陽", "アサヒ"),
    ("律", "リツ"),
    ("颯太", "ソウタ"),
)
_YOUNG_FEMALE = (
    ("陽葵", "ヒマリ"),
    ("結菜", "ユイナ"),
    ("芽依", "メイ"),
    ("紬", "ツムギ"),
    ("凛", "リン"),
    ("葵", "アオイ"),
    ("咲良", "サクラ"),
    ("莉子", "リコ"),
    ("澪", "ミオ"),
    ("結愛", "ユア"),
)

OLD_BEFORE_YEAR = 1960
YOUNG_FROM_YEAR = 1995


@dataclass(frozen=True, slots=True)
class NamePools:
    surnames: tuple[tuple[str, str], ...]
    surname_weights: tuple[float, ...]
    # given[sex][era] → (name, kana) pairs; era 0 old, 1 middle, 2 young
    given: Mapping[str, tuple[tuple[tuple[str, str], ...], ...]]


def _pairs(rows: object) -> tuple[tuple[str, str], ...]:
    return tuple((str(r[0]), str(r[1])) for r in rows)  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def name_pools() -> NamePools:
    surnames = tuple((str(k[0]), str(k[1])) for k in PersonProvider.last_name_pairs)
    weights = tuple(float(w) for w in PersonProvider.last_name_pairs.values())
    male = _pairs(PersonProvider.first_name_male_pairs)
    female = _pairs(PersonProvider.first_name_female_pairs)
    given = {
        "M": (_OLD_MALE + male[: len(male) // 2], male, male + _YOUNG_MALE),
        "F": (_OLD_FEMALE + female[: len(female) // 2], female, female + _YOUNG_FEMALE),
    }
    return NamePools(surnames, weights, given)


def era_of_year(year: int) -> int:
    if year < OLD_BEFORE_YEAR:
        return 0
    return 2 if year >= YOUNG_FROM_YEAR else 1


@lru_cache(maxsize=65536)
def full_name(surname: tuple[str, str], given: tuple[str, str]) -> tuple[str, str, str]:
    """(氏名, カナ氏名, kana search key) for a surname and given name, cached per pair."""
    name = surname[0] + IDEOGRAPHIC_SPACE + given[0]
    kana = surname[1] + IDEOGRAPHIC_SPACE + given[1]
    return name, kana, normalize_kana(kana)


@dataclass(frozen=True, slots=True)
class Town:
    name: str
    postal_code: str
    area_code: str


def towns(rng_seed: int, count: int = 48) -> tuple[Town, ...]:
    """Towns (町名) of the demo city with postal codes and 地区 codes, fixed for a seed."""
    import random

    rng = random.Random(rng_seed * 7919 + 17)
    names = sorted(set(AddressProvider.towns))
    picked = rng.sample(names, min(count, len(names)))
    base = 990 - rng.randrange(0, 50)
    return tuple(
        Town(name, f"{base:03d}-{(i * 37 + 101) % 10000:04d}", f"{i % 12 + 1:02d}")
        for i, name in enumerate(picked)
    )


def building_names() -> tuple[str, ...]:
    return tuple(AddressProvider.building_names)


# 医療機関 name patterns: (kind, name template, kana template); {s}/{sk} = surname / its kana.
INSTITUTION_PATTERNS = (
    ("child", "{s}こどもクリニック", "{sk}コドモクリニック"),
    ("child", "{s}小児科医院", "{sk}ショウニカイイン"),
    ("child", "{t}キッズクリニック", "キッズクリニック"),
    ("adult", "{s}内科医院", "{sk}ナイカイイン"),
    ("adult", "{s}内科クリニック", "{sk}ナイカクリニック"),
    ("adult", "{s}医院", "{sk}イイン"),
    ("family", "{s}ファミリークリニック", "{sk}ファミリークリニック"),
    ("family", "{t}診療所", "シンリョウジョ"),
)

POSTPONE_REASONS = (
    "37.5℃以上の発熱",
    "急性疾患のため",
    "予診の結果、医師が見合わせと判断",
    "保護者の希望により延期",
    "他のワクチン接種から間隔不足",
)
