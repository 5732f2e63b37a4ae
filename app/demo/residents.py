"""The demo register's persons as resident-master rows for the demo hub (``vaxdesk demo``).

The 個人番号 of a demo register come from a random secret that is discarded with the generator,
so they cannot be derived again later: :class:`ResidentCapture` wraps the number sealer to see
each number at the moment it is sealed and keeps the rows in memory only (never on disk), in the
resident CSV's column names, plus ``uid`` so the hub keeps the terminal's uid for each person.
Pure data: no SQL, no keys.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence

NumberSealer = Callable[[bytes, str], tuple[bytes, bytes]]


def _index(columns: Sequence[str]) -> dict[str, int]:
    return {name: i for i, name in enumerate(columns)}


class ResidentCapture:
    """Collects one resident mapping per generated person (see ``app.hub.demo``)."""

    def __init__(
        self,
        person_columns: Sequence[str],
        household_columns: Sequence[str],
        number_columns: Sequence[str],
    ) -> None:
        self._p = _index(person_columns)
        self._h = _index(household_columns)
        self._n = _index(number_columns)
        self._numbers: dict[bytes, str] = {}
        self._household_no: dict[object, str] = {}
        self.rows: list[dict[str, str]] = []

    def sealer(self, inner: NumberSealer) -> NumberSealer:
        """``inner`` with each (person uid, number) it is given remembered for :meth:`add`."""

        def seal(person_uid: bytes, number: str) -> tuple[bytes, bytes]:
            self._numbers[person_uid] = number
            return inner(person_uid, number)

        return seal

    def add(
        self,
        households: Iterable[Sequence[object]],
        persons: Iterable[Sequence[object]],
        numbers: Iterable[Sequence[object]],
    ) -> None:
        """The rows of one generator chunk (households before their members)."""
        h, p, n = self._h, self._p, self._n
        for row in households:
            self._household_no[row[h["id"]]] = str(row[h["household_no"]])
        number_uid = {row[n["person_id"]]: row[n["uid"]] for row in numbers}
        for row in persons:
            uid = row[p["uid"]]
            assert isinstance(uid, bytes)
            event, when = "", ""
            if row[p["deceased"]]:
                event, when = "死亡", str(row[p["deceased_date"]])
            elif row[p["moved_out"]]:
                event, when = "転出", str(row[p["moved_out_date"]])
            self.rows.append(
                {
                    "宛名番号": str(row[p["atena_no"]]),
                    "氏名": str(row[p["name"]]),
                    "カナ": str(row[p["name_kana"]]),
                    "生年月日": str(row[p["birth_date"]]),
                    "性別": str(row[p["sex"]]),
                    "住所": str(row[p["address"]]),
                    "世帯番号": self._household_no[row[p["household_id"]]],
                    "続柄": str(row[p["relationship"]] or ""),
                    "個人番号": self._numbers.pop(uid),
                    "異動事由": event,
                    "異動日": when,
                    "uid": str(uuid.UUID(bytes=uid)),
                    "number_uid": _uuid_text(number_uid[row[p["id"]]]),
                }
            )

    def clear(self) -> None:
        """Forget every captured row and number."""
        self.rows.clear()
        self._numbers.clear()
        self._household_no.clear()


def _uuid_text(uid: object) -> str:
    assert isinstance(uid, bytes)
    return str(uuid.UUID(bytes=uid))
