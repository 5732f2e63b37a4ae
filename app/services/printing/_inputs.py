"""Register → print-engine inputs for the document services: the municipality block, person
blocks (address completed from the household, guardian and 続柄), 予診票 dose options, and the
check for a document already issued this 年度.

Personal numbers: nothing here reads ``person_numbers``; the print model refuses 12-digit runs.
"""

from __future__ import annotations

from datetime import date

from app.domain.legaldate import fiscal_year
from app.errors import ConfigError, InvalidInput, NotFound
from app.printing import Municipality, PersonBlock
from app.printing.yoshinhyo_form import series_form, series_ids
from app.security.session import Session
from app.services.office import OfficeNotSet
from app.store import issuances, register_meta
from app.store import office as office_repo
from app.store import persons as person_repo
from app.store.office import OfficeSettings
from app.store.persons import PersonRow


def office_for_print(session: Session) -> OfficeSettings:
    """The 窓口 settings for printing (the caller has checked its own print permission)."""
    office = office_repo.get_office(session.register.conn)
    if office is None or not (office.name and office.address and office.phone):
        raise OfficeNotSet()
    return office


def municipality(session: Session) -> Municipality:
    """The sender block from the register's meta (``mayor_title`` defaults to ``{name}長``)."""
    conn = session.register.conn

    def meta(key: str) -> str:
        return (register_meta.get_meta(conn, key) or "").strip()

    name, code = meta("municipality_name"), meta("municipality_code")
    if not name or not code:
        raise ConfigError(code="E_PRINT_MUNICIPALITY")
    return Municipality(
        name=name,
        code=code,
        mayor_title=meta("mayor_title") or f"{name}長",
        address=meta("municipality_address"),
        mayor_name=meta("mayor_name"),
        office=meta("municipality_office"),
        phone=meta("municipality_phone"),
        demo=session.register.demo,
    )


def area_label(session: Session, code: str) -> str:
    """「中央地区（03）」 when the administrator named the 地区, else the bare code."""
    name = register_meta.area_names(session.register.conn).get(code)
    return f"{name}（{code}）" if name else code


def person_row(session: Session, person_id: int) -> PersonRow:
    row = person_repo.get(session.register.conn, person_id)
    if row is None:
        raise NotFound()
    return row


def guardian_relation(child: PersonRow, guardian: PersonRow) -> str:
    """続柄 of the guardian to the child, when the register shows it: the child is 子 of the
    household and the guardian is its head (世帯主) or the head's spouse (妻/夫) → 母/父 by sex.
    Otherwise blank, to be written by hand (the register keeps 続柄 to the head only)."""
    same_household = child.household_id is not None and child.household_id == guardian.household_id
    if (
        same_household
        and child.relationship == "子"
        and guardian.relationship
        in (
            "世帯主",
            "妻",
            "夫",
        )
    ):
        return "母" if guardian.sex == "F" else "父"
    return ""


def person_block(session: Session, row: PersonRow) -> PersonBlock:
    """PersonBlock from the register: the person's address and postal code, completed from the
    household's; guardian name and 続柄 from ``guardian_id``."""
    conn = session.register.conn
    home = person_repo.household_address(conn, row.household_id) if row.household_id else None
    address = row.address or (home.address if home else "")
    postal = row.postal_code or (home.postal_code if home else None) or ""
    guardian = person_repo.get(conn, row.guardian_id) if row.guardian_id else None
    return PersonBlock(
        atena_no=row.atena_no,
        name=row.name,
        name_kana=row.name_kana,
        sex=row.sex if row.sex in ("M", "F") else "",
        birth_date=date.fromisoformat(row.birth_date),
        address=address,
        postal_code=postal,
        phone=row.phone or "",
        guardian_name=guardian.name if guardian else "",
        guardian_relation=guardian_relation(row, guardian) if guardian else "",
    )


def form_dose(series_id: str, engine_label: str | None) -> str:
    """The 予診票 dose option for the engine's next-dose label (1期 → 第1期, 1回目 → 1回 on
    single-dose forms, 1回目 → 初回1回目 for the Hib/PCV catch-up plans)."""
    options = series_form(series_id).dose_options
    label = engine_label or ""
    for candidate in (label, f"第{label}"):
        if candidate in options:
            return candidate
    if len(options) == 1:
        return options[0]
    for option in options:
        if label and option.endswith(label):
            return option
    raise InvalidInput(code="E_PRINT_DOSE_UNKNOWN")


def has_form(series_id: str) -> bool:
    return series_id in series_ids()


# --- issuance inside the caller's transaction ----------------------------------------------


def already_issued(
    session: Session,
    person_id: int,
    doc_type: str,
    series_id: str | None,
    dose_label: str | None,
    on: date,
) -> bool:
    return bool(
        issuances.active_same(
            session.register.conn, person_id, doc_type, series_id, dose_label, fiscal_year(on)
        )
    )
