"""Architecture rules of DESIGN.md §2, checked by scanning imports."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"

LAYERS = ["domain", "store", "security", "printing", "sync", "services", "ui"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _app_files() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def test_only_ui_imports_pyside6() -> None:
    offenders = []
    for path in _app_files():
        rel = path.relative_to(APP)
        if rel.parts[0] == "ui":
            continue
        if any(n == "PySide6" or n.startswith("PySide6.") for n in _imports(path)):
            offenders.append(str(rel))
    assert offenders == [], f"PySide6 imported outside app/ui: {offenders}"


def test_scanner_sees_a_pyside6_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from PySide6.QtWidgets import QWidget\n", encoding="utf-8")
    assert "PySide6.QtWidgets" in _imports(probe)


def test_domain_imports_nothing_above_it() -> None:
    forbidden = {f"app.{layer}" for layer in LAYERS if layer != "domain"}
    offenders = []
    for path in (APP / "domain").rglob("*.py"):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                offenders.append(f"{path.relative_to(APP)} imports {name}")
    assert offenders == []


def test_sql_only_in_store() -> None:
    """No module outside app/store (and the hub's own app/hub/store) executes SQL (looks for
    cursor/connection execute calls)."""
    offenders = []
    for path in _app_files():
        rel = path.relative_to(APP)
        if rel.parts[0] == "store" or rel.parts[:2] == ("hub", "store"):
            continue
        text = path.read_text(encoding="utf-8")
        if "sqlcipher3" in text or ".execute(" in text or "executemany(" in text:
            offenders.append(str(rel))
    assert offenders == [], f"SQL outside app/store: {offenders}"
