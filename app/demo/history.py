"""Vaccination histories that follow the routine schedule (DOMAIN.md §2) with realistic gaps.

Children get the infant series at the usual clinic visits (2, 3, 4 months; BCG at 5–8 months;
boosters and MR/varicella from 12 months), later series at their standard ages, each only when the
series was routine at that date and with a per-child coverage. Older people get 高齢者インフルエンザ
per season, 新型コロナ from FY2024, 肺炎球菌 in the year they turn 65 and 帯状疱疹 in their cohort
year. A few visits end as 見合わせ (postponed) before the dose is given.

Dates are date ordinals; nothing is ever dated before birth or after ``end`` (today, or the day
the person moved out or died).
"""

from __future__ import annotations

import random
from datetime import date
from typing import NamedTuple

from app.demo.pools import POSTPONE_REASONS


def _o(y: int, m: int, d: int) -> int:
    return date(y, m, d).toordinal()


YEAR = 365.2425

# Start of routine use per series or product (ordinal), from the catalog's effective dates.
HEPB_BORN_FROM = _o(2016, 4, 1)
ROTA_BORN_FROM = _o(2020, 8, 1)
DPT_IPV_FROM = _o(2012, 11, 1)
HIB_FROM = _o(2013, 4, 1)
PCV13_FROM = _o(2013, 11, 1)
PCV15_FROM = _o(2024, 4, 1)
PCV20_FROM = _o(2024, 10, 1)
FIVE_IN_ONE_FROM = _o(2024, 4, 1)
MR_FROM = _o(2006, 4, 1)
VARICELLA_FROM = _o(2014, 10, 1)
JE_RESUMED = _o(2010, 4, 1)
JE_TOKUREI_BORN = (_o(1995, 4, 2), _o(2007, 4, 1))
HPV_NORMAL_BORN_FROM = _o(2008, 4, 2)
HPV_CATCHUP_BORN = (_o(1997, 4, 2), _o(2008, 4, 1))
HPV_CATCHUP = (_o(2022, 4, 1), _o(2026, 3, 31))
HPV9_FROM = _o(2023, 4, 1)
RUBELLA5_BORN = (_o(1962, 4, 2), _o(1979, 4, 1))
RUBELLA5_PERIOD = (_o(2019, 4, 1), _o(2025, 3, 31))
PNEUMO_PCV20_FROM = _o(2026, 4, 1)
FLU_FIRST_SEASON = 2001
FLU_ROUTINE_FROM = _o(2001, 11, 7)
B_DISABILITY_SHARE = 0.03
LAST_FY = 2026
COVID_SPECIAL_START = _o(2021, 4, 1)
COVID_SPECIAL_END = _o(2024, 3, 31)
# 3rd … 7th dose: (campaign start, spread in days, share of elders, share of others)
COVID_BOOSTERS = (
    (_o(2021, 12, 1), 180, 0.95, 0.72),
    (_o(2022, 5, 25), 120, 0.85, 0.12),
    (_o(2022, 9, 20), 180, 0.75, 0.20),
    (_o(2023, 5, 8), 100, 0.60, 0.05),
    (_o(2023, 9, 20), 190, 0.55, 0.10),
)

# Share of children who receive each series at all (per-child compliance is drawn once).
COVERAGE = {
    "hepb": 0.96,
    "rota": 0.90,
    "dpt_ipv": 0.97,
    "pcv": 0.96,
    "bcg": 0.97,
    "mr1": 0.95,
    "mr2": 0.93,
    "varicella": 0.92,
    "je1": 0.86,
    "je2": 0.70,
    "dt2": 0.80,
    "hpv": 0.35,
    "hpv_catchup": 0.30,
    "je_tokurei": 0.45,
    "pneumo65": 0.40,
    "zoster": 0.22,
    "rubella5": 0.025,
}
POSTPONE_CHILD = 0.012
POSTPONE_ADULT = 0.004


class Event(NamedTuple):
    series_id: str
    product_id: str
    dose_no: int
    dose_label: str
    on: int  # ordinal
    postpone_reason: str | None = None
    special_rule: str | None = None


PRIMARY4 = ("初回1回目", "初回2回目", "初回3回目", "追加")
NTH = ("1回目", "2回目", "3回目")


def _age_day(birth: int, years: int) -> int:
    """Approximate day on which ``years`` is reached (exact enough for scheduling margins)."""
    d = date.fromordinal(birth)
    try:
        return date(d.year + years, d.month, d.day).toordinal() - 1
    except ValueError:  # 2/29
        return date(d.year + years, 3, 1).toordinal() - 1


