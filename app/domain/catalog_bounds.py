"""Date bounds of the vaccine catalog: small data expressions evaluated against a person.

A bound is written in the catalog as ``{"kind": "months", "n": 2}`` and so on (see the notes at the
top of ``resources/catalog/catalog.json``). Evaluation is pure and uses ``app.domain.legaldate``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain import legaldate as ld
from app.errors import ConfigError


class CatalogInvalid(ConfigError):
    """The vaccine catalog is not valid; the message names the failing rule or path."""

    code = "E_CATALOG_INVALID"

    @classmethod
    def at(cls, where: str, problem: str) -> CatalogInvalid:
        return cls(f"ワクチンカタログの内容に誤りがあります（{where}）: {problem}")


BOUND_KINDS = frozenset(
    {
        "birth",
        "months",
        "age",
        "under_age",
        "weeks",
        "date",
        "fy_start_of_age",
        "fy_end_of_age",
        "school_entry",
        "fact",
        "gestation",
        "prev_days",
        "prev_months",
        "min",
        "max",
    }
)


@dataclass(frozen=True, slots=True)
class BoundContext:
    """What a bound may refer to: birth date, date facts, start of pregnancy, previous dose."""

    dob: date
    facts: Mapping[str, date]
    gestation_start: date | None = None
    prev: date | None = None


@dataclass(frozen=True, slots=True)
class Bound:
    kind: str
    n: int = 0
    weeks: int = 0
    days: int = 0
    years: int = 0
    months: int | None = None
    fixed: date | None = None
    fact: str = ""
    offset_days: int = 0
    of: tuple[Bound, ...] = ()

    def evaluate(self, ctx: BoundContext) -> date | None:
        """The date this bound denotes for ``ctx``; None when a needed fact is missing."""
        d = self._raw(ctx)
        if d is None or not self.offset_days:
            return d
        return d + timedelta(days=self.offset_days)

    def _raw(self, ctx: BoundContext) -> date | None:
        k = self.kind
        dob = ctx.dob
        if k == "months":
            return ld.months_reached(dob, self.n)
        if k in ("age", "under_age"):
            return ld.age_reached(dob, self.n)
        if k == "birth":
            return dob
        if k == "weeks":
            return ld.weeks_days_after(dob, self.weeks, self.days)
        if k == "date":
            return self.fixed
        if k == "fy_start_of_age":
            return ld.fiscal_year_start(ld.fiscal_year(ld.age_reached(dob, self.n)))
        if k == "fy_end_of_age":
            return ld.fiscal_year_end(ld.fiscal_year(ld.age_reached(dob, self.n)))
        if k == "school_entry":
            entry = ld.school_entry(dob)
            return entry.replace(year=entry.year + self.years)
        if k == "fact":
            base = ctx.facts.get(self.fact)
            if base is None or self.months is None:
                return base
            return ld.months_reached(base, self.months)
        if k == "gestation":
            if ctx.gestation_start is None:
                return None
            return ctx.gestation_start + timedelta(days=self.weeks * 7 + self.days)
        if k == "prev_days":
            return None if ctx.prev is None else ld.after_days_interval(ctx.prev, self.n)
        if k == "prev_months":
            return None if ctx.prev is None else ld.after_months_interval(ctx.prev, self.n)
        values = [v for v in (b.evaluate(ctx) for b in self.of) if v is not None]
        if not values:
            return None
        return min(values) if k == "min" else max(values)


def bound_from_dict(data: Mapping[str, object], where: str) -> Bound:
    """Build a bound from catalog data; ``where`` names the place for error messages."""
    kind = data.get("kind")
    if kind not in BOUND_KINDS:
        raise CatalogInvalid.at(where, f"不明な日付の種類です: {kind!r}")
    fixed = data.get("date")
    try:
        fixed_date = date.fromisoformat(fixed) if isinstance(fixed, str) else None
    except ValueError as exc:
        raise CatalogInvalid.at(where, f"日付が不正です: {fixed!r}") from exc
    if kind == "date" and fixed_date is None:
        raise CatalogInvalid.at(where, "date が必要です")
    fact = data.get("fact", "")
    if kind == "fact" and not fact:
        raise CatalogInvalid.at(where, "fact が必要です")
    of_raw = data.get("of", [])
    of: list[Bound] = []
    if isinstance(of_raw, list):
        of = [bound_from_dict(b, f"{where}.of[{i}]") for i, b in enumerate(of_raw)]
    if kind in ("min", "max") and not of:
        raise CatalogInvalid.at(where, "of が必要です")
    months = data.get("months")
    return Bound(
        kind=str(kind),
        n=_int(data.get("n", 0), where),
        weeks=_int(data.get("weeks", 0), where),
        days=_int(data.get("days", 0), where),
        years=_int(data.get("years", 0), where),
        months=None if months is None else _int(months, where),
        fixed=fixed_date,
        fact=str(fact),
        offset_days=_int(data.get("offset_days", 0), where),
        of=tuple(of),
    )


def _int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CatalogInvalid.at(where, f"整数が必要です: {value!r}")
    return value
