"""The hub's version clock: batches of stamps sort after everything before them."""

from __future__ import annotations

import time

from app.hub.clock import HybridClock


def _ms(version: str) -> int:
    return int(version.split(".", 1)[0])


def test_next_many_gives_unique_sorted_stamps_after_what_came_before() -> None:
    clock = HybridClock("192015-HUB")
    first = clock.next()
    batch = clock.next_many(1000)
    after = clock.next()
    stamps = [first, *batch, after]
    assert len(batch) == 1000
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)
    assert all(s.endswith(".192015-HUB") and len(s.split(".")[1]) == 5 for s in stamps)
    assert clock.last == after
    assert clock.next_many(0) == []


def test_counter_overflow_moves_to_the_next_millisecond_and_keeps_five_digits() -> None:
    future = time.time_ns() // 1_000_000 + 3_600_000  # an hour ahead: the wall clock stays behind
    clock = HybridClock("192015-HUB", f"{future:013d}.99990.192015-T001")
    batch = clock.next_many(25)
    single = [clock.next() for _ in range(3)]
    stamps = [*batch, *single]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)
    assert all(len(s.split(".")[1]) == 5 for s in stamps)
    assert batch[0] == f"{future:013d}.99991.192015-HUB"
    assert batch[8] == f"{future:013d}.99999.192015-HUB"
    assert batch[9] == f"{future + 1:013d}.00000.192015-HUB"
    assert _ms(single[-1]) == future + 1
    big = clock.next_many(250_000)  # more than one millisecond's counter holds
    assert big == sorted(big) and len(set(big)) == 250_000
    assert big[0] > single[-1]
    assert {_ms(s) for s in big} == {future + 1, future + 2, future + 3}


def test_observed_version_is_never_reissued() -> None:
    clock = HybridClock("192015-HUB")
    seen = clock.next_many(5)[-1]
    other = HybridClock("192015-HUB", seen)
    assert other.next_many(1)[0] > seen