def _turning(birth: int, fy: int) -> int:
    """The age reached during 年度 ``fy`` (age is reached the day before the birthday)."""
    born = date.fromordinal(birth)
    return fy + 1 - born.year - (1 if (born.month, born.day) > (4, 1) else 0)


def _fy_start(fy: int) -> int:
    return _o(fy, 4, 1)


def _fy_of(ordinal: int) -> int:
    d = date.fromordinal(ordinal)
    return d.year if d.month >= 4 else d.year - 1


class HistoryMaker:
    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today.toordinal()

    def _emit(self, out: list[Event], ev: Event, birth: int, end: int, adult: bool = False) -> bool:
        """Append ``ev`` (and sometimes a 見合わせ visit before it) when its date is valid."""
        if not birth < ev.on <= end:
            return False
        rng = self.rng
        if rng.random() < (POSTPONE_ADULT if adult else POSTPONE_CHILD):
            earlier = ev.on - rng.randint(7, 28)
            if earlier > birth:
                reason = rng.choice(POSTPONE_REASONS)
                out.append(ev._replace(on=earlier, postpone_reason=reason))
        out.append(ev)
        return True

    def _series(
        self,
        out: list[Event],
        series: str,
        product: str,
        dates: list[int],
        labels: tuple[str, ...],
        birth: int,
        end: int,
        rule: str | None = None,
    ) -> None:
        for i, on in enumerate(dates):
            if not self._emit(
                out, Event(series, product, i + 1, labels[i], on, None, rule), birth, end
            ):
                return

    # --- children ----------------------------------------------------------------------------

    def infant(self, out: list[Event], birth: int, end: int) -> None:
        rng = self.rng
        late = rng.random() < 0.07
        v1 = birth + 62 + rng.randint(0, 25) + (rng.randint(30, 90) if late else 0)
        v2 = v1 + 28 + rng.randint(0, 14)
        v3 = v2 + 28 + rng.randint(0, 14)
        year1 = _age_day(birth, 1)
        if birth >= HEPB_BORN_FROM and rng.random() < COVERAGE["hepb"]:
            v_h3 = min(v1 + 140 + rng.randint(0, 70), year1 - 1)
            self._series(out, "hepb", "hepb", [v1, v2, v_h3], NTH, birth, end)
        if birth >= ROTA_BORN_FROM and not late and rng.random() < COVERAGE["rota"]:
            if rng.random() < 0.55:
                self._series(out, "rota", "rota1", [v1, v2], NTH, birth, end)
            else:
                self._series(out, "rota", "rota5", [v1, v2, v3], NTH, birth, end)
        if rng.random() < COVERAGE["dpt_ipv"]:
            booster = v3 + 214 + rng.randint(0, 150)
            dates = [v1, v2, v3, booster]
            if v1 >= FIVE_IN_ONE_FROM:
                for i, on in enumerate(dates):  # one injection, a row for each series
                    if not self._emit(
                        out, Event("dpt_ipv", "dpt_ipv_hib", i + 1, PRIMARY4[i], on), birth, end
                    ):
                        break
                    out.append(Event("hib", "dpt_ipv_hib", i + 1, PRIMARY4[i], on))
            else:
                if v1 >= DPT_IPV_FROM:
                    self._series(out, "dpt_ipv", "dpt_ipv", dates, PRIMARY4, birth, end)
                if v1 >= HIB_FROM:
                    self._series(out, "hib", "hib", dates, PRIMARY4, birth, end)
        if v1 >= PCV13_FROM and rng.random() < COVERAGE["pcv"]:
            product = "pcv20" if v1 >= PCV20_FROM else "pcv15" if v1 >= PCV15_FROM else "pcv13"
            booster = max(year1 + 1, v3 + 61) + rng.randint(0, 90)
            self._series(out, "pcv", product, [v1, v2, v3, booster], PRIMARY4, birth, end)
        if rng.random() < COVERAGE["bcg"]:
            self._series(out, "bcg", "bcg", [birth + 153 + rng.randint(0, 85)], NTH, birth, end)

    def toddler_and_school(self, out: list[Event], sex: str, birth: int, end: int) -> None:
        rng = self.rng
        year1 = _age_day(birth, 1)
        mr1 = year1 + 1 + rng.randint(0, 100)
        if mr1 >= MR_FROM and rng.random() < COVERAGE["mr1"]:
            self._series(out, "mr1", "mr", [mr1], ("1期",), birth, end)
        var1 = mr1 if rng.random() < 0.6 else mr1 + 28 + rng.randint(0, 60)
        if (
            var1 >= VARICELLA_FROM
            and var1 < _age_day(birth, 3)
            and rng.random() < COVERAGE["varicella"]
        ):
            var2 = var1 + 183 + rng.randint(0, 180)
            self._series(out, "varicella", "varicella", [var1, var2], NTH, birth, end)
        reach6 = date.fromordinal(_age_day(birth, 6))
        entry = _o(reach6.year if reach6.month <= 3 else reach6.year + 1, 4, 1)
        mr2 = entry - 365 + int(rng.triangular(0, 360, 30))
        if mr2 >= MR_FROM and rng.random() < COVERAGE["mr2"]:
            self._series(out, "mr2", "mr", [min(mr2, entry - 1)], ("2期",), birth, end)
        je_start = _age_day(birth, 3) + rng.randint(1, 300)
        if je_start >= JE_RESUMED and rng.random() < COVERAGE["je1"]:
            d2 = je_start + 7 + rng.randint(0, 21)
            d3 = d2 + 335 + rng.randint(0, 90)
            self._series(
                out, "je1", "je", [je_start, d2, d3], ("初回1回目", "初回2回目", "追加"), birth, end
            )
        elif (
            JE_TOKUREI_BORN[0] <= birth <= JE_TOKUREI_BORN[1]
            and rng.random() < COVERAGE["je_tokurei"]
        ):
            start = max(_age_day(birth, 9), _o(2011, 5, 20)) + rng.randint(0, 1500)
            start = min(start, _age_day(birth, 20) - 400)
            dates = [start, start + 7 + rng.randint(0, 21), start + 400 + rng.randint(0, 120)]
            self._series(
                out,
                "je1",
                "je",
                dates,
                ("初回1回目", "初回2回目", "追加"),
                birth,
                end,
                "je_tokurei_1995",
            )
        je2 = _age_day(birth, 9) + rng.randint(1, 1000)
        if je2 >= JE_RESUMED and rng.random() < COVERAGE["je2"]:
            self._series(out, "je2", "je", [je2], ("2期",), birth, end)
        if rng.random() < COVERAGE["dt2"]:
            dt2 = _age_day(birth, 11) + rng.randint(1, 600)
            self._series(out, "dt2", "dt", [dt2], ("2期",), birth, end)
        if sex == "F":
            self._hpv(out, birth, end)

    def _hpv(self, out: list[Event], birth: int, end: int) -> None:
        rng = self.rng
        if birth >= HPV_NORMAL_BORN_FROM and rng.random() < COVERAGE["hpv"]:
            fy12 = _fy_of(_age_day(birth, 12))
            first = _fy_start(fy12) + int(rng.triangular(0, 1460, 200))
            window_end = _fy_start(_fy_of(_age_day(birth, 16)) + 1) - 1
        elif (
            HPV_CATCHUP_BORN[0] <= birth <= HPV_CATCHUP_BORN[1]
            and rng.random() < COVERAGE["hpv_catchup"]
        ):
            first = HPV_CATCHUP[0] + rng.randint(0, 1000)
            window_end = HPV_CATCHUP[1]
        else:
            return
        if first >= HPV9_FROM:
            product = "hpv9"
            if first < _age_day(birth, 15) and window_end != HPV_CATCHUP[1]:
                dates = [first, first + 183 + rng.randint(0, 90)]
            else:
                dates = [first, first + 61 + rng.randint(0, 30), first + 183 + rng.randint(0, 60)]
        else:
            product = rng.choice(("hpv2", "hpv4"))
            dates = [first, first + 61 + rng.randint(0, 20), first + 183 + rng.randint(0, 40)]
        self._series(out, "hpv", product, [d for d in dates if d <= window_end], NTH, birth, end)

    # --- adults ------------------------------------------------------------------------------

    def adult(self, out: list[Event], sex: str, birth: int, end: int) -> None:
        rng = self.rng
        in_rubella5 = sex == "M" and RUBELLA5_BORN[0] <= birth <= RUBELLA5_BORN[1]
        if in_rubella5 and rng.random() < COVERAGE["rubella5"]:
            on = RUBELLA5_PERIOD[0] + rng.randint(0, RUBELLA5_PERIOD[1] - RUBELLA5_PERIOD[0])
            self._series(out, "rubella5", "mr", [on], NTH, birth, end)
        reach65 = _age_day(birth, 65)
        # 60–64 with the listed disabilities are B類 too (catalog rule b_disability).
        disability = rng.random() < B_DISABILITY_SHARE
        eligible_from = _age_day(birth, 60) if disability else reach65
        if eligible_from > end:
            return
        propensity = rng.choices((0.05, 0.4, 0.75, 0.92), weights=(25, 20, 30, 25))[0]
        for season in range(FLU_FIRST_SEASON, LAST_FY + 1):
            on = max(_o(season, 10, 1) + int(rng.triangular(0, 120, 25)), FLU_ROUTINE_FROM)
            if on >= eligible_from and rng.random() < propensity:
                rule = "b_disability" if on < reach65 else None
                self._emit(out, Event("flu65", "flu", 1, "1回目", on, None, rule), birth, end, True)
        for fy in range(2024, LAST_FY + 1):
            on = _o(fy, 10, 1) + int(rng.triangular(0, 180, 40))
            if on >= eligible_from and rng.random() < propensity * 0.35:
                rule = "b_disability" if on < reach65 else None
                self._emit(
                    out, Event("covid65", "covid", 1, "1回目", on, None, rule), birth, end, True
                )
        self._pneumo(out, birth, end)
        for fy in (2025, 2026):
            turning = _turning(birth, fy)
            eligible = turning >= 65 and (turning % 5 == 0 or (fy == 2025 and turning > 100))
            if eligible and rng.random() < COVERAGE["zoster"]:
                on = _fy_start(fy) + rng.randint(30, 330)
                if rng.random() < 0.35:
                    self._emit(
                        out, Event("zoster", "zoster_live", 1, "1回目", on), birth, end, True
                    )
                else:
                    dates = [on, on + 61 + rng.randint(0, 120)]
                    self._series(out, "zoster", "zoster_recombinant", dates, NTH, birth, end)
                break

    def _pneumo(self, out: list[Event], birth: int, end: int) -> None:
        """Once: in the 年度 of turning 65 (FY2014–FY2023 also 70, 75, … 100: 経過措置)."""
        for fy in range(2014, LAST_FY + 1):
            turning = _turning(birth, fy)
            cohort = turning == 65 or (fy <= 2023 and turning >= 65 and turning % 5 == 0)
            if cohort:
                if self.rng.random() < COVERAGE["pneumo65"]:
                    on = _fy_start(fy) + self.rng.randint(14, 350)
                    product = "pcv20" if on >= PNEUMO_PCV20_FROM else "ppsv23"
                    ev = Event("pneumo65", product, 1, "1回目", on)
                    self._emit(out, ev, birth, end, adult=True)
                return

    def covid_special(self, out: list[Event], birth: int, end: int) -> None:
        """新型コロナ特例臨時接種 (2021-04 – 2024-03, records imported from VRS). Not a DOMAIN.md §2
        series: generated only when asked for (series id ``covid_special``)."""
        rng = self.rng
        age = (COVID_SPECIAL_START - birth) / YEAR
        if age < 5:
            return
        elder = age >= 63
        share = 0.92 if elder else 0.22 if age < 12 else 0.70 if age < 20 else 0.80
        if rng.random() >= share:
            return
        dates = []
        first = _o(2021, 5, 10) if elder else _o(2021, 7, 1)
        if age < 12:
            first = _o(2022, 3, 1)
        d1 = first + int(rng.triangular(0, 120, 30))
        dates += [d1, d1 + 21 + rng.randint(0, 14)]
        if age >= 12:
            for start, span, p_elder, p_other in COVID_BOOSTERS:
                if rng.random() < (p_elder if elder else p_other):
                    dates.append(max(start + rng.randint(0, span), dates[-1] + 90))
                elif not elder:
                    break
        for i, on in enumerate(dates):
            if on > COVID_SPECIAL_END or not self._emit(
                out, Event("covid_special", "covid", i + 1, f"{i + 1}回目", on), birth, end, True
            ):
                return

    def history(
        self, sex: str, birth: int, end: int, *, covid_special: bool = False
    ) -> list[Event]:
        out: list[Event] = []
        if end - birth < 60:
            return out
        if birth >= _o(1994, 4, 1):
            self.infant(out, birth, end)
            self.toddler_and_school(out, sex, birth, end)
        if covid_special:
            self.covid_special(out, birth, end)
        self.adult(out, sex, birth, end)
        return out
