"""Master rows of the demo register: 医療機関, vaccines (products), lots and unit prices.

Rows are tuples in the column order declared here (``*_COLUMNS``), ready for app.store.bulk.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from app.demo.pools import INSTITUTION_PATTERNS, Town, full_name, name_pools
from app.demo.products import PRODUCTS, UNIT_PRICES, UNIT_PRICES_FROM, lot_rows
from app.store.stamps import HybridClock, Stamp, new_uid

STAMP_COLUMNS = ("updated_date", "updated_time", "updated_by")
INSTITUTION_COLUMNS = (
    "id",
    "uid",
    "version",
    "origin",
    "code",
    "name",
    "name_kana",
    "address",
    "phone",
    *STAMP_COLUMNS,
)
VACCINE_COLUMNS = ("id", "uid", "version", "origin", "product_id", "name", "maker", *STAMP_COLUMNS)
LOT_COLUMNS = (
    "uid",
    "version",
    "origin",
    "vaccine_id",
    "lot_no",
    "expires_on",
    *STAMP_COLUMNS,
)
UNIT_PRICE_COLUMNS = ("series_id", "product_id", "price_yen", "effective_from", *STAMP_COLUMNS)

HEALTH_CENTER = "デモ市保健センター"


@dataclass(frozen=True, slots=True)
class Institution:
    id: int
    kind: str  # center / child / adult / family
    name: str
    doctors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Masters:
    institutions: tuple[Institution, ...]
    institution_rows: list[tuple[object, ...]]
    vaccine_ids: tuple[int, ...]  # per PRODUCTS index
    vaccine_rows: list[tuple[object, ...]]
    lot_rows: list[tuple[object, ...]]
    unit_price_rows: list[tuple[object, ...]]

    def for_children(self) -> tuple[Institution, ...]:
        return tuple(i for i in self.institutions if i.kind in ("child", "family"))

    def for_adults(self) -> tuple[Institution, ...]:
        return tuple(i for i in self.institutions if i.kind in ("adult", "family"))


def build_masters(
    rng: random.Random,
    *,
    count: int,
    towns: tuple[Town, ...],
    city: str,
    first_institution_id: int,
    first_vaccine_id: int,
    clock: HybridClock,
    stamp: Stamp,
) -> Masters:
    pools = name_pools()
    origin = clock.origin
    st = (stamp.updated_date, stamp.updated_time, stamp.updated_by)
    institutions: list[Institution] = []
    inst_rows: list[tuple[object, ...]] = []
    used: set[str] = set()
    for n in range(count):
        iid = first_institution_id + n
        town = rng.choice(towns)
        if n == 0:
            kind, name, kana = "center", HEALTH_CENTER, "デモシホケンセンター"
        else:
            kind, tmpl, kana_tmpl = rng.choice(INSTITUTION_PATTERNS)
            surname = rng.choices(pools.surnames, weights=pools.surname_weights)[0]
            name = tmpl.format(s=surname[0], t=town.name)
            kana = kana_tmpl.format(sk=surname[1])
            if name in used:
                name, kana = f"{town.name}{name}", kana
        used.add(name)
        doctors = tuple(
            full_name(
                rng.choices(pools.surnames, weights=pools.surname_weights)[0],
                rng.choice(pools.given[sex][1]),
            )[0]
            for sex in rng.choices("MF", weights=(6, 4), k=rng.randint(1, 3))
        )
        institutions.append(Institution(iid, kind, name, doctors))
        code = f"99{1 if n % 7 else 3}{1000000 + n * 13:07d}"  # 10 digits: pref + table + number
        address = (
            f"{city}{town.name}{rng.randint(1, 5)}丁目{rng.randint(1, 27)}番{rng.randint(1, 20)}号"
        )
        phone = f"099-{rng.randint(200, 299)}-{rng.randint(0, 9999):04d}"
        inst_rows.append(
            (iid, new_uid(), clock.next(), origin, code, name, kana, address, phone, *st)
        )

    vaccine_ids = tuple(first_vaccine_id + i for i in range(len(PRODUCTS)))
    vaccine_rows: list[tuple[object, ...]] = [
        (vaccine_ids[i], new_uid(), clock.next(), origin, p.product_id, p.brand, p.maker, *st)
        for i, p in enumerate(PRODUCTS)
    ]
    lots: list[tuple[object, ...]] = [
        (new_uid(), clock.next(), origin, vaccine_ids[pi], lot_no, expires, *st)
        for pi, lot_no, expires in lot_rows()
    ]
    prices: list[tuple[object, ...]] = [
        (series, product, yen, UNIT_PRICES_FROM, *st) for series, product, yen in UNIT_PRICES
    ]
    return Masters(tuple(institutions), inst_rows, vaccine_ids, vaccine_rows, lots, prices)
