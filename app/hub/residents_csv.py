"""Reading the resident master CSV from the 住民記録 system (``vaxdesk hub import-residents``).

The file (documented in README.md, "Hub: resident CSV"):

- encoding UTF-8 (with or without BOM) or Shift_JIS/CP932, detected from the whole file; a file
  that is neither is refused (E_RESIDENT_ENCODING);
- RFC 4180 CSV: comma-separated, fields with commas, quotes or line breaks in double quotes, CRLF
  or LF line ends; a quoting error refuses the whole file naming its line (E_RESIDENT_CSV);
- a header row naming the columns below in any order (extra columns are ignored; a missing one
  refuses the file, E_RESIDENT_HEADER);
- one person per row: 宛名番号, 氏名, カナ, 生年月日, 性別, 住所, 世帯番号, 続柄, 個人番号,
  異動事由, 異動日.

A bad row is reported by line and column with its code (never its value) and skipped; the other
rows are imported.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import IO, NamedTuple

from app.domain.ids import (
    InvalidAtenaNumber,
    InvalidMyNumber,
    validate_atena_number,
    validate_mynumber,
)
from app.domain.kana import normalize_kana
from app.domain.wareki import InvalidDate, parse_date
from app.hub.csv_rows import CsvCodes, RowError, data_rows
from app.hub.errors import HubInvalidInput

COLUMNS = (
    "宛名番号",
    "氏名",
    "カナ",
    "生年月日",
    "性別",
    "住所",
    "世帯番号",
    "続柄",
    "個人番号",
    "異動事由",
    "異動日",
)
EVENTS = {"転入": "moved_in", "転出": "moved_out", "死亡": "deceased", "氏名変更": "renamed"}
SEX = {"男": "M", "女": "F", "1": "M", "2": "F", "M": "M", "F": "F", "男性": "M", "女性": "F"}
MAX_TEXT = 200  # 住所; 氏名 and カナ 100, 続柄 32 (the record schemas' limits)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_KATAKANA_KEY = re.compile("[\u30a1-\u30fa\u30fc]+")
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_HOUSEHOLD = re.compile(r"[0-9]{1,20}", re.ASCII)
_CHUNK = 1 << 20


class Resident(NamedTuple):
    """One good row (a tuple: a million of them are built per import)."""

    line: int
    atena_no: str
    name: str
    name_kana: str
    kana_key: str
    sex: str
    birth_date: str
    address: str
    household_no: str
    relationship: str
    mynumber: str | None
    event: str | None  # 転入 | 転出 | 死亡 | 氏名変更
    event_date: str | None

    def fields(self) -> tuple[str, ...]:
        """The person's fields as imported (what the row hash covers; not the 個人番号)."""
        return (
            self.atena_no,
            self.name,
            self.name_kana,
            self.sex,
            self.birth_date,
            self.address,
            self.household_no,
            self.relationship,
            self.event or "",
            self.event_date or "",
        )


class RowRejected(Exception):
    def __init__(self, code: str, column: str) -> None:
        super().__init__(code)
        self.code = code
        self.column = column


def detect_encoding(path: Path) -> str:
    """ "utf-8-sig" when the whole file is valid UTF-8, else "cp932" when it is valid CP932."""
    for encoding in ("utf-8-sig", "cp932"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise HubInvalidInput(
        "住民CSVの文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存してください。",
        code="E_RESIDENT_ENCODING",
    )


@lru_cache(maxsize=65536)
def _kana_key(text: str) -> str:
    return normalize_kana(text)


def _date(text: str, column: str) -> tuple[date, str]:
    """The date and its ISO text (an ISO input is its own text: no re-formatting)."""
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text), text
        parsed = parse_date(text)
    except (InvalidDate, ValueError):
        raise RowRejected("E_RESIDENT_DATE", column) from None
    return parsed, parsed.isoformat()


def _text(raw: str, column: str, *, limit: int = MAX_TEXT, required: bool = True) -> str:
    value = raw.strip()
    if not value and required:
        raise RowRejected("E_RESIDENT_REQUIRED", column)
    if len(value) > limit or _CONTROL.search(value):
        raise RowRejected("E_RESIDENT_TEXT", column)
    return value


def parse_row(
    row: list[str], idx: tuple[int, ...], line: int, atena_width: int, today: date
) -> Resident:
    v = [row[i] for i in idx]
    try:
        atena = validate_atena_number(v[0], atena_width)
    except InvalidAtenaNumber as exc:
        raise RowRejected(exc.code, "宛名番号") from None
    name = _text(v[1], "氏名", limit=100)
    kana = _text(v[2], "カナ", limit=100)
    kana_key = _kana_key(kana)
    if not _KATAKANA_KEY.fullmatch(kana_key):
        raise RowRejected("E_RESIDENT_KANA", "カナ")
    birth, birth_text = _date(v[3].strip(), "生年月日")
    if birth > today:
        raise RowRejected("E_RESIDENT_DATE", "生年月日")
    sex = SEX.get(v[4].strip())
    if sex is None:
        raise RowRejected("E_RESIDENT_SEX", "性別")
    address = _text(v[5], "住所")
    household = v[6].strip().translate(_FULLWIDTH)
    if not _HOUSEHOLD.fullmatch(household):
        raise RowRejected("E_RESIDENT_HOUSEHOLD", "世帯番号")
    relationship = _text(v[7], "続柄", limit=32, required=False)
    number: str | None = None
    if v[8].strip():
        try:
            number = validate_mynumber(v[8])
        except InvalidMyNumber as exc:
            raise RowRejected(exc.code, "個人番号") from None
    event = v[9].strip() or None
    if event is not None and event not in EVENTS:
        raise RowRejected("E_RESIDENT_EVENT", "異動事由")
    event_text = v[10].strip()
    event_date: str | None = None
    if event is None and event_text:
        raise RowRejected("E_RESIDENT_EVENT", "異動事由")
    if event is not None:
        if not event_text:
            raise RowRejected("E_RESIDENT_REQUIRED", "異動日")
        when, event_date = _date(event_text, "異動日")
        if when < birth or when > today:
            raise RowRejected("E_RESIDENT_DATE", "異動日")
    return Resident(
        line,
        atena,
        name,
        kana,
        kana_key,
        sex,
        birth_text,
        address,
        household,
        relationship,
        number,
        event,
        event_date,
    )


_CODES = CsvCodes(csv="E_RESIDENT_CSV", header="E_RESIDENT_HEADER", columns="E_RESIDENT_COLUMNS")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def read_residents(stream: IO[str], atena_width: int, today: date) -> Iterator[Resident | RowError]:
    """Yield each row as a ``Resident`` or a ``RowError``; raises ``HubInvalidInput`` for a file
    that cannot be read as a whole (header, quoting)."""
    seen: set[str] = set()
    for item in data_rows(stream, COLUMNS, "住民CSV", _CODES):
        if isinstance(item, RowError):
            yield item
            continue
        start, row, positions = item
        try:
            resident = parse_row(row, tuple(positions), start, atena_width, today)
        except RowRejected as rej:
            yield RowError(start, rej.code, rej.column)
            continue
        if resident.atena_no in seen:
            yield RowError(start, "E_RESIDENT_DUPLICATE", "宛名番号")
            continue
        seen.add(resident.atena_no)
        yield resident


def open_csv(path: Path) -> IO[str]:
    encoding = detect_encoding(path)
    return io.TextIOWrapper(path.open("rb"), encoding=encoding, newline="")
