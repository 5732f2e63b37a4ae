"""Vaccination and issuance rows for one person's generated history.

Fills every column of ``vaccinations`` where the data makes sense: 受付番号, 医療機関 and 予診医療機関,
支払月, lot, dose amount, route, site, place, doctor, vaccine name and maker, 有効日, the 予診票
issuance it came in on, 見合わせ reasons, special rules, and now and then an entry voided as a
typing error. Dates are looked up from a table of ISO strings (date ordinals are the currency).
"""

from __future__ import annotations

import random
from datetime import date
from typing import TYPE_CHECKING

from app.demo.history import Event
from app.demo.masters import STAMP_COLUMNS, Institution, Masters
from app.demo.products import PRODUCT_INDEX, PRODUCTS, lot_for, quarter_of
from app.domain.reissue import REISSUE_REASONS
from app.store.stamps import HybridClock, new_uid

if TYPE_CHECKING:
    from app.demo.generator import Chunk

VACCINATION_COLUMNS = (
    "uid",
    "version",
    "origin",
    "person_id",
    "series_id",
    "product_id",
    "dose_no",
    "dose_label",
    "outcome",
    "category",
    "vaccinated_on",
    "receipt_no",
    "institution_id",
    "payment_month",
    "follow_up",
    "lot_no",
    "dose_amount_ml",
    "route",
    "site",
    "place",
    "doctor",
    "vaccine_name",
    "maker",
    "effective_date",
    "screening_institution_id",
    "screening_doctor",
    "issuance_id",
    "override_reason",
    "postpone_reason",
    "special_rule",
    "voided_at",
    "void_reason",
    *STAMP_COLUMNS,
)
ISSUANCE_COLUMNS = (
    "id",
    "uid",
    "version",
    "origin",
    "person_id",
    "fiscal_year",
    "doc_type",
    "series_id",
    "dose_label",
    "issue_no",
    "reason",
    "issued_on",
    "process_kind",
    *STAMP_COLUMNS,
)

NURSE_STAFF = "90003"
CLERK_STAFF = "90002"
_ISO_BASE = date(1900, 1, 1).toordinal()
ISSUANCE_FROM_FY = 2025
VOIDED_SHARE = 0.002
# the service's labels (紛失, 汚損・破損, 転入), so demo 発行履歴 reads like real 再発行
DEMO_REISSUE_LABELS = tuple(REISSUE_REASONS.values())[:3]
_SITES_SC = ("左上腕", "右上腕", "左上腕", "右上腕", "左大腿", "右大腿")
_SITES_IM = ("左上腕三角筋", "右上腕三角筋")
_INFANT_SERIES = frozenset({"hepb", "rota", "dpt_ipv", "hib", "pcv", "bcg"})


