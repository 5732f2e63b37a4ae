"""Register rows ↔ package record envelopes (PACKAGE-FORMAT.md §3, schemas/records/*.v1).

Export: a stored row (foreign keys already given as the referenced uid or product id by the store)
becomes ``{"type", "uid", "version", "origin", "voided", "data"}``; a postponed vaccination row
travels as a ``postponement`` record; a personal number is decrypted with the session's number key
only here, on its way into the encrypted payload. Import is the inverse. Nulls are omitted
(absent = null in every record schema). No SQL here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from app.domain.kana import normalize_kana
from app.security.person_numbers import NumberCipher
from app.store.db import Connection
from app.store.sync_lines import BOOL, DASH, VALUE, LineField, LineShape
from app.store.sync_outbox import (
    ENVELOPE_COLUMNS,
    RECORD_TABLES,
    RecordRow,
    export_names,
    schema_version,
)

# Package record type → (register record type, table)
PACKAGE_TYPES: dict[str, str] = {
    "household": "household",
    "person": "person",
    "person_number": "person_number",
    "institution": "institution",
    "vaccine": "vaccine",
    "lot": "lot",
    "issuance": "issuance",
    "vaccination": "vaccination",
    "postponement": "vaccination",
}
# Records the server owns: on a terminal only provisional entries are edited; the server wins.
SERVER_OWNED = frozenset({"household", "person", "person_number", "institution", "vaccine", "lot"})
BOOLEAN_FIELDS: dict[str, tuple[str, ...]] = {
    "person": ("moved_out", "deceased", "provisional"),
    "vaccination": ("follow_up",),
}
_DROP: dict[str, tuple[str, ...]] = {
    "person": ("kana_key",),
    "person_number": ("number_ct", "blind_index"),
    "vaccination": ("outcome", "postpone_reason"),
}
POSTPONEMENT_FIELDS = (
    "person_uid",
    "series_id",
    "product_id",
    "dose_no",
    "dose_label",
    "category",
    "receipt_no",
    "institution_uid",
    "doctor",
    "screening_institution_uid",
    "screening_doctor",
    "issuance_uid",
    "updated_date",
    "updated_time",
    "updated_by",
)
_PARTY = re.compile(r"^[0-9]{6}-[A-Z0-9]{1,16}\Z")
_VERSION = re.compile(r"^([0-9]{13}\.[0-9]{5})\.(.+)\Z")
_SQL_TIME = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{2}:[0-9]{2}:[0-9]{2})")


def uid_text(uid: bytes) -> str:
    """Canonical UUID text of 16 bytes (what ``str(uuid.UUID(bytes=…))`` gives, faster)."""
    h = uid.hex()
    if len(h) != 32:
        raise ValueError("a uid is 16 bytes")
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def uid_bytes(text: str) -> bytes:
    return bytes.fromhex(text.replace("-", "")) if len(text) == 36 else uuid.UUID(text).bytes


_REF_UIDS: dict[str, bytes] = {}


def ref_uid_bytes(text: str) -> bytes:
    """``uid_bytes`` of a reference: the same few (a person's records name the same person, the
    same institutions) come again and again, so they are remembered (bounded)."""
    found = _REF_UIDS.get(text)
    if found is None:
        if len(_REF_UIDS) >= 100_000:
            _REF_UIDS.clear()
        found = _REF_UIDS[text] = uid_bytes(text)
    return found


def party_version(version: str, party_id: str) -> str:
    """A local version whose origin is not a party id (older registers, test data) is sent with
    this terminal's party id; the clock part, which orders versions, is unchanged."""
    m = _VERSION.match(version)
    if m is None:
        raise ValueError("not a hybrid-clock version")
    return version if _PARTY.match(m.group(2)) else f"{m.group(1)}.{party_id}"


def _rfc3339(sql_time: str) -> str:
    m = _SQL_TIME.match(sql_time)
    if m is None:
        raise ValueError("not a time")
    return f"{m.group(1)}T{m.group(2)}Z"


def _sql_time(rfc: str) -> str:
    return rfc.replace("T", " ").rstrip("Z")


def to_envelope(
    row: RecordRow, *, party_id: str, cipher: NumberCipher | None
) -> tuple[str, dict[str, Any]]:
    """(package record type, envelope) of a stored row."""
    rtype = row.record_type
    drop = _DROP.get(rtype, ())
    # Empty fields travel as null: a receiver keeps its own value only for a field that is
    # absent (not carried by the sender), so a cleared field must say so.
    data: dict[str, Any] = {
        key: uid_text(value) if type(value) is bytes else value
        for key, value in row.data.items()
        if key not in drop
    }
    for key in BOOLEAN_FIELDS.get(rtype, ()):
        data[key] = bool(row.data.get(key))
    if rtype == "person_number":
        if cipher is None:
            raise PermissionError("number key needed")
        person_uid = row.data["person_uid"]
        data["number"] = cipher.decrypt(bytes(person_uid), bytes(row.data["number_ct"]))
    package_type = rtype
    if rtype == "vaccination" and row.data.get("outcome") == "postponed":
        package_type = "postponement"
        data = {k: data[k] for k in POSTPONEMENT_FIELDS if k in data}
        data["postponed_on"] = row.data["vaccinated_on"]
        data["postpone_reason"] = row.data.get("postpone_reason") or "-"
    voided = None
    if row.voided_at is not None:
        voided = {"at": _rfc3339(row.voided_at), "reason": row.void_reason or "-"}
    origin = row.origin if _PARTY.match(row.origin) else party_id
    return package_type, {
        "type": package_type,
        "uid": uid_text(row.uid),
        "version": party_version(row.version, party_id),
        "origin": origin,
        "voided": voided,
        "data": data,
    }


