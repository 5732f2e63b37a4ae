"""Package channels, applied/issued packages, anchored audit entries, quarantine and conflicts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, insert, or_, select, text, update

from app.hub.store.bulk import insert_rows, is_postgres, select_in, update_rows
from app.hub.store.schema import (
    applied_packages,
    audit_entries,
    channels,
    conflicts,
    issued_packages,
    person_numbers,
    persons,
    quarantine,
    records,
    security_events,
)
from app.sync.channel import Applied

RECORD_COLUMNS = (
    "type",
    "uid",
    "version",
    "origin",
    "voided_at",
    "void_reason",
    "data",
    "change_seq",
)
_STREAM = 20_000


class HubChannel:
    """``app.sync.ChannelState`` over ``applied_packages`` (spec §4, sequence step)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def last_applied(self, sender_id: str) -> int:
        row = self.conn.execute(
            select(channels.c.in_last_seq).where(channels.c.terminal_id == sender_id)
        ).first()
        return 0 if row is None else int(row[0])

    def applied(self, sender_id: str, sequence: int) -> Applied | None:
        row = self.conn.execute(
            select(applied_packages.c.package_id, applied_packages.c.header_sha256).where(
                applied_packages.c.terminal_id == sender_id, applied_packages.c.sequence == sequence
            )
        ).first()
        return None if row is None else Applied(str(row[0]), str(row[1]))

    def sequence_of(self, sender_id: str, package_id: str) -> int | None:
        row = self.conn.execute(
            select(applied_packages.c.sequence).where(
                applied_packages.c.terminal_id == sender_id,
                applied_packages.c.package_id == package_id,
            )
        ).first()
        return None if row is None else int(row[0])


def channel(conn: Connection, terminal_id: str) -> dict[str, Any]:
    row = (
        conn.execute(select(channels).where(channels.c.terminal_id == terminal_id))
        .mappings()
        .first()
    )
    if row is None:
        raise KeyError(terminal_id)
    return dict(row)


def update_channel(conn: Connection, terminal_id: str, **values: Any) -> None:
    conn.execute(update(channels).where(channels.c.terminal_id == terminal_id).values(**values))


def record_applied(
    conn: Connection, terminal_id: str, sequence: int, package_id: str, header_sha256: str, at: str
) -> None:
    conn.execute(
        insert(applied_packages).values(
            terminal_id=terminal_id,
            sequence=sequence,
            package_id=package_id,
            header_sha256=header_sha256,
            applied_at=at,
        )
    )


def record_issued(
    conn: Connection,
    terminal_id: str,
    sequence: int,
    package_id: str,
    kind: str,
    change_seq_hi: int,
    at: str,
) -> None:
    conn.execute(
        insert(issued_packages).values(
            terminal_id=terminal_id,
            sequence=sequence,
            package_id=package_id,
            kind=kind,
            change_seq_hi=change_seq_hi,
            created_at=at,
        )
    )


def issued_position(conn: Connection, terminal_id: str, sequence: int) -> int | None:
    """The register position carried by package ``sequence`` issued to ``terminal_id``."""
    row = conn.execute(
        select(issued_packages.c.change_seq_hi).where(
            issued_packages.c.terminal_id == terminal_id, issued_packages.c.sequence == sequence
        )
    ).first()
    return None if row is None else int(row[0])


def add_audit_entries(conn: Connection, rows: Iterable[tuple[str, int, str, str]]) -> int:
    return insert_rows(conn, audit_entries, ("terminal_id", "seq", "hash", "entry"), rows)


def add_quarantine(conn: Connection, **values: Any) -> None:
    conn.execute(insert(quarantine).values(**values))


def add_security_event(conn: Connection, terminal_id: str | None, code: str, at: str) -> None:
    conn.execute(insert(security_events).values(terminal_id=terminal_id, code=code, at=at))


# --- records -----------------------------------------------------------------------------


def stored_records(
    conn: Connection, record_type: str, uids: list[bytes]
) -> dict[tuple[str, bytes], tuple[str, str, int]]:
    """(type, uid) → (version, origin, change_seq) for the records of ``uids`` that exist."""
    stmt = select(records.c.uid, records.c.version, records.c.origin, records.c.change_seq).where(
        records.c.type == record_type
    )
    return {
        (record_type, bytes(uid)): (str(version), str(origin), int(seq))
        for uid, version, origin, seq in select_in(
            conn, f"stored_records:{record_type}", stmt, records.c.uid, uids
        )
    }


