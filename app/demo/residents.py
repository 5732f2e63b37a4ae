"""The demo register's persons as resident-master rows for the demo hub (``vaxdesk demo``).

The 個人番号 of a demo register come from a random secret that is discarded with the generator,
so they cannot be derived again later: :class:`ResidentCapture` wraps the number sealer to see
each number at the moment it is sealed and keeps the rows in memory only (never on disk), in the
resident CSV's column names, plus ``uid`` so the hub keeps the terminal's uid for each person;
:meth:`ResidentCapture.add_masters` likewise keeps the register's masters as master-file rows.
Pure data: no SQL, no keys.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence

from app.demo.masters import INSTITUTION_COLUMNS, LOT_COLUMNS, VACCINE_COLUMNS, Masters

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
        self.masters: list[dict[str, str]] = []  # master CSV rows (app/hub/masters_csv.py)

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

    def add_masters(self, masters: Masters) -> None:
        """The register's 医療機関, vaccines and lots as master-file rows with their uids, so the
        demo hub sends the terminal the masters it already has (same uids, same fields)."""
        i = _index(INSTITUTION_COLUMNS)
        for row in masters.institution_rows:
            self.masters.append(
                {
                    "種別": "医療機関",
                    "コード": str(row[i["code"]]),
                    "名称": str(row[i["name"]]),
                    "カナ": str(row[i["name_kana"]] or ""),
                    "住所": str(row[i["address"]] or ""),
                    "電話": str(row[i["phone"]] or ""),
                    "uid": _uuid_text(row[i["uid"]]),
                }
            )
        v = _index(VACCINE_COLUMNS)
        products = {row[v["id"]]: str(row[v["product_id"]]) for row in masters.vaccine_rows}
        for row in masters.vaccine_rows:
            self.masters.append(
                {
                    "種別": "ワクチン",
                    "コード": str(row[v["product_id"]]),
                    "名称": str(row[v["name"]]),
                    "メーカー": str(row[v["maker"]]),
                    "uid": _uuid_text(row[v["uid"]]),
                }
            )
        lot = _index(LOT_COLUMNS)
        for row in masters.lot_rows:
            self.masters.append(
                {
                    "種別": "ロット",
                    "コード": products[row[lot["vaccine_id"]]],
                    "ロット番号": str(row[lot["lot_no"]]),
                    "有効期限": str(row[lot["expires_on"]] or ""),
                    "uid": _uuid_text(row[lot["uid"]]),
                }
            )

    def clear(self) -> None:
        """Forget every captured row and number."""
        self.rows.clear()
        self.masters.clear()
        self._numbers.clear()
        self._household_no.clear()


def _uuid_text(uid: object) -> str:
    assert isinstance(uid, bytes)
    return str(uuid.UUID(bytes=uid))
