"""Shared pieces of the document services: register → print-engine inputs, staged output files,
issuance numbering inside the print transaction, and the result dataclass.

Transaction scope: a document's issuances (発行履歴), its ``print.*`` audit entry and its file
are one unit. The numbers are drawn inside a write transaction, the PDF is rendered (in memory)
and written to a temporary file beside the target, the transaction commits and only then the file
is renamed into place. A failure or a cancel before the commit rolls the numbers back and removes
the temporary file, so no number exists for a document that was not written and no document
exists with a number the register does not know. (A crash between the commit and the rename
leaves committed numbers and a stray ``.tmp`` file: the document can be reissued.)

Personal numbers: nothing here reads ``person_numbers``; the print model refuses 12-digit runs.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.domain.legaldate import fiscal_year
from app.errors import ConfigError, InvalidInput, NotFound
from app.printing import Municipality, PersonBlock, PrintCancelled
from app.printing.yoshinhyo_form import series_form, series_ids
from app.security.session import Session
from app.store import issuances, records
from app.store import persons as person_repo
from app.store import reports as report_repo
from app.store.persons import PersonRow


class NothingDue(InvalidInput):
    code = "E_NOTHING_DUE"
    message_ja = "現在接種できる予防接種がないため、予診票を作成しませんでした。"


class NoticesCancelled(PrintCancelled):
    """A notice batch was cancelled: the file being built was not written and its numbers were
    not issued; files finished before the cancel are kept (``written``) with their numbers."""

    message_ja = "印刷を中止しました。作成中のファイルは作成していません。"

    def __init__(self, written: tuple[Path, ...]) -> None:
        if written:
            super().__init__(
                f"印刷を中止しました。作成中のファイルは作成していません"
                f"（完成済みの {len(written)} ファイルは残っています）。"
            )
        else:
            super().__init__()
        self.written = written


@dataclass(frozen=True, slots=True)
class PrintResult:
    """What a print service produced. ``issue_numbers`` are the numbers printed on the
    documents (also in 発行履歴); ``notes`` are Japanese remarks for the operator."""

    doc: str
    paths: tuple[Path, ...]
    pages: int
    issue_numbers: tuple[str, ...] = ()
    issuance_ids: tuple[int, ...] = ()
    rows: int = 0
    notes: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        return self.paths[0]


# --- municipality and persons -------------------------------------------------------------


def municipality(session: Session) -> Municipality:
    """The sender block from the register's meta (``mayor_title`` defaults to ``{name}長``)."""
    conn = session.register.conn

    def meta(key: str) -> str:
        return (records.get_meta(conn, key) or "").strip()

    name, code = meta("municipality_name"), meta("municipality_code")
    if not name or not code:
        raise ConfigError(
            "台帳に市町村名・市町村コードが設定されていません。管理者に連絡してください。",
            code="E_PRINT_MUNICIPALITY",
        )
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
    if same_household and child.relationship == "子" and guardian.relationship in (
        "世帯主", "妻", "夫",
    ):  # fmt: skip
        return "母" if guardian.sex == "F" else "父"
    return ""


def person_block(session: Session, row: PersonRow) -> PersonBlock:
    """PersonBlock from the register: the person's address and postal code, completed from the
    household's; guardian name and 続柄 from ``guardian_id``."""
    conn = session.register.conn
    home = report_repo.household_address(conn, row.household_id) if row.household_id else None
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
    raise InvalidInput("予診票の接種回数を決められません。", code="E_PRINT_DOSE")


def has_form(series_id: str) -> bool:
    return series_id in series_ids()


# --- issuance inside the caller's transaction ----------------------------------------------


def already_issued(session: Session, person_id: int, doc_type: str, series_id: str | None,
                   dose_label: str | None, on: date) -> bool:  # fmt: skip
    return bool(
        issuances.active_same(
            session.register.conn, person_id, doc_type, series_id, dose_label, fiscal_year(on)
        )
    )


# --- staged output ----------------------------------------------------------------------------


class StagedFile:
    """A PDF written to a temporary file beside ``target`` and moved into place by ``publish``.

    ``stage`` is called inside the write transaction; ``publish`` after the commit; ``discard``
    when the transaction failed."""

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        self.tmp: Path | None = None

    def stage(self, data: bytes) -> None:
        parent = self.target.parent
        if not parent.is_dir():
            raise InvalidInput("出力先のフォルダがありません。", code="E_PRINT_OUT_DIR")
        fd, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=parent)
        self.tmp = Path(name)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    def publish(self) -> Path:
        assert self.tmp is not None
        os.replace(self.tmp, self.target)
        self.tmp = None
        return self.target

    def discard(self) -> None:
        if self.tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                self.tmp.unlink()
            self.tmp = None


@contextlib.contextmanager
def staged(target: Path) -> Iterator[StagedFile]:
    """Discard the temporary file unless it was published."""
    f = StagedFile(target)
    try:
        yield f
    finally:
        f.discard()


def pdf_target(out: Path | str) -> Path:
    path = Path(out)
    if path.suffix.lower() != ".pdf":
        raise InvalidInput("出力ファイル名は .pdf で指定してください。", code="E_PRINT_OUT_NAME")
    return path