def stored_data(conn: Connection, record_type: str, uid: bytes) -> str | None:
    row = conn.execute(
        select(records.c.data).where(records.c.type == record_type, records.c.uid == uid)
    ).first()
    return None if row is None else str(row[0])


def insert_records(conn: Connection, rows: Iterable[tuple[Any, ...]]) -> int:
    return insert_rows(conn, records, RECORD_COLUMNS, rows)


def update_records(conn: Connection, rows: list[tuple[Any, ...]]) -> int:
    """Rows ``(type, uid, version, origin, voided_at, void_reason, data, change_seq)``."""
    return update_rows(conn, records, ("type", "uid"), RECORD_COLUMNS[2:], rows)


def add_conflicts(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(conflicts), rows)


# --- emit --------------------------------------------------------------------------------


def _stream(conn: Connection, stmt: Any) -> Iterator[tuple[Any, ...]]:
    """Rows as plain tuples, fetched ``_STREAM`` at a time (a server-side cursor on PostgreSQL,
    so an initial load of millions of rows keeps memory flat)."""
    result = conn.execute(stmt.execution_options(yield_per=_STREAM))
    for part in result.partitions():
        yield from map(tuple, part)


PERSON_EMIT = (
    "uid",
    "atena_no",
    "name",
    "name_kana",
    "sex",
    "birth_date",
    "address",
    "relationship",
    "status",
    "moved_in_date",
    "moved_out_date",
    "deceased_date",
    "version",
    "origin",
    "voided_at",
    "void_reason",
)
NUMBER_EMIT = (
    "person_uid",
    "uid",
    "number_ct",
    "version",
    "provisional_origin",
    "updated_date",
    "updated_time",
    "updated_by",
)
RECORD_EMIT = ("type", "uid", "version", "origin", "voided_at", "void_reason", "data")


def persons_since(conn: Connection, position: int, upto: int) -> Iterator[tuple[Any, ...]]:
    """Persons changed in (position, upto], as tuples of ``PERSON_EMIT``."""
    return _stream(
        conn,
        select(*[persons.c[n] for n in PERSON_EMIT])
        .where(persons.c.change_seq > position, persons.c.change_seq <= upto)
        .order_by(persons.c.change_seq),
    )


def numbers_since(conn: Connection, position: int, upto: int) -> Iterator[tuple[Any, ...]]:
    """個人番号 rows changed in (position, upto], as tuples of ``NUMBER_EMIT``."""
    return _stream(
        conn,
        select(*[person_numbers.c[n] for n in NUMBER_EMIT])
        .where(person_numbers.c.change_seq > position, person_numbers.c.change_seq <= upto)
        .order_by(person_numbers.c.change_seq),
    )


def record_types_since(conn: Connection, position: int, upto: int) -> list[str]:
    rows = conn.execute(
        select(records.c.type)
        .where(records.c.change_seq > position, records.c.change_seq <= upto)
        .distinct()
    )
    return sorted(str(r[0]) for r in rows)


def records_since(
    conn: Connection, record_type: str, position: int, upto: int, skip_origin: str
) -> Iterator[tuple[Any, ...]]:
    """Records of one type changed in (position, upto], not from ``skip_origin``, as tuples of
    ``RECORD_EMIT``."""
    type_match = records.c.type == record_type
    if not is_postgres(conn):
        # SQLite would pick the (type, uid) key for ``type = ?`` and then sort every row of the
        # type in memory for the ORDER BY (gigabytes for 8M vaccinations); ``type || ''`` is not
        # indexable, so it walks the change_seq index in order instead: no sort, flat memory.
        type_match = records.c.type.concat("") == record_type
    return _stream(
        conn,
        select(*[records.c[n] for n in RECORD_EMIT])
        .where(
            type_match,
            records.c.change_seq > position,
            records.c.change_seq <= upto,
            records.c.origin != skip_origin,
        )
        .order_by(records.c.change_seq),
    )


