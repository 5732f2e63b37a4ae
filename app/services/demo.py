"""Create the synthetic demo register (デモ市): demo users, masters, persons and histories.

Everything in it is generated (app.demo); nothing comes from real people. The register is created
with ``demo=True`` (terminal secret in a file inside the folder, software authenticator allowed),
then opened once with its recovery code to bulk-load the data in large transactions through
app.store.bulk, the personal numbers sealed with the register's number key.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from app.demo.generator import (
    ATENA_WIDTH,
    HOUSEHOLD_COLUMNS,
    NUMBER_COLUMNS,
    PERSON_COLUMNS,
    DemoGenerator,
    StartIds,
)
from app.demo.masters import (
    INSTITUTION_COLUMNS,
    LOT_COLUMNS,
    UNIT_PRICE_COLUMNS,
    VACCINE_COLUMNS,
)
from app.demo.residents import ResidentCapture
from app.demo.rows import ISSUANCE_COLUMNS, VACCINATION_COLUMNS
from app.domain.ids import municipality_check_digit
from app.errors import InvalidInput
from app.security.keyslots import KeySlotFile
from app.security.person_numbers import NumberCipher
from app.services._sync_identity import install_demo_server
from app.services.recovery import open_with_recovery_code
from app.services.register import NewUser
from app.services.register_create import create_register
from app.store import audit, bulk, db, office, register_meta, stamps
from app.store.layout import RegisterLayout

Progress = Callable[[str, int, int], None]

MUNICIPALITY_NAME = "デモ市"
MUNICIPALITY_CODE5 = "99001"  # prefecture 99 does not exist: never a real municipality
MUNICIPALITY_CODE = MUNICIPALITY_CODE5 + str(municipality_check_digit(MUNICIPALITY_CODE5))

DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    # login (also the role), display name, staff number
    ("admin", "デモ 管理者", "90001"),
    ("clerk", "デモ 窓口", "90002"),
    ("nurse", "デモ 保健師", "90003"),
    ("number", "デモ 番号担当", "90004"),
    ("auditor", "デモ 監査", "90005"),
)
COMMIT_EVERY_PERSONS = 100_000


def demo_password(login: str) -> str:
    return f"demo-{login}"


def demo_users() -> list[NewUser]:
    return [
        NewUser(login, name, staff_no, demo_password(login), (login,))
        for login, name, staff_no in DEMO_USERS
    ]


# The office named on individual notices (a demo register's, fictitious; migration 0003).
DEMO_OFFICE = office.OfficeSettings(
    f"{MUNICIPALITY_NAME} 健康推進課（デモ）",
    f"{MUNICIPALITY_NAME}本町1-1-1",
    "0120-000-000",
    "2026-04-01",
    "09:00:00",
    "90001",
)


@dataclass(frozen=True, slots=True)
class DemoInfo:
    register_id: str
    persons: int
    vaccinations: int
    households: int
    seconds: float
    recovery_code: str = field(repr=False)
    terminal_id: str = ""


def _seal_with(nk: bytes) -> Callable[[bytes, str], tuple[bytes, bytes]]:
    cipher = NumberCipher(nk)

    def seal(person_uid: bytes, number: str) -> tuple[bytes, bytes]:
        return cipher.encrypt(person_uid, number), cipher.blind_index(number)

    return seal


class NotADemoRegister(InvalidInput):
    code = "E_DEMO_RESET_NOT_DEMO"


def reset_demo_register(
    directory: Path,
    *,
    persons: int,
    seed: int = 1,
    progress: Progress | None = None,
    capture: ResidentCapture | None = None,
) -> DemoInfo:
    """Delete the demo register in ``directory`` and build a fresh one (same users and
    passwords, new synthetic people). Refuses (E_DEMO_RESET_NOT_DEMO, nothing touched) unless the
    folder holds a demo register or nothing at all: a real register is never deleted."""
    directory = Path(directory)
    layout = RegisterLayout(directory)
    if layout.exists():
        if not KeySlotFile.load(layout.keyslots).demo:
            raise NotADemoRegister()
        shutil.rmtree(directory)
    elif directory.exists() and any(directory.iterdir()):
        raise NotADemoRegister()  # some other folder: not ours to empty
    return create_demo_register(
        directory, persons=persons, seed=seed, progress=progress, capture=capture
    )


def demo_area_names(gen: DemoGenerator) -> dict[str, str]:
    """地区 names of the demo city: each 地区 is named after its first town (町名), e.g.
    「中川崎地区」."""
    names: dict[str, str] = {}
    for town in gen.towns:
        names.setdefault(town.area_code, f"{town.name}地区")
    return names


def _load(
    gen: DemoGenerator,
    writers: dict[str, bulk.BulkInserter],
    report: Progress,
    capture: ResidentCapture | None = None,
) -> None:
    """Stream the generator's chunks into the tables, one transaction per ~100,000 persons."""
    chunks = gen.chunks()
    conn = writers["persons"].connection
    done, exhausted = 0, False
    while not exhausted:
        with db.transaction(conn):
            in_transaction = 0
            for chunk in chunks:
                writers["households"].insert(chunk.households)
                writers["persons"].insert(chunk.persons)
                writers["person_numbers"].insert(chunk.numbers)
                writers["issuances"].insert(chunk.issuances)
                writers["vaccinations"].insert(chunk.vaccinations)
                if capture is not None:
                    capture.add(chunk.households, chunk.persons, chunk.numbers)
                in_transaction += len(chunk.persons)
                done += len(chunk.persons)
                report("persons", done, gen.persons)
                if in_transaction >= COMMIT_EVERY_PERSONS:
                    break
            else:
                exhausted = True


