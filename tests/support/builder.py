"""The one builder behind every test register: rows go in through the store (``persons.insert``
and the store's column-checked ``bulk.insert_rows``), all stamped the same way, so a schema
change touches the store and this file only. No test writes its own INSERT."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.store import bulk, db, office, persons, stamps


class RegisterBuilder:
    """Adds stamped rows (uid, version, origin, 更新日・更新時刻・更新者) to an open register;
    call inside ``db.transaction(conn)``."""

    def __init__(
        self,
        conn: db.Connection,
        *,
        origin: str = "hub",
        staff_no: str = "90001",
        stamp: stamps.Stamp | None = None,
        new_uid: Callable[[], bytes] = stamps.new_uid,
    ) -> None:
        self.conn = conn
        self.origin = origin
        self.clock = stamps.HybridClock(origin)
        self.stamp = stamp or stamps.Stamp.now(staff_no)
        self.new_uid = new_uid

    def _insert(self, table: str, values: dict[str, Any]) -> int:
        row_id = bulk.next_id(self.conn, table)
        s = self.stamp
        row = {
            "id": row_id,
            "uid": self.new_uid(),
            "version": self.clock.next(),
            "origin": self.origin,
            **values,
            "updated_date": s.updated_date,
            "updated_time": s.updated_time,
            "updated_by": s.updated_by,
        }
        bulk.insert_rows(self.conn, table, list(row), [tuple(row.values())])
        return row_id

    def household(self, number: str, address: str, *, area_code: str | None = None) -> int:
        values: dict[str, Any] = {"household_no": number, "address": address}
        if area_code is not None:
            values["area_code"] = area_code
        return self._insert("households", values)

    def person(self, person: persons.NewPerson) -> int:
        return persons.insert(
            self.conn,
            person,
            uid=self.new_uid(),
            version=self.clock.next(),
            origin=self.origin,
            stamp=self.stamp,
        )

    def institution(self, code: str, name: str, *, address: str | None = None) -> int:
        values: dict[str, Any] = {"code": code, "name": name}
        if address is not None:
            values["address"] = address
        return self._insert("institutions", values)

    def vaccine(self, product_id: str, name: str, maker: str) -> int:
        return self._insert("vaccines", {"product_id": product_id, "name": name, "maker": maker})

    def lot(self, vaccine_id: int, lot_no: str, expires_on: str) -> int:
        values = {"vaccine_id": vaccine_id, "lot_no": lot_no, "expires_on": expires_on}
        return self._insert("lots", values)

    def vaccination(self, person_id: int, **values: Any) -> int:
        """A stored result as it would arrive from the hub (``voided_at`` allowed)."""
        return self._insert("vaccinations", {"person_id": person_id, **values})

    def unit_price(
        self, series_id: str, product_id: str | None, price_yen: int, effective_from: str
    ) -> None:
        """A 単価 (not a synced record: no uid or version)."""
        s = self.stamp
        row = {
            "series_id": series_id,
            "product_id": product_id,
            "price_yen": price_yen,
            "effective_from": effective_from,
            "updated_date": s.updated_date,
            "updated_time": s.updated_time,
            "updated_by": s.updated_by,
        }
        bulk.insert_rows(self.conn, "unit_prices", list(row), [tuple(row.values())])

    def set_guardian(self, child_id: int, guardian_id: int) -> None:
        self.conn.execute(
            "UPDATE persons SET guardian_id = ? WHERE id = ?", (guardian_id, child_id)
        )

    def move_out(self, person_id: int, on: str) -> None:
        self.conn.execute(
            "UPDATE persons SET moved_out = 1, moved_out_date = ? WHERE id = ?", (on, person_id)
        )

    def die(self, person_id: int, on: str) -> None:
        self.conn.execute(
            "UPDATE persons SET deceased = 1, deceased_date = ? WHERE id = ?", (on, person_id)
        )

    def issuance(self, person_id: int, **values: Any) -> int:
        """A stored 発行履歴 row (``fiscal_year``, ``doc_type``, ``issue_no``, ``issued_on``,
        ``process_kind`` needed)."""
        return self._insert("issuances", {"person_id": person_id, **values})

    def office(self, name: str, address: str, phone: str) -> None:
        """The office that notices name (register settings; required before notices print)."""
        s = self.stamp
        office.set_office(
            self.conn,
            office.OfficeSettings(
                name, address, phone, s.updated_date, s.updated_time, s.updated_by
            ),
        )

    def set_area(self, area_code: str, household_no: str | None = None) -> None:
        """Area code of one household, or of every household when ``household_no`` is None."""
        if household_no is None:
            self.conn.execute("UPDATE households SET area_code = ?", (area_code,))
        else:
            self.conn.execute(
                "UPDATE households SET area_code = ? WHERE household_no = ?",
                (area_code, household_no),
            )
