"""How values are written on screen: person values (sex, dates, age, residence status, 続柄),
times of the audit and access tables, and the status of a series in the due list.

Dates come from the domain's 和暦 formatter (already Japanese); words go through Qt translation
with English source text so that the translation test sees them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from PySide6.QtCore import QCoreApplication

from app.domain.legaldate import age_years_months
from app.domain.wareki import format_both, format_wareki_short, wareki_year


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:
    """Mark ``source`` for lupdate (which looks for this name) in ``context``; the text is
    translated where it is shown, with ``QCoreApplication.translate(context, source)``. Typed,
    unlike PySide6's own, which returns ``object``."""
    return source


def sex_text(code: str) -> str:
    if code == "M":
        return QCoreApplication.translate("DisplayText", "Male")
    if code == "F":
        return QCoreApplication.translate("DisplayText", "Female")
    return code


def long_date_text(d: date) -> str:
    """令和7年4月10日 (2025-04-10): a date in 和暦 with 西暦."""
    return format_both(d)


def short_date_text(d: date) -> str:
    """R7.04.10 (2025-04-10): for narrow table cells."""
    return f"{format_wareki_short(d)} ({d.isoformat()})"


def age_months(born: date, today: date) -> int:
    """Completed months of age (a sort key); -1 for a birth date after ``today``."""
    if today < born:
        return -1
    years, months = age_years_months(born, today)
    return years * 12 + months


def age_text(born: date, today: date) -> str:
    """3歳4か月; under one year only the months (5か月)."""
    if today < born:
        return ""
    years, months = age_years_months(born, today)
    if years == 0:
        return QCoreApplication.translate("DisplayText", "%1 months").replace("%1", str(months))
    return (
        QCoreApplication.translate("DisplayText", "%1 years %2 months")
        .replace("%1", str(years))
        .replace("%2", str(months))
    )


def residence_text(moved_out: bool, deceased: bool) -> str:
    """死亡 / 転出 / empty for a resident."""
    if deceased:
        return QCoreApplication.translate("DisplayText", "Deceased")
    if moved_out:
        return QCoreApplication.translate("DisplayText", "Moved out")
    return ""


def optional_text(value: str | None) -> str:
    """An empty field as a dash so that a blank cell is not mistaken for a missing screen."""
    return value if value else "—"


def local_time_text(utc_text: str | None) -> str:
    """'2025-04-10 00:12:33' or ISO with offset (UTC) → local 'YYYY-MM-DD HH:MM'."""
    if not utc_text:
        return ""
    try:
        moment = datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
    except ValueError:
        return utc_text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def local_time_both(utc_text: str | None) -> str:
    """A UTC time as the terminal's local time in the app's 和暦 + 西暦 style:
    「R8.12.01 15:36 (2026-12-01)」 (the text itself when it is not a time)."""
    if not utc_text:
        return ""
    try:
        moment = datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
    except ValueError:
        return utc_text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone()
    return f"{format_wareki_short(local.date())} {local:%H:%M} ({local.date().isoformat()})"


def month_both(year_month: str) -> str:
    """「令和8年11月 (2026-11)」 for '2026-11' (a 支払月); the text itself if not a month."""
    try:
        first = date.fromisoformat(f"{year_month}-01")
        era, year = wareki_year(first)
    except ValueError:
        return year_month
    y = "元" if year == 1 else str(year)
    return f"{era.name}{y}年{first.month}月 ({year_month})"


def fiscal_year_both(year: int) -> str:
    """「令和7年度 (2025年度)」: a 年度 starts on 1 April."""
    era, in_era = wareki_year(date(year, 4, 1))
    y = "元" if in_era == 1 else str(in_era)
    return f"{era.name}{y}年度 ({year}年度)"


# The due-list status words keep the DueListModel translation context they were written in.
STATUS_CONTEXT = "DueListModel"
SERIES_STATUS_TEXT = {
    "due": QT_TRANSLATE_NOOP("DueListModel", "Can be given"),
    "waiting": QT_TRANSLATE_NOOP("DueListModel", "Waiting for interval"),
    "upcoming": QT_TRANSLATE_NOOP("DueListModel", "Before the period"),
    "complete": QT_TRANSLATE_NOOP("DueListModel", "Complete"),
    "missed": QT_TRANSLATE_NOOP("DueListModel", "Period over"),
    "not_applicable": QT_TRANSLATE_NOOP("DueListModel", "Not eligible"),
}


def key_text(context: str, table: Mapping[str, str], key: str) -> str:
    """``key`` in words: its source text in ``table`` (marked with QT_TRANSLATE_NOOP in
    ``context``) translated; a key the table does not know is shown as it is, not hidden."""
    source = table.get(key)
    return QCoreApplication.translate(context, source) if source else key


def status_text(status: str) -> str:
    """A series status of the schedule engine (due, waiting, ...) in words."""
    return key_text(STATUS_CONTEXT, SERIES_STATUS_TEXT, status)
