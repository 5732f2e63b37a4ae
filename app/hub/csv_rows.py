"""Reading the hub's CSV imports (resident master, master file) the same way: the header row's
column positions, then each data row with its first line number — a row with the wrong number of
columns becomes a ``RowError`` and is skipped, a blank line is ignored, and broken quoting stops
the whole file (nothing is imported). ``label`` names the file in messages (「住民CSV」), and the
codes are the caller's."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from app.hub.errors import HubInvalidInput


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    code: str
    column: str

    def describe(self) -> str:
        return f"{self.line}行目 {self.column}: {self.code}"


@dataclass(frozen=True, slots=True)
class CsvCodes:
    """The caller's error codes: unreadable file, header, wrong number of columns."""

    csv: str
    header: str
    columns: str


def header_positions(
    header: list[str], columns: Sequence[str], label: str, codes: CsvCodes
) -> list[int]:
    """The position of each of ``columns`` in ``header`` (a BOM and spaces ignored)."""
    names = [h.strip().lstrip("\ufeff") for h in header]
    missing = [c for c in columns if c not in names]
    if missing:
        raise HubInvalidInput(
            f"{label}の見出し行に必要な列がありません: {'、'.join(missing)}", code=codes.header
        )
    if len(set(names)) != len(names):
        raise HubInvalidInput(f"{label}の見出し行に同じ列名が重複しています。", code=codes.header)
    return [names.index(c) for c in columns]


def data_rows(
    stream: IO[str], columns: Sequence[str], label: str, codes: CsvCodes
) -> Iterator[tuple[int, list[str], list[int]] | RowError]:
    """``(first line, row, positions of columns)`` per data row, or a ``RowError`` for a row with
    the wrong number of columns; raises ``HubInvalidInput`` for a file that cannot be read."""
    reader = csv.reader(stream, strict=True)
    try:
        header = next(reader, None)
    except csv.Error:
        raise HubInvalidInput(f"{label}の1行目を読み取れません。", code=codes.csv) from None
    if header is None:
        raise HubInvalidInput(f"{label}が空です。", code=codes.header)
    positions = header_positions(header, columns, label, codes)
    width = len(header)
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise HubInvalidInput(
                f'{label}の{line}行目付近の引用符（"）の対応が正しくありません。何も取り込んでいません。',
                code=codes.csv,
            ) from None
        start, line = line, reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != width:
            yield RowError(start, codes.columns, "列数")
            continue
        yield start, row, positions
