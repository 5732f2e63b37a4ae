"""Fixtures shared by integration test modules; a module's own fixture of the same name is used
instead (several modules here define their own ``env``, ``number``, ``reg``, ``clerk`` or
``nurse``).

``env``/``number``: a sync register with one vaccination recorded and queued, and its user
"number" signed in (the stored-line, export, import and media tests of sync).

``reg``/``clerk``/``nurse``: the register of the document tests (test_documents_person.py,
test_documents_mailings_reports.py, test_scan_printed_codes.py) and its users signed in
(``nurse`` also for test_counter_workflows.py, on that module's own ``reg``). Print
dates are fixed (``ON``, tests/support/documents.py); recorded doses are in 2026 (before today's
clock, as in test_counter_workflows). 山田 太郎 (born 2025-05-10) is in the MR 1期 window from
2026-05-09; 佐藤 次郎 (born 2020-04-01) and 太郎 are both due 4種/5種混合 初回1回目; 山田 花子
(1990) has nothing due.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.security.session import Session
from app.services import results
from app.services.recovery import open_with_recovery_code
from app.store import db
from tests.support.builder import RegisterBuilder
from tests.support.documents import ON, _pid
from tests.support.registers import add_masters, login_as, make_register
from tests.support.sync_env import SyncEnv, make_sync_register, signed_in


@pytest.fixture
def env(tmp_path: Path) -> SyncEnv:
    return make_sync_register(tmp_path / "reg")  # one vaccination recorded and queued


@pytest.fixture
def number(env: SyncEnv) -> Iterator[Session]:
    yield from signed_in(env)


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    directory = tmp_path / "reg"
    code = make_register(directory)
    add_masters(directory, code)
    access = open_with_recovery_code(directory, code)
    with db.transaction(access.register.conn):
        RegisterBuilder(access.register.conn).unit_price("mr1", None, 10000, "2026-04-01")
    access.register.close()
    nurse = login_as(directory, "nurse")
    taro = _pid(nurse, "0000000001")
    results.record(
        nurse,
        taro,
        results.ResultInput(
            series_id="mr1",
            product_id="mr",
            vaccinated_on=ON,
            institution_code="1310000001",
            lot_no="MR001",
            doctor="試験 医師",
            payment_month="2026-07",
        ),
    )
    results.record(
        nurse,
        taro,
        results.ResultInput(
            series_id="dpt_ipv",
            product_id="dpt_ipv_hib",
            vaccinated_on=date(2026, 6, 15),
            institution_code="1310000001",
            lot_no="GB001",
            payment_month="2026-07",
        ),
    )
    # a dose reported without an institution (e.g. from before a move): unverifiable
    results.record(
        nurse,
        taro,
        results.ResultInput(
            series_id="varicella",
            product_id="varicella",
            vaccinated_on=date(2026, 7, 1),
            lot_no="VZ001",
            payment_month="2026-07",
        ),
    )
    nurse.register.close()
    return directory


@pytest.fixture
def clerk(reg: Path):
    s = login_as(reg, "clerk")
    yield s
    s.register.close()


@pytest.fixture
def nurse(reg: Path):
    s = login_as(reg, "nurse")
    yield s
    s.register.close()
