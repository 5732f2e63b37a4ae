"""Reading the master CSV (``vaxdesk hub import-masters``): 医療機関, ワクチン and ロット.

One file, UTF-8 (with or without BOM) or Shift_JIS/CP932, a header row with these columns in any
order (README.md, "Hub" → "Master file"):

    種別, コード, 名称, カナ, 住所, 電話, メーカー, ロット番号, 有効期限, uid

- 種別 ``医療機関``: コード = 医療機関コード (1–20 digits), 名称 (required), カナ, 住所, 電話.
- 種別 ``ワクチン``: コード = the catalog product id (``[a-z0-9_]{1,64}``), 名称 and メーカー
  (both required).
- 種別 ``ロット``: コード = the product id of a vaccine (in this file or already at the hub),
  ロット番号 (required), 有効期限 (YYYY-MM-DD, 和暦 accepted, optional).
- uid (optional, every kind): the record's UUIDv7, to keep the uid a master already has in the
  terminals' registers (provisioning from an existing register, the demo).

A column that does not apply to the row's 種別 must be empty. Bad rows are reported by line,
column and code (never by value) and skipped; a file that cannot be read as a whole (encoding,
header, quoting) changes nothing. Pure parsing: no SQL, no keys.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from app.domain.wareki import InvalidDate, parse_date
from app.hub.csv_rows import CsvCodes, RowError, data_rows
from app.hub.errors import HubInvalidInput
from app.hub.residents_csv import detect_encoding

COLUMNS = (
    "種別",
    "コード",
    "名称",
    "カナ",
    "住所",
    "電話",
    "メーカー",
    "ロット番号",
    "有効期限",
    "uid",
)
KINDS = {"医療機関": "institution", "ワクチン": "vaccine", "ロット": "lot"}
# per record type: the columns a row may fill (the others must be empty)
_USED = {
    "institution": {"種別", "コード", "名称", "カナ", "住所", "電話", "uid"},
    "vaccine": {"種別", "コード", "名称", "メーカー", "uid"},
    "lot": {"種別", "コード", "ロット番号", "有効期限", "uid"},
}
_LIMITS = {"名称": 100, "カナ": 100, "住所": 200, "電話": 32, "メーカー": 100, "ロット番号": 32}
_INSTITUTION_CODE = re.compile(r"[0-9]{1,20}", re.ASCII)
_PRODUCT_ID = re.compile(r"[a-z0-9_]{1,64}", re.ASCII)
_UUID7 = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", re.ASCII
)
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass(frozen=True, slots=True)
class MasterRow:
    line: int
    record_type: str  # institution | vaccine | lot
    key: tuple[str, ...]  # (code,) | (product_id,) | (product_id, lot_no)
    data: dict[str, str | None]  # the record's data fields (without the update stamps)
    uid: str | None  # canonical text when given


_CODES = CsvCodes(csv="E_MASTER_CSV", header="E_MASTER_HEADER", columns="E_MASTER_COLUMNS")


class _Rejected(Exception):
    def __init__(self, code: str, column: str) -> None:
        super().__init__(code)
        self.code, self.column = code, column


def _text(values: dict[str, str], column: str, *, required: bool) -> str | None:
    value = values[column].strip()
    if not value:
        if required:
            raise _Rejected("E_MASTER_REQUIRED", column)
        return None
    if len(value) > _LIMITS[column] or _CONTROL.search(value):
        raise _Rejected("E_MASTER_TEXT", column)
    return value


def parse_row(values: dict[str, str], line: int) -> MasterRow:
    rtype = KINDS.get(values["種別"].strip())
    if rtype is None:
        raise _Rejected("E_MASTER_KIND", "種別")
    for column in COLUMNS:
        if column not in _USED[rtype] and values[column].strip():
            raise _Rejected("E_MASTER_UNUSED", column)
    code = values["コード"].strip().translate(_FULLWIDTH)
    uid = values["uid"].strip().lower() or None
    if uid is not None and not _UUID7.fullmatch(uid):
        raise _Rejected("E_MASTER_UID", "uid")
    data: dict[str, str | None]
    if rtype == "institution":
        if not _INSTITUTION_CODE.fullmatch(code):
            raise _Rejected("E_MASTER_CODE", "コード")
        data = {
            "code": code,
            "name": _text(values, "名称", required=True),
            "name_kana": _text(values, "カナ", required=False),
            "address": _text(values, "住所", required=False),
            "phone": _text(values, "電話", required=False),
        }
        return MasterRow(line, rtype, (code,), data, uid)
    if not _PRODUCT_ID.fullmatch(code):
        raise _Rejected("E_MASTER_CODE", "コード")
    if rtype == "vaccine":
        data = {
            "product_id": code,
            "name": _text(values, "名称", required=True),
            "maker": _text(values, "メーカー", required=True),
        }
        return MasterRow(line, rtype, (code,), data, uid)
    lot_no = _text(values, "ロット番号", required=True)
    assert lot_no is not None
    expires: str | None = None
    if values["有効期限"].strip():
        try:
            expires = parse_date(values["有効期限"].strip()).isoformat()
        except InvalidDate:
            raise _Rejected("E_MASTER_DATE", "有効期限") from None
    data = {"product_id": code, "lot_no": lot_no, "expires_on": expires}
    return MasterRow(line, rtype, (code, lot_no), data, uid)


def read_masters(stream: IO[str]) -> Iterator[MasterRow | RowError]:
    """Each data row as a ``MasterRow`` or a ``RowError`` (line, code, column); raises
    ``HubInvalidInput`` for a file that cannot be read as a whole. A key given twice in the
    file is an error on its second line (``E_MASTER_DUPLICATE``)."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    seen_uids: set[str] = set()
    for item in data_rows(stream, COLUMNS, "マスタCSV", _CODES):
        if isinstance(item, RowError):
            yield item
            continue
        start, row, positions = item
        try:
            parsed = parse_row({c: row[i] for c, i in zip(COLUMNS, positions, strict=True)}, start)
        except _Rejected as rej:
            yield RowError(start, rej.code, rej.column)
            continue
        if (parsed.record_type, parsed.key) in seen:
            yield RowError(start, "E_MASTER_DUPLICATE", "コード")
            continue
        if parsed.uid is not None and parsed.uid in seen_uids:
            yield RowError(start, "E_MASTER_UID", "uid")
            continue
        seen.add((parsed.record_type, parsed.key))
        if parsed.uid is not None:
            seen_uids.add(parsed.uid)
        yield parsed


def open_masters_csv(path: Path) -> IO[str]:
    try:
        encoding = detect_encoding(path)
    except HubInvalidInput:
        raise HubInvalidInput(
            "マスタCSVの文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存してください。",
            code="E_MASTER_ENCODING",
        ) from None
    return io.TextIOWrapper(path.open("rb"), encoding=encoding, newline="")
