"""No message shown to people in app/ui carries a raw error code 「（E_…）」 (issue 12 item 4, for
every screen): the Japanese text is shown and the code goes in the tooltip (``set_message(…,
code=…)``, ``setToolTip``). This scans every UI module's syntax tree for text built from an
error's code and its message together (f-strings, ``+``, ``%``/``.format``), and for message
calls given a code as their text; a probe proves the scanner catches each form."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "app" / "ui"
MESSAGE_NAMES = {"message", "message_ja", "text_ja", "msg"}
SHOW_CALLS = {"setText", "showMessage", "set_message", "show_message", "_show", "emit", "addItem"}


def _is_code(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "code") or (
        isinstance(node, ast.Attribute) and node.attr == "code"
    )


def _is_message(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id in MESSAGE_NAMES) or (
        isinstance(node, ast.Attribute) and node.attr in MESSAGE_NAMES
    )


def _parts(node: ast.expr) -> list[ast.expr]:
    """The pieces a text is built from: f-string values, both sides of ``+``, format args."""
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        right = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        return [*_parts(node.left), node.left, *right, *_parts(node.right)]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("format", "replace", "arg")
    ):
        return [*node.args, *_parts(node.func.value)]
    return []


def violations(source: str, name: str = "<probe>") -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr | ast.BinOp) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        ):
            parts = _parts(node)
            if any(_is_code(p) for p in parts) and any(_is_message(p) for p in parts):
                found.append(f"{name}:{node.lineno}: text built from a code and its message")
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in SHOW_CALLS and node.args and _is_code(node.args[0]) and called != "emit":
                found.append(f"{name}:{node.lineno}: a code shown as the text of {called}()")
    return sorted(set(found))  # nested ``+`` report one line once


def test_the_scanner_catches_each_form() -> None:
    probes = {
        'label.setText(f"{message}（{code}）")': 1,
        'self.message.emit(f"{exc.code}: {exc.message_ja}", True)': 1,
        'self._show(message_ja + "（" + code + "）", error=True)': 1,
        'lst.addItem("%s（%s）" % (w.message_ja, w.code))': 1,
        'x = "{}（{}）".format(message, code)': 1,
        "bar.showMessage(code)": 1,
        "set_message(label, message, error=True, code=code)": 0,
        "label.setToolTip(code)": 0,
        'combo.setObjectName(f"role_{code}")': 0,
        'text = f"{name}（{code}）"': 0,  # an area name with its code is data, not an error
    }
    for source, expected in probes.items():
        assert len(violations(source)) == expected, source


def test_no_ui_message_shows_a_raw_error_code() -> None:
    modules = sorted(UI.rglob("*.py"))
    assert len(modules) >= 55  # the whole UI was scanned
    found = [v for m in modules for v in violations(m.read_text("utf-8"), str(m.relative_to(UI)))]
    assert found == []
