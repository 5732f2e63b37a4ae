"""Print engine (Qt-free, reportlab): 予診票, vouchers, 済証, lists, notices and reports.

Every ``write_*`` function writes one PDF to a path or binary file object and returns its page
count. Batches accept ``progress(done, total)`` and ``cancelled()``; when cancelled they raise
``PrintCancelled`` and write nothing. Inputs are the dataclasses in ``app.printing.model``; none of
them has a field for 個人番号.
"""

from __future__ import annotations

from app.printing.certificate import write_certificates
from app.printing.drawing import PrintCancelled
from app.printing.lists import write_unvaccinated_list
from app.printing.model import (
    AnnualReportRow,
    CertificateDose,
    CertificateRequest,
    MonthlyReportRow,
    Municipality,
    NoticeRequest,
    PersonBlock,
    UnvaccinatedRow,
    Voucher,
    YoshinhyoRequest,
)
from app.printing.notices import write_notices
from app.printing.reports import write_annual_report, write_monthly_report
from app.printing.vouchers import write_single_voucher, write_vouchers
from app.printing.yoshinhyo import write_yoshinhyo
from app.printing.yoshinhyo_form import series_ids

__all__ = [
    "AnnualReportRow",
    "CertificateDose",
    "CertificateRequest",
    "MonthlyReportRow",
    "Municipality",
    "NoticeRequest",
    "PersonBlock",
    "PrintCancelled",
    "UnvaccinatedRow",
    "Voucher",
    "YoshinhyoRequest",
    "series_ids",
    "write_annual_report",
    "write_certificates",
    "write_monthly_report",
    "write_notices",
    "write_single_voucher",
    "write_unvaccinated_list",
    "write_vouchers",
    "write_yoshinhyo",
]
