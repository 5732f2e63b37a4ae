"""Households (世帯) and their members for the synthetic register, following a Japanese age pyramid.

The age structure is the 2020 national census in 5-year bands (thousands, rounded), the youngest
band lowered and the oldest raised a little to stand for 2025: about 29% aged 65+ and 11–12%
under 15. Households are built around a "seed" person whose age band is drawn in proportion to
how far each band is still below its target, so the totals converge on the pyramid while families
stay realistic (parents 20–42 years older than their children, spouses of similar age, three
generations now and then). Every child under 18 has a guardian (a parent) in the same household.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from app.demo.pools import NamePools, era_of_year

# (lowest age, population in thousands) per band; the last band is 100–105.
PYRAMID: tuple[tuple[int, int], ...] = (
    (0, 4_250),
    (5, 5_050),
    (10, 5_350),
    (15, 5_650),
    (20, 6_300),
    (25, 6_250),
    (30, 6_500),
    (35, 7_200),
    (40, 8_100),
    (45, 9_500),
    (50, 9_200),
    (55, 8_000),
    (60, 7_400),
    (65, 7_500),
    (70, 9_000),
    (75, 7_400),
    (80, 5_800),
    (85, 3_900),
    (90, 1_900),
    (95, 520),
    (100, 90),
)
_TOTAL = sum(p for _, p in PYRAMID)
TARGET_SHARE = tuple(p / _TOTAL for _, p in PYRAMID)
YEAR_DAYS = 365.2425


@dataclass(slots=True)
class Member:
    sex: str
    birth: int  # date ordinal
    given: tuple[str, str]
    relationship: str
    guardian: int | None = None  # index of the guardian within the household
    # filled in later by the row builder
    flags: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Household:
    surname: tuple[str, str]
    members: list[Member]


class HouseholdMaker:
    """Draws households one at a time; deterministic for a ``random.Random`` state."""

    def __init__(self, rng: random.Random, pools: NamePools, today: date) -> None:
        self.rng = rng
        self.pools = pools
        self.today = today.toordinal()
        self.today_year = today.year
        self.counts = [0] * len(PYRAMID)
        self.total = 0

    # --- helpers -----------------------------------------------------------------------------

    def _band(self, age_years: float) -> int:
        return min(int(age_years // 5), len(PYRAMID) - 1)

    def _birth_for_age(self, age: float) -> int:
        return self.today - int(age * YEAR_DAYS) - self.rng.randrange(0, 365)

    def _given(self, sex: str, birth: int) -> tuple[str, str]:
        year = date.fromordinal(birth).year
        return self.rng.choice(self.pools.given[sex][era_of_year(year)])

    def _member(self, sex: str, birth: int, rel: str, guardian: int | None = None) -> Member:
        return Member(sex, birth, self._given(sex, birth), rel, guardian)

    def _age(self, birth: int) -> float:
        return (self.today - birth) / YEAR_DAYS

    def _seed_age(self) -> float:
        target = self.total + 50
        weights = [
            max(share * target - n, 0.0) + share * 0.5
            for share, n in zip(TARGET_SHARE, self.counts, strict=True)
        ]
        band = self.rng.choices(range(len(PYRAMID)), weights=weights)[0]
        return PYRAMID[band][0] + self.rng.random() * 5

    def _children(self, mother_birth: int, n: int, first_birth: int | None) -> list[int]:
        """Birth ordinals of ``n`` children of a mother, the first one fixed when given."""
        rng = self.rng
        earliest = mother_birth + int(19 * YEAR_DAYS)
        latest = min(mother_birth + int(44 * YEAR_DAYS), self.today - 1)
        births = [] if first_birth is None else [first_birth]
        while len(births) < n:
            anchor = births[-1] if births else rng.randint(earliest, max(earliest, latest))
            gap = int(rng.uniform(1.3, 6.0) * YEAR_DAYS)
            cand = anchor + gap if rng.random() < 0.6 else anchor - gap
            if not earliest <= cand <= latest:
                cand = anchor - gap if cand > latest else anchor + gap
            if not earliest <= cand <= latest:
                break
            births.append(cand)
        return sorted(births)

    def _family(self, *, child_birth: int | None, parent_age: float | None) -> list[Member]:
        """Parents (or one parent) with children, sometimes with a grandparent."""
        rng = self.rng
        if child_birth is not None:
            mother_birth = child_birth - int(rng.triangular(20, 42, 31) * YEAR_DAYS)
        else:
            mother_birth = self._birth_for_age(parent_age or 35.0)
        father_birth = mother_birth - int(rng.triangular(-3, 8, 2) * YEAR_DAYS)
        single = rng.random() < 0.11
        n_children = rng.choices((1, 2, 3, 4), weights=(40, 42, 15, 3))[0]
        kids = self._children(mother_birth, n_children, child_birth)
        out: list[Member] = []
        if single and rng.random() < 0.85:
            out.append(self._member("F", mother_birth, "世帯主"))
            guardian_of = (0, 0)
        elif single:
            out.append(self._member("M", father_birth, "世帯主"))
            guardian_of = (0, 0)
        else:
            out.append(self._member("M", father_birth, "世帯主"))
            out.append(self._member("F", mother_birth, "妻"))
            guardian_of = (1, 0)
        if rng.random() < 0.08:  # three generations: the head's parent(s)
            gp_birth = out[0].birth - int(rng.triangular(22, 38, 29) * YEAR_DAYS)
            if self._age(gp_birth) < 104:
                out.append(self._member(rng.choice("MF"), gp_birth, ""))
                out[-1].relationship = "父" if out[-1].sex == "M" else "母"
        for b in kids:
            sex = rng.choice("MF")
            minor = self._age(b) < 18
            guardian = guardian_of[0] if rng.random() < 0.75 else guardian_of[1]
            out.append(self._member(sex, b, "子", guardian if minor else None))
        return out

    def _couple(self, seed_birth: int, seed_sex: str) -> list[Member]:
        rng = self.rng
        gap = int(rng.triangular(-3, 8, 2) * YEAR_DAYS)
        other = seed_birth + gap if seed_sex == "M" else seed_birth - gap
        other = min(max(other, self.today - int(104 * YEAR_DAYS)), self.today - int(18 * YEAR_DAYS))
        if seed_sex == "M":
            return [self._member("M", seed_birth, "世帯主"), self._member("F", other, "妻")]
        if rng.random() < 0.9:
            return [self._member("M", other, "世帯主"), self._member("F", seed_birth, "妻")]
        return [self._member("F", seed_birth, "世帯主"), self._member("M", other, "夫")]

    def _elderly_with_family(self, seed_birth: int, seed_sex: str) -> list[Member]:
        """An older couple or widow(er) with an adult child and maybe grandchildren (孫)."""
        rng = self.rng
        out = (
            self._couple(seed_birth, seed_sex)
            if rng.random() < 0.6
            else [self._member(seed_sex, seed_birth, "世帯主")]
        )
        mother = next((m for m in out if m.sex == "F"), out[0])
        child_birth = mother.birth + int(rng.triangular(22, 40, 29) * YEAR_DAYS)
        child_birth = min(child_birth, self.today - int(20 * YEAR_DAYS))
        child = self._member(rng.choice("MF"), child_birth, "子")
        out.append(child)
        parent_index = len(out) - 1
        if self._age(child_birth) > 24 and rng.random() < 0.45:
            for b in self._children(child_birth, 2, None):
                if b > child_birth + int(19 * YEAR_DAYS):
                    minor = self._age(b) < 18
                    out.append(
                        self._member(rng.choice("MF"), b, "孫", parent_index if minor else None)
                    )
        return out

    # --- public ------------------------------------------------------------------------------

    def next_household(self) -> Household:
        rng = self.rng
        age = self._seed_age()
        seed_birth = self._birth_for_age(age)
        sex = rng.choice("MF")
        r = rng.random()
        if age < 18 or (age < 25 and r < 0.55):
            members = self._family(child_birth=seed_birth, parent_age=None)
        elif age < 65:
            if r < 0.30:
                members = [self._member(sex, seed_birth, "世帯主")]
            elif r < 0.50:
                members = self._couple(seed_birth, sex)
            else:
                members = self._family(child_birth=None, parent_age=age)
        elif r < 0.38:
            members = [self._member(sex, seed_birth, "世帯主")]
        elif r < 0.85:
            members = self._couple(seed_birth, sex)
        else:
            members = self._elderly_with_family(seed_birth, sex)
        for m in members:
            self.counts[self._band(self._age(m.birth))] += 1
        self.total += len(members)
        surname = rng.choices(self.pools.surnames, weights=self.pools.surname_weights)[0]
        return Household(surname, members)

    def households(self) -> Iterator[Household]:
        while True:
            yield self.next_household()
