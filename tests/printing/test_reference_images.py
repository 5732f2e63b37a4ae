"""Fresh renders of page 1 of every document type match the checked-in reference images.

Regenerate: VAXDESK_UPDATE_PRINT_REFS=1 .venv/bin/python -m pytest tests/printing/test_reference_images.py
"""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from PIL import Image

from app.printing import write_yoshinhyo
from tests.printing.refimages import (
    DPI,
    MAX_MEAN_DIFF,
    MAX_TILE_DIFF,
    REF_DIR,
    differences,
    updating,
)
from tests.printing.samples import BUILDERS, CHILD, MUNICIPALITY, build, render, yoshinhyo_request


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_page_one_matches_reference(kind: str) -> None:
    pdf, _ = build(kind)
    fresh = render(pdf, 0, DPI, grey=True)
    ref_path = REF_DIR / f"{kind}.png"
    if updating():
        REF_DIR.mkdir(parents=True, exist_ok=True)
        fresh.save(ref_path, optimize=True)
    assert ref_path.is_file(), f"missing {ref_path}; run with VAXDESK_UPDATE_PRINT_REFS=1"
    mean, worst = differences(fresh, Image.open(ref_path))
    assert mean < MAX_MEAN_DIFF, f"{kind}: mean pixel difference {mean:.2f}"
    assert worst < MAX_TILE_DIFF, f"{kind}: worst tile difference {worst:.1f}"


@pytest.mark.parametrize(
    "request_",
    [
        yoshinhyo_request(person=replace(CHILD, name="長谷川 美智子", atena_no="0007654321")),
        yoshinhyo_request(dose="追加"),
    ],
    ids=["other-name", "other-dose-marked"],
)
def test_comparison_detects_a_changed_field(request_: object) -> None:
    """The thresholds are tight enough to notice one pre-filled value or mark changing."""
    ref = Image.open(REF_DIR / "yoshinhyo.png")
    buf = io.BytesIO()
    write_yoshinhyo([request_], buf, municipality=MUNICIPALITY)  # type: ignore[list-item]
    mean, worst = differences(render(buf.getvalue(), 0, DPI, grey=True), ref)
    assert worst >= MAX_TILE_DIFF
    assert mean < MAX_MEAN_DIFF  # small over the page: the tile check is what catches it