def line_shape(record_type: str, names: tuple[str, ...], package_type: str) -> LineShape | None:
    """What ``to_envelope`` puts into the data of a ``package_type`` envelope, for SQLite to build
    the lines itself (``sync_lines.json_lines``): the same members in the same order. None for
    the rows that take the general path: personal numbers (decrypted here, never in SQL) and a
    table without one of its boolean columns."""
    bools = BOOLEAN_FIELDS.get(record_type, ())
    if record_type == "person_number" or any(b not in names for b in bools):
        return None
    if package_type == "postponement":
        if record_type != "vaccination":
            raise ValueError("postponements are vaccination rows")
        fields = [LineField(k, k) for k in POSTPONEMENT_FIELDS if k in names]
        fields.append(LineField("postponed_on", "vaccinated_on"))
        fields.append(LineField("postpone_reason", "postpone_reason", DASH))
        return LineShape(record_type, package_type, tuple(fields))
    if package_type != record_type:
        raise ValueError("package type of another record type")
    drop = set(_DROP.get(record_type, ())) | set(ENVELOPE_COLUMNS)
    return LineShape(
        record_type,
        package_type,
        tuple(LineField(n, n, BOOL if n in bools else VALUE) for n in names if n not in drop),
    )


Shapes = tuple[LineShape, LineShape | None]
_SHAPES: dict[tuple[str, int, int], Shapes | None] = {}


def line_shapes(conn: Connection, record_type: str, *, cached: bool = False) -> Shapes | None:
    """The line shape of ``record_type`` and of its alternate rows (postponed vaccinations), for
    lines built by SQLite (at export, and stored when a change is queued); None when the record
    type takes the general path (personal numbers, retention purges).

    ``cached`` (queueing a change): remembered per connection and schema version. A shape
    remembered wrongly could only make a stored line unusable, never wrong: the line's key is
    that of the SQL it was built with, and the export compares it with the key of the shape it
    works out afresh."""
    if record_type not in RECORD_TABLES or record_type == "person_number":
        return None
    key = (record_type, id(conn), schema_version(conn)) if cached else None
    if key is not None and key in _SHAPES:
        return _SHAPES[key]
    names = export_names(conn, record_type)
    shapes: Shapes | None = None
    shape = line_shape(record_type, names, record_type)
    if shape is not None and record_type != "vaccination":
        shapes = (shape, None)
    elif shape is not None:
        alternate = line_shape(record_type, names, "postponement")
        shapes = None if alternate is None else (shape, alternate)
    if key is not None:
        if len(_SHAPES) > 64:
            _SHAPES.clear()
        _SHAPES[key] = shapes
    return shapes


