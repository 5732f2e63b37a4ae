"""Free-text reasons reach the audit log scrubbed, in one place (issue 11 item 13).

A correction, void, 見合わせ or reveal reason is typed by a person and can carry a phone
number, a date of birth or a 個人番号; ``_audit.free_text`` masks digit runs and caps the length
for every service that records such a reason.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from app.services import _audit, person_numbers, persons, results
from app.store import audit
from tests.support.registers import add_masters, login_as, make_register

TYPED = "電話０９０－１２３４－５６７８、番号 123456789018 の方、生年 1990/04/01 " + "長" * 300
DIGIT_RUN = re.compile(r"\d{2,}")


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    code = make_register(tmp_path / "reg")
    add_masters(tmp_path / "reg", code)
    return tmp_path / "reg"


def test_free_text_masks_every_digit_run_and_caps_the_length() -> None:
    text = _audit.free_text(TYPED)
    assert not DIGIT_RUN.search(text)
    assert "０９０" not in text and "123456789018" not in text
    assert len(text) == _audit.FREE_TEXT_MAX
    assert _audit.free_text("  発熱  37.8℃\nのため ") == "発熱 ##.8℃ のため"


def _reasons(session, action: str) -> list[str]:
    return [
        json.loads(e.detail)["reason"]
        for e in audit.query(session.register.conn, action=action)
        if e.detail
    ]


def test_correction_void_postponement_and_reveal_reasons_are_scrubbed(reg: Path) -> None:
    nurse = login_as(reg, "nurse")
    try:
        pid = persons.search(nurse, "0000000001").people[0].person_id
        entry = results.ResultInput(
            series_id="mr1",
            product_id="mr",
            vaccinated_on=date(2026, 6, 1),
            institution_code="1310000001",
            lot_no="MR001",
        )
        first, second = (results.record(nurse, pid, entry, override_reason="試験")[0] for _ in "ab")
        results.correct(nurse, first, {"doctor": "訂正 医師"}, TYPED)
        results.void(nurse, second, TYPED)
        results.record_postponement(nurse, pid, "varicella", date(2026, 6, 1), TYPED)
        typed = [
            *_reasons(nurse, "vaccination.correct"),
            *_reasons(nurse, "vaccination.void"),
            *_reasons(nurse, "vaccination.postpone"),
        ]
    finally:
        nurse.register.close()
    number = login_as(reg, "number")
    try:
        person_numbers.set_number(number, pid, "123456789018")
        person_numbers.reveal_number(number, pid, "other", TYPED)
        (entry_,) = audit.query(number.register.conn, action="mynumber.reveal")
        typed.append(json.loads(entry_.detail)["note"])
    finally:
        number.register.close()
    assert len(typed) == 4
    for text in typed:
        assert not DIGIT_RUN.search(text) and len(text) <= _audit.FREE_TEXT_MAX
