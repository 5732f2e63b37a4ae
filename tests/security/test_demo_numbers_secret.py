"""Issue 11 item 12: the demo seed (recorded in the audit log) must not regenerate 個人番号."""

from __future__ import annotations

from datetime import date

from app.demo.generator import PERSON_COLUMNS, DemoGenerator
from app.domain.ids import is_valid_mynumber

TODAY = date(2026, 11, 27)


def _generate(seed: int) -> tuple[list[tuple[object, ...]], list[str]]:
    numbers: list[str] = []

    def seal(person_uid: bytes, number: str) -> tuple[bytes, bytes]:
        numbers.append(number)
        return b"ct", b"blind"

    gen = DemoGenerator(40, seed, today=TODAY, terminal_id="T-test", sealer=seal)
    persons: list[tuple[object, ...]] = []
    for chunk in gen.chunks():
        persons.extend(chunk.persons)
    return persons, numbers


def _stable(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Drop the columns that are random by design (uids and clock versions)."""
    keep = [i for i, c in enumerate(PERSON_COLUMNS) if c not in ("uid", "version", "updated_time")]
    return [tuple(r[i] for i in keep) for r in rows]


def test_same_seed_same_people_but_unrelated_numbers() -> None:
    persons_a, numbers_a = _generate(7)
    persons_b, numbers_b = _generate(7)
    assert _stable(persons_a) == _stable(persons_b)  # the seed still decides everything else
    assert len(numbers_a) == len(numbers_b) == 40
    assert all(is_valid_mynumber(n) for n in numbers_a + numbers_b)
    assert len(set(numbers_a)) == 40  # still unique within a register
    # the numbers are not a function of the seed: two runs share none of them
    assert not set(numbers_a) & set(numbers_b)