class EnvelopeMaker:
    """``to_envelope`` for the plain rows of one record type (``sync_outbox.read_rows``), with the
    field map worked out once: the same envelopes, without a dict and a dataclass per row on the
    way. Personal numbers and postponed vaccinations take the general path."""

    UID_CACHE = 50_000

    def __init__(
        self,
        record_type: str,
        names: tuple[str, ...],
        *,
        party_id: str,
        cipher: NumberCipher | None,
    ) -> None:
        self.record_type, self.names = record_type, names
        self.party_id, self.cipher = party_id, cipher
        drop = set(_DROP.get(record_type, ())) | set(ENVELOPE_COLUMNS)
        bools = BOOLEAN_FIELDS.get(record_type, ())
        self._fields = tuple((i, n, n in bools) for i, n in enumerate(names) if n not in drop)
        self._i_uid, self._i_ver = names.index("uid"), names.index("version")
        self._i_org, self._i_vat = names.index("origin"), names.index("voided_at")
        self._i_vre = names.index("void_reason")
        self._i_outcome = names.index("outcome") if record_type == "vaccination" else -1
        self._general = record_type == "person_number" or any(b not in names for b in bools)
        self._refs: dict[bytes, str] = {}
        self._origins: dict[str, str] = {}

    def postponed(self, row: tuple[Any, ...]) -> bool:
        return self._i_outcome >= 0 and row[self._i_outcome] == "postponed"

    def record_row(self, row: tuple[Any, ...]) -> RecordRow:
        keep = ENVELOPE_COLUMNS
        return RecordRow(
            self.record_type,
            bytes(row[self._i_uid]),
            str(row[self._i_ver]),
            str(row[self._i_org]),
            row[self._i_vat],
            row[self._i_vre],
            {n: row[i] for i, n in enumerate(self.names) if n not in keep},
        )

    def _ref(self, value: bytes) -> str:
        text = self._refs.get(value)
        if text is None:
            if len(self._refs) >= self.UID_CACHE:
                self._refs.clear()
            text = self._refs[value] = uid_text(value)
        return text

    def __call__(self, row: tuple[Any, ...]) -> tuple[str, dict[str, Any]]:
        """(package record type, envelope) of ``row``."""
        if self._general or self.postponed(row):
            return to_envelope(self.record_row(row), party_id=self.party_id, cipher=self.cipher)
        data: dict[str, Any] = {}
        ref = self._ref
        for i, name, boolean in self._fields:
            value = row[i]
            if boolean:
                data[name] = bool(value)
            else:  # None travels as null (see to_envelope)
                data[name] = ref(value) if type(value) is bytes else value
        origin = str(row[self._i_org])
        sent_origin = self._origins.get(origin)
        if sent_origin is None:
            sent_origin = origin if _PARTY.match(origin) else self.party_id
            self._origins[origin] = sent_origin
        voided_at = row[self._i_vat]
        voided = None
        if voided_at is not None:
            voided = {"at": _rfc3339(voided_at), "reason": row[self._i_vre] or "-"}
        rtype = self.record_type
        return rtype, {
            "type": rtype,
            "uid": uid_text(bytes(row[self._i_uid])),
            "version": party_version(str(row[self._i_ver]), self.party_id),
            "origin": sent_origin,
            "voided": voided,
            "data": data,
        }


#: register column → record type it refers to, by the referenced record's uid in a package (lots
#: refer to vaccines by product id: ``vaccine_id``, handled where lots are read)
REF_TYPES: Final[Mapping[str, str]] = {
    "household_id": "household",
    "guardian_id": "person",
    "person_id": "person",
    "institution_id": "institution",
    "screening_institution_id": "institution",
    "issuance_id": "issuance",
}


@dataclass(frozen=True, slots=True)
class Incoming:
    """An envelope turned into register terms: ``refs`` still name other records by uid (bytes)
    or product id; the store resolves them to local ids."""

    package_type: str
    record_type: str
    uid: bytes
    version: str
    origin: str
    voided_at: str | None
    void_reason: str | None
    values: dict[str, Any]
    refs: dict[str, Any]
    number: str | None  # person_number only: sealed by the caller before anything is stored


REF_FIELDS: dict[str, dict[str, str]] = {
    # data field → register column
    "person": {"household_uid": "household_id", "guardian_uid": "guardian_id"},
    "person_number": {"person_uid": "person_id"},
    "lot": {"product_id": "vaccine_id"},
    "issuance": {"person_uid": "person_id"},
    "vaccination": {
        "person_uid": "person_id",
        "institution_uid": "institution_id",
        "screening_institution_uid": "screening_institution_id",
        "issuance_uid": "issuance_id",
    },
}


def from_envelope(envelope: dict[str, Any], kana_keys: Mapping[str, str] | None = None) -> Incoming:
    """``kana_keys`` (name_kana → kana_key of stored rows, all made by ``normalize_kana``) spares
    normalising a name that has not changed."""
    ptype = str(envelope["type"])
    rtype = PACKAGE_TYPES[ptype]
    data = dict(envelope["data"])
    number = None
    if ptype == "postponement":
        data["vaccinated_on"] = data.pop("postponed_on")
        data["outcome"] = "postponed"
    elif ptype == "vaccination":
        data["outcome"] = "given"
        data["postpone_reason"] = None
    elif ptype == "person":
        name_kana = data["name_kana"]
        known = None if kana_keys is None else kana_keys.get(name_kana)
        data["kana_key"] = normalize_kana(name_kana) if known is None else known
    elif ptype == "person_number":
        number = str(data.pop("number"))
    for key in BOOLEAN_FIELDS.get(rtype, ()):
        data[key] = 1 if data.get(key) else 0
    refs: dict[str, Any] = {}
    for field, column in REF_FIELDS.get(rtype, {}).items():
        if field not in data:  # not carried by the sender: the stored reference is kept
            continue
        value = data.pop(field)
        if value is not None and field.endswith("_uid"):
            value = ref_uid_bytes(value)
        refs[column] = value
    voided = envelope.get("voided")
    return Incoming(
        package_type=ptype,
        record_type=rtype,
        uid=uid_bytes(envelope["uid"]),
        version=str(envelope["version"]),
        origin=str(envelope["origin"]),
        voided_at=None if voided is None else _sql_time(voided["at"]),
        void_reason=None if voided is None else voided["reason"],
        values=data,
        refs=refs,
        number=number,
    )
