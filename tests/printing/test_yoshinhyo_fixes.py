"""予診票 and page-margin fixes (issue 12 item 17), checked in the PDF: nothing within 5 mm of
the paper edge on any document; no 上腕/大腿 for oral or percutaneous vaccines; the dose oval
clears every character; 接種量 keeps off the cell rules; the B類 form speaks to the person,
asks about egg/chicken allergy and states there is no obligation; proxy signature lines."""

from __future__ import annotations

import io

import pdfplumber
import pytest
from reportlab.lib.units import mm

from app.printing import write_yoshinhyo
from app.printing.drawing import DEMO_MARK, DEMO_NOTE, load_form
from tests.printing.samples import ADULT, BUILDERS, CHILD, MUNICIPALITY, build, yoshinhyo_request


def _page(series: str, dose: str, person=CHILD):
    buf = io.BytesIO()
    write_yoshinhyo([yoshinhyo_request(series, dose, 9, person)], buf, municipality=MUNICIPALITY)
    doc = pdfplumber.open(io.BytesIO(buf.getvalue()))
    return doc, doc.pages[0]


def _flat(page) -> str:
    return (page.extract_text() or "").replace(" ", "").replace("\n", "")


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_nothing_is_printed_within_5mm_of_the_paper_edge(kind: str) -> None:
    pdf, _ = build(kind)
    marks = set(DEMO_MARK + DEMO_NOTE)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            objects = [ch for ch in page.chars if ch["text"] not in marks]
            objects += page.rects + page.lines + page.curves
            for o in objects:
                margin = min(o["x0"], page.width - o["x1"], o["top"], page.height - o["bottom"])
                assert margin >= 5 * mm, (kind, o.get("text", o["object_type"]), margin / mm)


@pytest.mark.parametrize(("series", "dose"), [("rota", "1回目"), ("bcg", "1回")])
def test_no_injection_sites_for_oral_and_percutaneous_vaccines(series: str, dose: str) -> None:
    doc, page = _page(series, dose)
    with doc:
        text = _flat(page)
    assert "大腿" not in text
    if series == "rota":
        assert "上腕" not in text and "経口" in text
    else:
        assert "上腕外側" in text and "経皮" in text


def test_injected_vaccines_keep_both_sites() -> None:
    doc, page = _page("hib", "初回2回目")
    with doc:
        text = _flat(page)
    assert "上腕（右・左）" in text and "大腿（右・左）" in text


@pytest.mark.parametrize(
    ("series", "dose"), [("hib", "初回2回目"), ("je1", "追加"), ("flu65", "1回")]
)
def test_the_dose_oval_clears_every_character(series: str, dose: str) -> None:
    doc, page = _page(series, dose, ADULT if series == "flu65" else CHILD)
    with doc:
        band = [ch for ch in page.chars if 18 * mm < ch["top"] < 28 * mm]
        ovals = [cv for cv in page.curves if 15 * mm < cv["top"] < 30 * mm]
        assert len(ovals) == 1
        o = ovals[0]
        cx, cy = (o["x0"] + o["x1"]) / 2, (o["top"] + o["bottom"]) / 2
        a, b = (o["x1"] - o["x0"]) / 2, (o["bottom"] - o["top"]) / 2
        inside = "".join(ch["text"] for ch in band if o["x0"] <= ch["x0"] and ch["x1"] <= o["x1"])
        assert inside == dose
        for ch in band:
            corners = [(x, y) for x in (ch["x0"], ch["x1"]) for y in (ch["top"], ch["bottom"])]
            values = [((x - cx) / a) ** 2 + ((y - cy) / b) ** 2 for x, y in corners]
            # every character is wholly inside (the dose) or wholly outside (the rest)
            assert all(v < 1 for v in values) or all(v > 1 for v in values), ch["text"]


def test_the_amount_keeps_clear_of_the_cell_rules() -> None:
    L = load_form("yoshinhyo_layout")
    left = (L["left"] + L["record"]["columns"][0]) * mm
    right = left + L["record"]["columns"][1] * mm
    for series, dose in (("hib", "初回2回目"), ("rota", "1回目")):
        doc, page = _page(series, dose)
        with doc:
            top = (L["record"]["top"] + L["record"]["header_height"]) * mm
            chars = [ch for ch in page.chars if left < ch["x0"] < right and ch["top"] > top]
        assert chars, series
        assert min(ch["x0"] for ch in chars) >= left + 1 * mm
        assert max(ch["x1"] for ch in chars) <= right - 1 * mm


def test_the_elderly_form_speaks_to_the_person_and_states_b_class() -> None:
    doc, page = _page("flu65", "1回", ADULT)
    with doc:
        text = _flat(page)
    assert "本人（保護者）" not in text and "本人に対して" in text
    assert "鶏卵" in text and "鶏肉" in text
    assert "法律上の義務はありません" in text
    assert "代筆者自署" in text and "本人との続柄" in text


def test_the_child_form_has_the_proxy_signature_and_relationship() -> None:
    doc, page = _page("mr1", "第1期")
    with doc:
        text = _flat(page)
    assert "保護者自署" in text
    assert "代理人自署" in text and "お子さんとの続柄" in text
