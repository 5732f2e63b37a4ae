"""Retention policy (DOMAIN.md §7): how long the register keeps what, as data.

The policy is a small JSON document stored in the encrypted register (``retention_policy``,
migration 0005) and changed only by an administrator through ``app.services.retention``.
Nothing is ever purged automatically: the policy only decides what a purge *may* remove, and
a purge needs an administrator's confirmation of the previewed counts.

Judgements (documented in README, "保存期間と消去"):

* ``vaccination_years`` (default 5): a vaccination or postponement (見合わせ) is past retention
  once ``vaccinated_on`` + N years lies before the day of the check (施行令: 5 years from the
  vaccination). ``issuance_years`` (default 5) does the same for 発行履歴 from ``issued_on``; an
  issuance a kept vaccination still refers to is kept.
* ``keep_records_of_residents`` (default true): the records of a person who is neither moved out
  (転出) nor deceased (死亡) are kept whatever their age. Five years is a minimum retention, the
  schedule engine and certificates need a resident's whole history, so by default only the
  records of persons who left the register are purged. An administrator may switch it off.
* ``exit_years`` (default 5): a moved-out or deceased person (with their 個人番号 and a household
  no kept person belongs to) is past retention once every known exit date (転出日, 死亡日) lies
  more than N years back and none of their records (or persons they are guardian of) is kept.
  A person flagged as moved out or deceased without the date is kept (nothing to count from).
* ``extended``: rules that hold records of some series longer. The default is the 2025 decision
  applied by ordinance from 2026-02-01 to COVID special records (series ``covid_special``,
  新型コロナ特例臨時接種): such a record is kept until ``after_death_years`` after the person's
  death, and as long as no death is known. A rule applies to a record whose ordinary retention
  had not ended on ``from`` (the ordinance does not revive records that were already past
  retention on that day).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.errors import InvalidInput

MAX_YEARS = 100
_SERIES = re.compile(r"^[a-z0-9_]{1,64}\Z")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


class RetentionPolicyInvalid(InvalidInput):
    code = "E_RETENTION_POLICY"


@dataclass(frozen=True, slots=True)
class ExtendedRule:
    series: tuple[str, ...]
    after_death_years: int
    effective_from: str  # ISO date

    def to_json(self) -> dict[str, Any]:
        return {
            "series": list(self.series),
            "after_death_years": self.after_death_years,
            "from": self.effective_from,
        }


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    vaccination_years: int = 5
    issuance_years: int = 5
    exit_years: int = 5
    keep_records_of_residents: bool = True
    extended: tuple[ExtendedRule, ...] = (ExtendedRule(("covid_special",), 5, "2026-02-01"),)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "vaccination_years": self.vaccination_years,
            "issuance_years": self.issuance_years,
            "exit_years": self.exit_years,
            "keep_records_of_residents": self.keep_records_of_residents,
            "extended": [r.to_json() for r in self.extended],
        }

    def text(self) -> str:
        """Canonical JSON (what is stored and hashed)."""
        return json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def digest(self) -> str:
        return hashlib.sha256(self.text().encode("utf-8")).hexdigest()


DEFAULT_POLICY = RetentionPolicy()


def _years(value: Any, field: str) -> int:
    if type(value) is not int or not 1 <= value <= MAX_YEARS:
        raise RetentionPolicyInvalid(
            f"保存年数（{field}）は1〜{MAX_YEARS}の整数で指定してください。"
        )
    return value


def _iso_date(value: Any) -> str:
    if not isinstance(value, str) or not _DATE.match(value):
        raise RetentionPolicyInvalid("適用開始日は YYYY-MM-DD で指定してください。")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise RetentionPolicyInvalid("適用開始日が存在しない日付です。") from None
    return value


def policy_from_json(data: Any) -> RetentionPolicy:
    """Validate a policy document; raises ``RetentionPolicyInvalid`` (E_RETENTION_POLICY)."""
    if not isinstance(data, dict) or data.get("version") != 1:
        raise RetentionPolicyInvalid()
    known = {
        "version",
        "vaccination_years",
        "issuance_years",
        "exit_years",
        "keep_records_of_residents",
        "extended",
    }
    if set(data) - known:
        raise RetentionPolicyInvalid("保存期間の設定に不明な項目があります。")
    keep = data.get("keep_records_of_residents", True)
    if type(keep) is not bool:
        raise RetentionPolicyInvalid()
    rules = []
    extended = data.get("extended", [])
    if not isinstance(extended, list) or len(extended) > 20:
        raise RetentionPolicyInvalid()
    for item in extended:
        if not isinstance(item, dict) or set(item) != {"series", "after_death_years", "from"}:
            raise RetentionPolicyInvalid()
        series = item["series"]
        if (
            not isinstance(series, list)
            or not 1 <= len(series) <= 50
            or not all(isinstance(s, str) and _SERIES.match(s) for s in series)
        ):
            raise RetentionPolicyInvalid("延長の対象シリーズの指定に誤りがあります。")
        rules.append(
            ExtendedRule(
                tuple(series),
                _years(item["after_death_years"], "死亡後"),
                _iso_date(item["from"]),
            )
        )
    return RetentionPolicy(
        vaccination_years=_years(data.get("vaccination_years"), "接種記録"),
        issuance_years=_years(data.get("issuance_years"), "発行履歴"),
        exit_years=_years(data.get("exit_years"), "転出・死亡後"),
        keep_records_of_residents=keep,
        extended=tuple(rules),
    )


def policy_from_text(text: str) -> RetentionPolicy:
    try:
        data = json.loads(text)
    except ValueError:
        raise RetentionPolicyInvalid() from None
    return policy_from_json(data)


def years_before(day: date, years: int) -> date:
    """``day`` minus ``years`` calendar years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def years_after(day: date, years: int) -> date:
    return years_before(day, -years)


@dataclass(frozen=True, slots=True)
class ExtendedCutoff:
    series: tuple[str, ...]
    held_from: str  # records vaccinated on or after this date fall under the rule
    death_before: str  # ...and stay until the person died before this date


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """The policy applied to one day: a record dated before a cutoff is past retention."""

    on: str
    vaccinated_before: str
    issued_before: str
    exited_before: str
    keep_residents: bool
    extended: tuple[ExtendedCutoff, ...]


def cutoffs(policy: RetentionPolicy, on: date) -> Cutoffs:
    ext = tuple(
        ExtendedCutoff(
            rule.series,
            # ordinary retention ends vaccinated_on + N years; still running on `from` means
            # vaccinated_on >= from - N years
            years_before(
                date.fromisoformat(rule.effective_from), policy.vaccination_years
            ).isoformat(),
            years_before(on, rule.after_death_years).isoformat(),
        )
        for rule in policy.extended
    )
    return Cutoffs(
        on=on.isoformat(),
        vaccinated_before=years_before(on, policy.vaccination_years).isoformat(),
        issued_before=years_before(on, policy.issuance_years).isoformat(),
        exited_before=years_before(on, policy.exit_years).isoformat(),
        keep_residents=policy.keep_records_of_residents,
        extended=ext,
    )


#: Kinds a purge counts, in the order they are shown and deleted (records before the persons
#: they belong to). Package record types of each kind's rows: see ``PACKAGE_TYPE``.
KINDS: tuple[str, ...] = (
    "vaccination",
    "postponement",
    "issuance",
    "person_number",
    "person",
    "household",
)
KIND_NAMES_JA: dict[str, str] = {
    "vaccination": "接種記録",
    "postponement": "見合わせ記録",
    "issuance": "発行履歴",
    "person_number": "個人番号",
    "person": "住民（転出・死亡）",
    "household": "世帯",
}
