"""The UI holds a session view: no DEK, no connection, no NK (issue 11 item 11).

Every object of a number-use clerk's main window (widgets, pages, models, the idle lock, the
number panel, the 個人番号 search dialog, and what their attributes, containers and closures
reach) is walked after the window was locked and unlocked: none is a Session, an OpenRegister or a
database connection, and no bytes value equals the register key or NK.
"""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt
from pytestqt.qtbot import QtBot

from app.security.session import OpenRegister, Session, SessionView, session_of
from tests.gui.test_access_support import (  # noqa: F401 (gui_thread_gc is a fixture)
    WAIT_MS,
    actions_of,
    give_number,
    gui_thread_gc,
    open_window,
    valid_number,
)
from tests.support.registers import USERS, make_register

pytestmark = pytest.mark.usefixtures("gui_thread_gc")


def _reachable(roots: list[object]) -> list[object]:
    seen: set[int] = set()
    out: list[object] = []
    todo = list(roots)
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        out.append(obj)
        if isinstance(obj, (str, int, float, bool, type, types.ModuleType)) or obj is None:
            continue
        if isinstance(obj, dict):
            todo.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            todo.extend(obj)
        elif isinstance(obj, types.FunctionType):
            todo.extend(c.cell_contents for c in obj.__closure__ or () if _filled(c))
        elif isinstance(obj, types.MethodType):
            todo.append(obj.__func__)
        elif type(obj).__module__.startswith("app.") or isinstance(obj, QObject):
            todo.extend(getattr(obj, "__dict__", {}).values())
            for slot in getattr(type(obj), "__slots__", ()):
                todo.append(getattr(obj, slot, None))
    return out


def _filled(cell: types.CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:
        return False
    return True


def test_no_ui_object_reaches_the_register_key(qtbot: QtBot, tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    make_register(reg)
    give_number(reg, "0000000002", valid_number("12345678901"))
    window = open_window(qtbot, reg, "number")
    live = session_of(window.session)
    secrets = {live.register.dek, live.number_key()}
    actions = actions_of(window)
    actions.search_by_number()  # a dialog of its own that calls the services
    with qtbot.waitSignal(actions.lock.locked, timeout=WAIT_MS):
        actions.lock_action.trigger()
    unlock = actions.lock.unlock_dialog
    assert unlock is not None
    with qtbot.waitSignal(actions.lock.unlocked, timeout=WAIT_MS):
        qtbot.keyClicks(unlock.password_edit, USERS["number"].password)
        qtbot.keyClick(unlock.password_edit, Qt.Key.Key_Return)

    assert isinstance(window.session, SessionView)
    objects = _reachable([window, *window.findChildren(QObject)])
    assert len(objects) > 500  # the walk really went through the window
    held = [type(o).__name__ for o in objects if isinstance(o, (Session, OpenRegister))]
    assert held == []
    conns = [o for o in objects if type(o).__name__ == "Connection" and hasattr(o, "execute")]
    assert conns == []
    assert not [o for o in objects if isinstance(o, bytes) and o in secrets]


def test_the_ui_source_never_reaches_behind_the_view() -> None:
    """app/ui names neither the live session nor its register (``session_of`` is for services)."""
    ui = Path(__file__).resolve().parents[3] / "app" / "ui"
    sources = sorted(ui.rglob("*.py"))
    assert len(sources) > 50
    for path in sources:
        text = path.read_text("utf-8")
        for forbidden in ("session_of", "OpenRegister", ".register.", ".dek", ".number_key("):
            assert forbidden not in text, f"{path.name} uses {forbidden}"