class VaccinationRows:
    def __init__(
        self,
        rng: random.Random,
        masters: Masters,
        *,
        today: date,
        clock: HybridClock,
        first_issuance_id: int,
    ) -> None:
        self.rng = rng
        self.masters = masters
        self.today = today.toordinal()
        self.clock = clock
        self.origin = clock.origin
        end = self.today + 800
        self._iso = [date.fromordinal(o).isoformat() for o in range(_ISO_BASE, end)]
        self._next_month: dict[str, str] = {}
        for o in range(_ISO_BASE, end, 28):
            month = self._iso[o - _ISO_BASE][:7]
            y, m = int(month[:4]), int(month[5:7])
            self._next_month[month] = f"{y + m // 12:04d}-{m % 12 + 1:02d}"
        self._times = [
            f"{h:02d}:{m:02d}:{s:02d}"
            for h in range(8, 18)
            for m in range(0, 60, 7)
            for s in (5, 23, 41)
        ]
        self.children_clinics = masters.for_children()
        self.adult_clinics = masters.for_adults()
        self.center = masters.institutions[0]
        self.issuance_id = first_issuance_id
        self.issue_no = 3_000_000_000 + rng.randrange(0, 100_000)
        self.receipt = 0
        self._lot_cache: dict[tuple[int, int], str] = {}
        self.vaccinations = 0
        self.issuances = 0

    def iso(self, ordinal: int) -> str:
        return self._iso[ordinal - _ISO_BASE]

    def time_of_day(self) -> str:
        return self.rng.choice(self._times)

    def _lot(self, pi: int, on: int) -> str:
        key = (pi, quarter_of(on) if on > 0 else 0)
        lot = self._lot_cache.get(key)
        if lot is None:
            lot = self._lot_cache[key] = lot_for(pi, on)
        return lot

    def _fy(self, iso: str) -> int:
        y = int(iso[:4])
        return y if iso[5:7] >= "04" else y - 1

    def _issuance(self, chunk: Chunk, pid: int, ev: Event, doc_type: str, issued_on: int) -> int:
        """An issuance (sometimes reissued, the original kept); returns the id the dose cites."""
        rng = self.rng
        iso = self.iso(issued_on)
        reissue = rng.random() < 0.04
        ids = []
        for kind in ("new", "reissue") if reissue else ("new",):
            self.issue_no += rng.randint(1, 4)
            on = iso if kind == "new" else self.iso(min(issued_on + rng.randint(3, 20), self.today))
            chunk.issuances.append(
                (
                    self.issuance_id,
                    new_uid(),
                    self.clock.next(),
                    self.origin,
                    pid,
                    self._fy(on),
                    doc_type,
                    ev.series_id,
                    ev.dose_label,
                    f"{self.issue_no:010d}",
                    None if kind == "new" else rng.choice(DEMO_REISSUE_LABELS),
                    on,
                    kind,
                    on,
                    self.time_of_day(),
                    CLERK_STAFF,
                )
            )
            ids.append(self.issuance_id)
            self.issuance_id += 1
            self.issuances += 1
        return ids[-1]

    def add(self, chunk: Chunk, pid: int, birth: int, age_now: float, events: list[Event]) -> None:
        rng = self.rng
        today = self.today
        child = age_now < 30
        clinics = self.children_clinics if child else self.adult_clinics
        home: Institution = rng.choice(clinics)
        adult_home: Institution = rng.choice(self.adult_clinics)
        issue_from = date(ISSUANCE_FROM_FY, 4, 1).toordinal()
        out = chunk.vaccinations
        for ev in events:
            on = ev.on
            adult_dose = on - birth > 40 * 365
            if ev.series_id == "bcg" and rng.random() < 0.4:
                inst = self.center
            elif rng.random() < 0.85:
                inst = adult_home if adult_dose else home
            else:
                inst = rng.choice(self.adult_clinics if adult_dose else clinics)
            doctor = rng.choice(inst.doctors)
            pi = PRODUCT_INDEX[ev.product_id]
            product = PRODUCTS[pi]
            iso = self.iso(on)
            given = ev.postpone_reason is None
            entered = min(on + rng.randint(3, 45), today)
            self.receipt += 1
            receipt_no = f"{self._fy(iso) % 100:02d}{self.receipt:08d}"
            issuance_id = None
            if on >= issue_from and given and rng.random() < (0.35 if child else 0.2):
                doc = "yoshinhyo" if child else "voucher"
                issuance_id = self._issuance(
                    chunk, pid, ev, doc, max(on - rng.randint(7, 60), birth + 1)
                )
            dose_ml: float | None = None
            route: str | None = None
            site: str | None = None
            lot: str | None = None
            if given:
                dose_ml = product.dose_ml
                if dose_ml is not None and ev.series_id in ("hepb", "je1") and on - birth < 3 * 365:
                    dose_ml = 0.25
                elif ev.product_id == "hepb" and on - birth >= 10 * 365:
                    dose_ml = 0.5
                route = product.route
                if route == "oral":
                    site = None
                elif route == "intramuscular":
                    site = rng.choice(_SITES_IM)
                elif route == "percutaneous":
                    site = "左上腕"
                else:
                    site = rng.choice(
                        _SITES_SC if ev.series_id in _INFANT_SERIES else _SITES_SC[:4]
                    )
                lot = self._lot(pi, on)
            row = (
                new_uid(),
                self.clock.next(),
                self.origin,
                pid,
                ev.series_id,
                ev.product_id,
                ev.dose_no,
                ev.dose_label,
                "given" if given else "postponed",
                "routine",
                iso,
                receipt_no,
                inst.id,
                self._next_month[iso[:7]],
                int(rng.random() < 0.003),
                lot,
                dose_ml,
                route,
                site,
                inst.name,
                doctor,
                product.brand,
                product.maker,
                iso,
                inst.id,
                doctor,
                issuance_id,
                "間隔超過（医師判断）" if rng.random() < 0.0008 else None,
                ev.postpone_reason,
                ev.special_rule,
                None,
                None,
                self.iso(entered),
                self.time_of_day(),
                NURSE_STAFF,
            )
            out.append(row)
            self.vaccinations += 1
            if given and rng.random() < VOIDED_SHARE:  # a typing error, voided and re-entered
                wrong = min(on + rng.randint(1, 30), today)
                voided_at = f"{self.iso(min(entered + rng.randint(1, 20), today))}T10:15:00"
                out.append(
                    (
                        new_uid(),
                        self.clock.next(),
                        self.origin,
                        *row[3:10],
                        self.iso(wrong),
                        *row[11:23],
                        self.iso(wrong),
                        *row[24:30],
                        voided_at,
                        "入力誤り（接種日）",
                        *row[32:],
                    )
                )
                self.vaccinations += 1
