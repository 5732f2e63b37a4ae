"""個別通知 letters (issue 12 item 16): B類 letters state there is no legal obligation, do not
urge and do not claim 無料; the inquiry line carries the office's address and phone; a dose
already in the series name is not repeated; addresses break between words, never inside a
building name."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from typing import Any

import pdfplumber
import pytest

from app.errors import ConfigError
from app.printing import write_notices
from app.printing.drawing import wrap_address
from app.printing.fonts import GOTHIC
from app.printing.model import NoticeRequest
from tests.printing.samples import ADULT, CHILD, MUNICIPALITY, yoshinhyo_request

BUILDING = "グランドメゾン西新宿ステーションタワー"
LONG_ADDRESS = f"東京都新宿区西新宿二丁目8番1号 {BUILDING} 2503号室"


def _letter(n: NoticeRequest, municipality=MUNICIPALITY) -> str:
    buf = io.BytesIO()
    write_notices([n], buf, municipality=municipality)
    with pdfplumber.open(io.BytesIO(buf.getvalue())) as doc:
        return (doc.pages[0].extract_text() or "").replace(" ", "").replace("\n", "")


def test_b_class_letter_states_no_obligation_and_no_free_claim() -> None:
    text = _letter(NoticeRequest(yoshinhyo_request("flu65", "1回", 7, ADULT), None, "B"))
    assert "法律上の義務はありません" in text
    assert "希望される場合" in text
    assert "無料" not in text
    assert "自己負担" in text
    assert "受けてください" not in text  # informs, does not urge


def test_a_class_letter_keeps_the_free_routine_wording() -> None:
    text = _letter(NoticeRequest(yoshinhyo_request("mr2", "第2期", 5, CHILD), date(2026, 3, 31)))
    assert "定期接種の費用は無料です" in text
    assert "義務はありません" not in text


def test_inquiry_line_names_the_office_address_and_phone() -> None:
    text = _letter(NoticeRequest(yoshinhyo_request("mr2", "第2期", 5, CHILD), None))
    m = MUNICIPALITY
    assert f"お問い合わせ：{m.office}（{m.address}）電話{m.phone}".replace(" ", "") in text


@pytest.mark.parametrize("missing", ["office", "address", "phone"])
def test_a_notice_without_the_office_does_not_print(missing: str) -> None:
    # a str field named at run time (mypy would check "" against every field, demo: bool too)
    blank: dict[str, Any] = {missing: ""}
    m = replace(MUNICIPALITY, **blank)
    with pytest.raises(ConfigError) as err:
        _letter(NoticeRequest(yoshinhyo_request("mr2", "第2期", 5, CHILD), None), m)
    assert err.value.code == "E_OFFICE_NOT_SET"


def test_the_dose_is_not_doubled_when_the_series_name_has_it() -> None:
    text = _letter(NoticeRequest(yoshinhyo_request("mr1", "第1期", 5, CHILD), None))
    assert "麻しん風しん（第1期）の定期予防接種の対象" in text
    assert "（第1期）（第1期）" not in text and "（第1期）の定期予防接種（第1期）" not in text
    assert "第1期第1期" not in text and "（第1期）第1期" not in text


def test_the_address_breaks_between_words_not_inside_the_building_name() -> None:
    lines = wrap_address(LONG_ADDRESS, GOTHIC, 10, 80 * 2.8346)
    assert len(lines) >= 2
    assert any(BUILDING in line for line in lines)
    person = replace(CHILD, address=LONG_ADDRESS)
    buf = io.BytesIO()
    write_notices(
        [NoticeRequest(yoshinhyo_request("mr2", "第2期", 5, person), None)],
        buf,
        municipality=MUNICIPALITY,
    )
    with pdfplumber.open(io.BytesIO(buf.getvalue())) as doc:
        page_lines = (doc.pages[0].extract_text() or "").split("\n")
    assert any(BUILDING in line.replace(" ", "") for line in page_lines)


def test_a_single_word_wider_than_the_line_breaks_after_a_block_marker() -> None:
    lines = wrap_address("東京都新宿区西新宿二丁目8番1号新宿パークタワー", GOTHIC, 10, 40 * 2.8346)
    assert all(line for line in lines)
    assert "".join(lines) == "東京都新宿区西新宿二丁目8番1号新宿パークタワー"
    assert lines[0] == "東京都新宿区"  # after the ward, not in the middle of 西新宿