def conflicts_since(
    conn: Connection, terminal_id: str, position: int, upto: int
) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(conflicts)
        .where(
            conflicts.c.change_seq > position,
            conflicts.c.change_seq <= upto,
            or_(conflicts.c.winner_origin == terminal_id, conflicts.c.loser_origin == terminal_id),
        )
        .order_by(conflicts.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def all_conflicts(conn: Connection, limit: int | None = None) -> list[dict[str, Any]]:
    """Conflicts, oldest first (with ``limit``: the newest ``limit`` of them)."""
    stmt = select(conflicts).order_by(conflicts.c.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return [dict(r) for r in reversed(conn.execute(stmt).mappings().all())]


def quarantined(conn: Connection, limit: int | None = None) -> list[dict[str, Any]]:
    """Quarantine entries, oldest first (with ``limit``: the newest ``limit`` of them)."""
    stmt = select(quarantine).order_by(quarantine.c.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return [dict(r) for r in reversed(conn.execute(stmt).mappings().all())]


def audit_hash(conn: Connection, terminal_id: str, seq: int) -> str | None:
    row = conn.execute(
        select(audit_entries.c.hash).where(
            audit_entries.c.terminal_id == terminal_id, audit_entries.c.seq == seq
        )
    ).first()
    return None if row is None else str(row[0])


def known_persons(conn: Connection, uids: list[bytes]) -> set[bytes]:
    """The ``uids`` that name a person: in the register, or a provisional person received."""
    found = {
        bytes(r[0])
        for r in select_in(conn, "known_persons", select(persons.c.uid), persons.c.uid, uids)
    }
    rest = [u for u in uids if u not in found]
    stmt = select(records.c.uid).where(records.c.type == "person")
    found.update(
        bytes(r[0]) for r in select_in(conn, "provisional_persons", stmt, records.c.uid, rest)
    )
    return found


_UIDS_OF_BLOB = (
    "ARRAY(SELECT substring(CAST(:{0} AS bytea) FROM i * 16 + 1 FOR 16)"
    " FROM generate_series(0, :{0}_n - 1) AS i)"
)
_EXISTING_SQL = text(
    "SELECT 0 AS tag, uid, version, origin, change_seq FROM records"
    f" WHERE type = :rtype AND uid = ANY({_UIDS_OF_BLOB.format('rec')})"
    " UNION ALL SELECT 1, uid, NULL, NULL, NULL FROM persons"
    f" WHERE uid = ANY({_UIDS_OF_BLOB.format('ppl')})"
)


def existing_rows(
    conn: Connection, record_type: str, uids: list[bytes], person_uids: list[bytes]
) -> tuple[dict[tuple[str, bytes], tuple[str, str, int]], set[bytes]]:
    """``stored_records`` and ``known_persons`` of one batch. PostgreSQL: one round trip for the
    stored records and the register's persons, the 16-byte uids sent as one ``bytea`` each
    (an array parameter of thousands of ``bytea`` is escaped value by value on the client);
    provisional persons are looked up only for the uids the register does not have."""
    uids = list(dict.fromkeys(uids))
    person_uids = list(dict.fromkeys(person_uids))
    if not is_postgres(conn) or any(len(u) != 16 for u in (*uids, *person_uids)):
        return stored_records(conn, record_type, uids), known_persons(conn, person_uids)
    if not uids and not person_uids:
        return {}, set()
    params = {
        "rtype": record_type,
        "rec": b"".join(uids),
        "rec_n": len(uids),
        "ppl": b"".join(person_uids),
        "ppl_n": len(person_uids),
    }
    stored: dict[tuple[str, bytes], tuple[str, str, int]] = {}
    known: set[bytes] = set()
    rows: list[tuple[Any, ...]] = [tuple(r) for r in conn.execute(_EXISTING_SQL, params)]
    for tag, uid, version, origin, seq in rows:
        if tag == 0:
            stored[(record_type, bytes(uid))] = (str(version), str(origin), int(seq))
        else:
            known.add(bytes(uid))
    rest = [u for u in person_uids if u not in known]
    if rest:  # provisional persons received from terminals
        stmt = select(records.c.uid).where(records.c.type == "person")
        known.update(
            bytes(r[0]) for r in select_in(conn, "provisional_persons", stmt, records.c.uid, rest)
        )
    return stored, known
