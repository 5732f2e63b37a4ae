from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from app.domain.legaldate import age_years_months
from app.domain.wareki import format_wareki
from app.errors import InvalidInput
from app.printing import YoshinhyoRequest, write_yoshinhyo
from app.printing.yoshinhyo_form import series_form, series_ids
from tests.printing.samples import (
    A4_PORTRAIT,
    ADULT,
    CHILD,
    MUNICIPALITY,
    PRINT_DATE,
    page_sizes,
    page_texts,
    person_for,
    read_barcodes,
    yoshinhyo_request,
)


def _write(requests: list[YoshinhyoRequest]) -> bytes:
    buf = io.BytesIO()
    pages = write_yoshinhyo(requests, buf, municipality=MUNICIPALITY)
    assert pages == len(requests)
    return buf.getvalue()


def test_every_routine_series_has_a_form_with_about_13_standard_questions() -> None:
    expected = {
        "hepb",
        "rota",
        "dpt_ipv",
        "hib",
        "pcv",
        "bcg",
        "mr1",
        "mr2",
        "varicella",
        "je1",
        "je2",
        "dt2",
        "hpv",
        "flu65",
        "pneumo65",
        "covid65",
        "zoster",
        "rsv_maternal",
    }
    assert set(series_ids()) == expected
    for sid in expected:
        form = series_form(sid)
        assert 13 <= len(form.questions) <= 16
        assert form.dose_options


@pytest.mark.parametrize("series_id", series_ids())
def test_prefilled_page_for_each_series(series_id: str) -> None:
    form = series_form(series_id)
    person = person_for(series_id)
    dose = form.dose_options[-1]
    pdf = _write([yoshinhyo_request(series_id, dose, 7, person)])
    assert page_sizes(pdf) == [pytest.approx(A4_PORTRAIT, abs=0.01)]
    text = page_texts(pdf)[0].replace(" ", "")
    years, months = age_years_months(person.birth_date, PRINT_DATE)
    for expected in (
        f"{form.name}予防接種予診票",
        MUNICIPALITY.name,
        person.name.replace(" ", ""),
        person.name_kana.replace(" ", ""),
        f"{format_wareki(person.birth_date)}生（満{years}歳{months}か月）",
        dose,
        person.atena_no,
        "診察前の体温",
        "実施できる",
        "見合わせる",
        *(
            ("同意します", "同意しません")
            if form.guardian
            else ("接種を希望します", "接種を希望しません")
        ),
        "医療機関コード",
        "Lot",
    ):
        assert expected in text, expected
    for question in form.questions[-2:]:
        # the series-specific items are printed (compare a wrap-independent prefix)
        assert question.replace("\n", "").replace("　", "")[:12] in text.replace("\n", "")


def test_guardian_and_relationship_printed_for_children_only() -> None:
    pdf = _write(
        [yoshinhyo_request("hib", "追加", 1, CHILD), yoshinhyo_request("flu65", "1回", 2, ADULT)]
    )
    child, adult = (t.replace(" ", "") for t in page_texts(pdf))
    assert "保護者の氏名" in child and "山田花子" in child and "続柄母" in child
    assert "保護者の氏名" not in adult and "代筆者の氏名" in adult


def test_dose_selector_marks_the_requested_dose() -> None:
    import pdfplumber

    pdf = _write([yoshinhyo_request("dpt_ipv", "初回3回目")])
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        words = page.extract_words()
        target = next(w for w in words if w["text"] == "初回3回目")
        other = next(w for w in words if w["text"] == "初回1回目")
        ellipses = [c for c in page.curves if c["top"] < 100]

        def circled(word: dict[str, Any]) -> bool:
            return any(
                e["x0"] <= word["x0"] and e["x1"] >= word["x1"] and e["top"] <= word["top"]
                for e in ellipses
            )

        assert circled(target)
        assert not circled(other)


def test_unknown_dose_or_series_is_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        _write([yoshinhyo_request("hib", "第2期")])
    assert exc.value.code == "E_PRINT_DOSE_NOT_ON_FORM"
    with pytest.raises(InvalidInput) as exc:
        _write([yoshinhyo_request("smallpox", "1回目")])
    assert exc.value.code == "E_PRINT_SERIES"


def test_code128_of_the_issuance_number_reads_back() -> None:
    pdf = _write([yoshinhyo_request(n=4711), yoshinhyo_request("bcg", "1回", 4712)])
    for page, expected in ((0, "Y25-0004711"), (1, "Y25-0004712")):
        found = read_barcodes(pdf, page)
        assert [(f, t) for f, t, _ in found] == [("Code128", expected)]


def test_static_form_is_drawn_once_per_series_not_per_page() -> None:
    requests = [yoshinhyo_request(n=i) for i in range(5)]
    requests += [yoshinhyo_request("flu65", "1回", 10 + i, ADULT) for i in range(3)]
    reader = PdfReader(io.BytesIO(_write(requests)))
    forms: set[int] = set()
    for page in reader.pages:
        resources = page["/Resources"]
        assert isinstance(resources, DictionaryObject)
        xobjects = resources["/XObject"]
        assert isinstance(xobjects, DictionaryObject)
        forms.update(ref.idnum for ref in xobjects.values())
    assert len(reader.pages) == 8
    assert len(forms) == 2


def test_print_date_before_birth_is_refused() -> None:
    early = YoshinhyoRequest("hib", "追加", CHILD.birth_date - timedelta(days=1), "Y1", CHILD)
    with pytest.raises(InvalidInput) as exc:
        _write([early])
    assert exc.value.code == "E_PRINT_DATE"
