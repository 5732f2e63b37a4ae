"""Streaming generator of the synthetic register: households, persons, 個人番号, 予診票 issuances
and vaccination rows, in chunks of bounded size, deterministic for a seed.

Everything except the 個人番号 is deterministic for the seed. The numbers come from a random
secret drawn from the OS for each generator and never stored: the seed recorded in the audit log
does not allow anyone to regenerate a demo register's personal numbers.

Pure generation (no SQL): rows are tuples in the ``*_COLUMNS`` order, written by app.store.bulk.
The personal number is sealed by a caller-supplied function (encryption + blind index under NK),
so this module never sees a key.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from app.demo.history import Event, HistoryMaker
from app.demo.masters import STAMP_COLUMNS, Masters, build_masters
from app.demo.pools import building_names, full_name, name_pools, towns
from app.demo.population import YEAR_DAYS, Household, HouseholdMaker
from app.demo.rows import VaccinationRows
from app.domain.ids import mynumber_check_digit
from app.store.stamps import HybridClock, Stamp, new_uid

HOUSEHOLD_COLUMNS = (
    "id",
    "uid",
    "version",
    "origin",
    "household_no",
    "postal_code",
    "address",
    "area_code",
    *STAMP_COLUMNS,
)
PERSON_COLUMNS = (
    "id",
    "uid",
    "version",
    "origin",
    "atena_no",
    "name",
    "name_kana",
    "kana_key",
    "sex",
    "birth_date",
    "household_id",
    "relationship",
    "guardian_id",
    "postal_code",
    "address",
    "phone",
    "tax_status",
    "moved_in_date",
    "moved_out",
    "moved_out_date",
    "deceased",
    "deceased_date",
    "provisional",
    *STAMP_COLUMNS,
)
NUMBER_COLUMNS = (
    "uid",
    "version",
    "origin",
    "person_id",
    "number_ct",
    "blind_index",
    *STAMP_COLUMNS,
)

HUB_ORIGIN = "hub"
NUMBER_STAFF = "90004"  # 番号利用事務担当: runs the resident-master import
ADMIN_STAFF = "90001"
ATENA_WIDTH = 10
CITY_PREFIX = "デモ県デモ市"

# (ciphertext, blind index) for (person uid, 12-digit number)
NumberSealer = Callable[[bytes, str], tuple[bytes, bytes]]


@dataclass(frozen=True, slots=True)
class StartIds:
    household: int = 1
    person: int = 1
    institution: int = 1
    vaccine: int = 1
    issuance: int = 1


@dataclass(slots=True)
class Chunk:
    households: list[tuple[object, ...]] = field(default_factory=list)
    persons: list[tuple[object, ...]] = field(default_factory=list)
    numbers: list[tuple[object, ...]] = field(default_factory=list)
    issuances: list[tuple[object, ...]] = field(default_factory=list)
    vaccinations: list[tuple[object, ...]] = field(default_factory=list)


class DemoGenerator:
    """``masters`` first, then iterate ``chunks()`` until ``persons`` persons were produced."""

    def __init__(
        self,
        persons: int,
        seed: int,
        *,
        today: date,
        terminal_id: str,
        sealer: NumberSealer,
        start: StartIds | None = None,
        chunk_persons: int = 5_000,
        institutions: int = 100,
        covid_special: bool = False,
    ) -> None:
        if persons < 1:
            raise ValueError("persons must be positive")
        self.persons = persons
        self.today = today
        self.chunk_persons = chunk_persons
        self.covid_special = covid_special
        self.sealer = sealer
        self.start = start or StartIds()
        self.rng = random.Random(seed)
        self.hub_clock = HybridClock(HUB_ORIGIN)
        self.terminal_clock = HybridClock(terminal_id)
        self.towns = towns(seed)
        self.buildings = building_names()
        self.masters: Masters = build_masters(
            self.rng,
            count=institutions,
            towns=self.towns,
            city=CITY_PREFIX,
            first_institution_id=self.start.institution,
            first_vaccine_id=self.start.vaccine,
            clock=self.hub_clock,
            stamp=Stamp(today.isoformat(), "09:00:00", ADMIN_STAFF),
        )
        self.vrows = VaccinationRows(
            self.rng,
            self.masters,
            today=today,
            clock=self.terminal_clock,
            first_issuance_id=self.start.issuance,
        )
        # My Numbers: an affine permutation of 0..10^11-1 gives unique 11-digit stems. Its
        # parameters come from the OS random source (a secret discarded with the generator), not
        # from the seed; the two seeded draws are still made so every other value stays the same.
        self.rng.randrange(10**10, 10**11)
        self.rng.randrange(10**11)
        self._mn_a = 10**10 + secrets.randbelow(9 * 10**10)
        while self._mn_a % 2 == 0 or self._mn_a % 5 == 0:  # coprime to 10^11: a bijection
            self._mn_a += 1
        self._mn_b = secrets.randbelow(10**11)
        self.produced = 0
        self.households_made = 0

    # --- personal attributes -----------------------------------------------------------------

    def my_number(self, index: int) -> str:
        stem = f"{(self._mn_a * index + self._mn_b) % 10**11:011d}"
        return stem + str(mynumber_check_digit(stem))

    def _iso(self, ordinal: int) -> str:
        return self.vrows.iso(ordinal)

    def _mobile(self) -> str:
        r = self.rng
        return f"0{r.choice('789')}0-{r.randint(1000, 9999)}-{r.randint(0, 9999):04d}"

    def chunks(self) -> Iterator[Chunk]:
        maker = HouseholdMaker(self.rng, name_pools(), self.today)
        rng = self.rng
        today = self.today.toordinal()
        hist = HistoryMaker(rng, self.today)
        atena = 1_000_000_000 + rng.randrange(0, 50_000)
        household_no = 2_000_000_000 + rng.randrange(0, 50_000)
        hid, pid = self.start.household, self.start.person
        chunk = Chunk()
        hub_stamp = (NUMBER_STAFF,)
        while self.produced < self.persons:
            hh: Household = maker.next_household()
            members = hh.members[: self.persons - self.produced]
            town = rng.choice(self.towns)
            address = f"{CITY_PREFIX}{town.name}{rng.randint(1, 9)}丁目{rng.randint(1, 27)}番{rng.randint(1, 20)}号"
            if rng.random() < 0.3:
                address += f"\u3000{town.name}{rng.choice(self.buildings)}{rng.randint(1, 12)}0{rng.randint(1, 9)}"
            landline = (
                f"099-{rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
                if rng.random() < 0.4
                else None
            )
            head_age = (today - members[0].birth) / YEAR_DAYS
            tax = "非課税" if rng.random() < (0.45 if head_age >= 65 else 0.17) else "課税"
            if rng.random() < 0.02:
                tax = "生活保護"
            household_no += rng.randint(1, 3)
            moved_in = None
            if rng.random() < 0.25:
                moved_in = today - rng.randint(30, 30 * 365)
            hh_updated = self._iso(min(today, (moved_in or today - rng.randint(30, 3000)) + 7))
            chunk.households.append(
                (
                    hid,
                    new_uid(),
                    self.hub_clock.next(),
                    HUB_ORIGIN,
                    f"{household_no:010d}",
                    town.postal_code,
                    address,
                    town.area_code,
                    hh_updated,
                    self.vrows.time_of_day(),
                    *hub_stamp,
                )
            )
            first_pid = pid
            for m in members:
                age = (today - m.birth) / YEAR_DAYS
                name, kana, key = full_name(hh.surname, m.given)
                atena += rng.randint(1, 3)
                phone = self._mobile() if age >= 15 and rng.random() < 0.7 else landline
                person_moved_in = moved_in if moved_in and moved_in > m.birth else None
                moved_out_day = deceased_day = None
                if rng.random() < 0.02:
                    moved_out_day = today - rng.randint(1, 6 * 365)
                elif age >= 65 and rng.random() < (
                    0.005 if age < 75 else 0.02 if age < 85 else 0.06
                ):
                    deceased_day = today - rng.randint(1, 5 * 365)
                end = min(x for x in (today, moved_out_day, deceased_day) if x is not None)
                if end <= m.birth:
                    moved_out_day = deceased_day = None
                    end = today
                last_change = max(
                    m.birth, person_moved_in or 0, moved_out_day or 0, deceased_day or 0
                )
                uid = new_uid()
                chunk.persons.append(
                    (
                        pid,
                        uid,
                        self.hub_clock.next(),
                        HUB_ORIGIN,
                        f"{atena:0{ATENA_WIDTH}d}",
                        name,
                        kana,
                        key,
                        m.sex,
                        self._iso(m.birth),
                        hid,
                        m.relationship,
                        None if m.guardian is None else first_pid + m.guardian,
                        town.postal_code,
                        address,
                        phone,
                        "非課税" if age < 18 and tax == "課税" else tax,
                        None if person_moved_in is None else self._iso(person_moved_in),
                        int(moved_out_day is not None),
                        None if moved_out_day is None else self._iso(moved_out_day),
                        int(deceased_day is not None),
                        None if deceased_day is None else self._iso(deceased_day),
                        0,
                        self._iso(min(today, last_change + rng.randint(1, 14))),
                        self.vrows.time_of_day(),
                        *hub_stamp,
                    )
                )
                ct, blind = self.sealer(uid, self.my_number(pid))
                chunk.numbers.append(
                    (
                        new_uid(),
                        self.hub_clock.next(),
                        HUB_ORIGIN,
                        pid,
                        ct,
                        blind,
                        self._iso(min(today, last_change + rng.randint(1, 30))),
                        "10:00:00",
                        *hub_stamp,
                    )
                )
                events: list[Event] = hist.history(
                    m.sex, m.birth, end, covid_special=self.covid_special
                )
                self.vrows.add(chunk, pid, m.birth, age, events)
                pid += 1
            hid += 1
            self.produced += len(members)
            self.households_made += 1
            if len(chunk.persons) >= self.chunk_persons:
                yield chunk
                chunk = Chunk()
        if chunk.persons:
            yield chunk

    @property
    def last_terminal_version(self) -> str:
        return self.terminal_clock.next()
