"""The 未接種者一覧 as CSV for mailing (streamed chunk by chunk, with progress and cancel)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence

from app.errors import VaxDeskError
from app.services._list_types import UnvaccinatedEntry

CSV_HEADER = [
    "宛名番号",
    "氏名",
    "カナ氏名",
    "性別",
    "生年月日",
    "郵便番号",
    "住所",
    "地区",
    "状態",
    "接種済回数",
    "次回",
    "接種可能日",
    "期限",
]


class ExportCancelled(VaxDeskError):
    """A CSV export was cancelled: no file was written."""

    code = "E_EXPORT_CANCELLED"


def csv_bytes(
    chunks: Iterable[Sequence[UnvaccinatedEntry]],
    total: int,
    names: dict[str, str],
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
) -> tuple[bytes, int]:
    """The rows as UTF-8 CSV with BOM (for Excel) and their count, reporting ``progress`` (rows
    done, total) after each chunk; ``ExportCancelled`` as soon as ``cancelled``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    done = 0
    for chunk in chunks:
        if cancelled is not None and cancelled():
            raise ExportCancelled()
        w.writerows(_csv_row(e, names) for e in chunk)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    if cancelled is not None and cancelled():
        raise ExportCancelled()
    return ("\ufeff" + buf.getvalue()).encode("utf-8"), done


def _area_text(code: str | None, names: dict[str, str]) -> str:
    """「中央地区（01）」 when the administrator named the 地区, else the bare code (as the printed
    list's ``printing._inputs.area_label``)."""
    if not code:
        return ""
    name = names.get(code)
    return f"{name}（{code}）" if name else code


def _csv_row(e: UnvaccinatedEntry, names: dict[str, str]) -> list[object]:
    return [
        e.atena_no,
        e.name,
        e.name_kana,
        "女" if e.sex == "F" else "男",
        e.birth_date.isoformat(),
        e.postal_code or "",
        e.address,
        _area_text(e.area_code, names),
        "接種可" if e.status == "due" else "間隔待ち",
        e.doses_given,
        e.next_dose or "",
        e.earliest.isoformat() if e.earliest else "",
        e.window_until.isoformat() if e.window_until else "",
    ]
