"""Names of the 地区 (issue 12 item 12, left open): an administrator names the area codes of a
real register (audited service, ``settings.manage``), and the printed 未接種者一覧 shows the name with
its code instead of the bare code. Bad input and other roles change nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from app.errors import InvalidInput, PermissionDenied
from app.services import areas, printing
from app.services.recovery import open_with_recovery_code
from app.store import register_meta
from tests.support.registers import add_masters, login_as, make_register

ON = date(2026, 6, 1)


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    directory = tmp_path / "reg"
    code = make_register(directory)
    add_masters(directory, code)  # gives the households area 01
    open_with_recovery_code(directory, code).register.close()
    return directory


def _audit(session, action: str) -> list[tuple[str, dict[str, Any]]]:
    rows = session.register.conn.execute(
        "SELECT outcome, detail FROM audit_log WHERE action = ? ORDER BY seq", (action,)
    ).fetchall()
    return [(o, json.loads(d)) for o, d in rows]


def _flat(path: Path) -> str:
    with pdfplumber.open(path) as doc:
        text = "".join(p.extract_text() or "" for p in doc.pages)
    return text.replace(" ", "").replace("\n", "")


def test_administrator_names_an_area_and_it_is_audited(reg: Path) -> None:
    admin = login_as(reg, "admin")
    try:
        assert areas.list_areas(admin) == [areas.AreaRow("01", "", True)]
        assert areas.set_names(admin, {"01": "　中央地区　"}) == ["01"]
        assert areas.list_areas(admin) == [areas.AreaRow("01", "中央地区", True)]
        assert areas.set_names(admin, {"01": "中央地区"}) == []  # unchanged: nothing written
        assert _audit(admin, "settings.areas") == [("ok", {"changed": ["01"]})]
        assert areas.set_names(admin, {"01": ""}) == ["01"]  # an empty name removes it
        assert register_meta.area_names(admin.register.conn) == {}
    finally:
        admin.register.close()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"01": "あ" * 31}, "E_AREA_NAME"),
        ({"01": "中央\x07地区"}, "E_AREA_NAME"),
        ({"99": "どこか"}, "E_AREA_UNKNOWN"),
        ({"01": "中央地区", "99": "どこか"}, "E_AREA_UNKNOWN"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(reg: Path, changes, code) -> None:
    admin = login_as(reg, "admin")
    try:
        with pytest.raises(InvalidInput) as err:
            areas.set_names(admin, changes)
        assert err.value.code == code and err.value.message_ja
        assert register_meta.area_names(admin.register.conn) == {}
        assert _audit(admin, "settings.areas") == []
    finally:
        admin.register.close()


def test_only_administrators_name_areas(reg: Path) -> None:
    clerk = login_as(reg, "clerk")
    try:
        with pytest.raises(PermissionDenied):
            areas.set_names(clerk, {"01": "中央地区"})
        with pytest.raises(PermissionDenied):
            areas.list_areas(clerk)
        assert register_meta.area_names(clerk.register.conn) == {}
        assert _audit(clerk, "settings.areas") == [("denied", {"needs": "settings.manage"})]
    finally:
        clerk.register.close()


def test_the_printed_list_shows_the_area_name_with_its_code(reg: Path, tmp_path: Path) -> None:
    clerk = login_as(reg, "clerk")
    try:
        before = printing.print_unvaccinated(
            clerk, "je1", tmp_path / "a.pdf", on=ON, area_code="01"
        )
        assert "（地区01）" in _flat(before.path)  # no name yet: the code
    finally:
        clerk.register.close()
    admin = login_as(reg, "admin")
    try:
        areas.set_names(admin, {"01": "中央地区"})
    finally:
        admin.register.close()
    clerk = login_as(reg, "clerk")
    try:
        after = printing.print_unvaccinated(clerk, "je1", tmp_path / "b.pdf", on=ON, area_code="01")
    finally:
        clerk.register.close()
    text = _flat(after.path)
    assert "（地区中央地区（01））" in text and "山田太郎" in text