def create_demo_register(
    directory: Path,
    *,
    persons: int = 2000,
    seed: int = 1,
    progress: Progress | None = None,
    today: date | None = None,
    covid_special: bool = False,
    capture: ResidentCapture | None = None,
) -> DemoInfo:
    """Create a demo register in ``directory`` (refused if one exists) and fill it.

    Deterministic for ``seed`` (and ``today``): the same persons, households and histories.
    ``capture`` (optional) sees every person with its 個人番号 as it is sealed, for the demo hub
    (kept in memory by the caller only; the numbers cannot be derived again later).
    ``covid_special`` adds the 2021–2024 新型コロナ特例臨時接種 records a real register holds (series
    id ``covid_special``, not a DOMAIN.md §2 series; used by the scale benchmarks).
    """
    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    admin, *others = demo_users()
    created = create_register(
        Path(directory),
        admin=admin,
        others=others,
        demo=True,
        municipality_code=MUNICIPALITY_CODE,
        municipality_name=MUNICIPALITY_NAME,
    )
    access = open_with_recovery_code(Path(directory), created.recovery_code)
    conn = access.register.conn
    try:
        if access.nk is None or not bulk.is_empty(conn):
            raise RuntimeError("a fresh register with its number key is needed")
        terminal_id = access.register.terminal_id
        gen = DemoGenerator(
            persons,
            seed,
            today=today or date.today(),
            terminal_id=terminal_id,
            sealer=(
                _seal_with(access.nk) if capture is None else capture.sealer(_seal_with(access.nk))
            ),
            start=StartIds(
                household=bulk.next_id(conn, "households"),
                person=bulk.next_id(conn, "persons"),
                institution=bulk.next_id(conn, "institutions"),
                vaccine=bulk.next_id(conn, "vaccines"),
                issuance=bulk.next_id(conn, "issuances"),
            ),
            covid_special=covid_special,
        )
        with db.transaction(conn):
            server_folder = install_demo_server(conn, Path(directory), MUNICIPALITY_CODE)
            audit.append(
                conn,
                action="sync.trust",
                terminal_id=terminal_id,
                detail={"source": "demo", "folder": server_folder.name},
            )
        with bulk.bulk_build(conn):
            masters = gen.masters
            if capture is not None:
                capture.add_masters(masters)
            with db.transaction(conn):
                bulk.insert_rows(
                    conn, "institutions", INSTITUTION_COLUMNS, masters.institution_rows
                )
                bulk.insert_rows(conn, "vaccines", VACCINE_COLUMNS, masters.vaccine_rows)
                bulk.insert_rows(conn, "lots", LOT_COLUMNS, masters.lot_rows)
                bulk.insert_rows(conn, "unit_prices", UNIT_PRICE_COLUMNS, masters.unit_price_rows)
                register_meta.set_meta(conn, "atena_width", str(ATENA_WIDTH))
                office.set_office(conn, DEMO_OFFICE)
                register_meta.set_area_names(conn, demo_area_names(gen))
            writers = {
                "households": bulk.BulkInserter(conn, "households", HOUSEHOLD_COLUMNS),
                "persons": bulk.BulkInserter(conn, "persons", PERSON_COLUMNS),
                "person_numbers": bulk.BulkInserter(conn, "person_numbers", NUMBER_COLUMNS),
                "issuances": bulk.BulkInserter(conn, "issuances", ISSUANCE_COLUMNS),
                "vaccinations": bulk.BulkInserter(conn, "vaccinations", VACCINATION_COLUMNS),
            }
            _load(gen, writers, report, capture)
            report("indexes", persons, persons)
        counts = {name: w.rows_written for name, w in writers.items()}
        with db.transaction(conn):
            stamps.HybridClock(terminal_id).persist(conn, gen.last_terminal_version)
            audit.append(
                conn,
                action="demo.generate",
                terminal_id=terminal_id,
                detail={
                    "seed": seed,
                    "persons": counts["persons"],
                    "households": counts["households"],
                    "vaccinations": counts["vaccinations"],
                    "issuances": counts["issuances"],
                    "institutions": len(masters.institution_rows),
                    "covid_special": covid_special,
                },
            )
    finally:
        access.register.close()
    return DemoInfo(
        register_id=created.register_id,
        persons=counts["persons"],
        vaccinations=counts["vaccinations"],
        households=counts["households"],
        seconds=time.perf_counter() - started,
        recovery_code=created.recovery_code,
        terminal_id=terminal_id,
    )
