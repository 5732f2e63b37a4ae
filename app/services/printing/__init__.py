"""Printing documents from the register: 予診票, vouchers, 済証, 未接種者一覧, 個別通知, reports.

Modules:
- ``_pipeline``: the one print pipeline (staged → write → issue → render → stage → audit →
  publish), the staged output file and ``PrintResult``;
- ``_inputs``: register rows → print-engine inputs (municipality, person blocks);
- ``person_documents``: 予診票, 接種券/助成券, 予防接種済証 for a person at the counter;
- ``mailings``: 未接種者一覧 and 個別通知 for a cohort;
- ``reports``: monthly 実施報告 and annual 実施状況.

Every print checks its permission, numbers its documents through 発行履歴 where it has numbers
and appends a ``print.<doc>`` audit entry with ids and counts only. No function reads 個人番号.
"""

from __future__ import annotations

from app.services.printing._pipeline import NothingDue, NoticesCancelled, PrintResult
from app.services.printing.mailings import print_notices, print_unvaccinated
from app.services.printing.person_documents import (
    DEFAULT_COUNT_CODE,
    DEFAULT_KIND_CODE,
    print_certificate,
    print_vouchers,
    print_yoshinhyo,
)
from app.services.printing.reports import print_annual_report, print_monthly_report

__all__ = [
    "DEFAULT_COUNT_CODE",
    "DEFAULT_KIND_CODE",
    "NothingDue",
    "NoticesCancelled",
    "PrintResult",
    "print_annual_report",
    "print_certificate",
    "print_monthly_report",
    "print_notices",
    "print_unvaccinated",
    "print_vouchers",
    "print_yoshinhyo",
]
