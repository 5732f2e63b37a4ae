"""Architecture rules of DESIGN.md §2, checked by reading every module of app/ with ``ast``.

Layers, top to bottom: ui → services → sync → printing → security → store → domain; a layer
imports only from layers below it. ``app/hub`` (the municipality's server side) stands beside
them: it may use domain, security, sync and its own modules (its storage in ``app/hub/store``),
never the desk's store, services or UI. ``app/errors.py``, ``app/gcpause.py`` and ``app/paths.py`` are shared by all.

Imports are read from the syntax tree: absolute and relative ones (resolved against the
module's package), imports inside functions and ``TYPE_CHECKING`` blocks, and
``importlib.import_module("app....")`` with a literal name. SQL is found by call sites: calls of
``.execute`` / ``.executemany`` / ``.executescript`` and string literals that start with a SQL
statement word. Each rule has a probe test proving the scanner sees a violation of it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"

SHARED = frozenset(
    {"errors", "gcpause", "paths"}
)  # app/errors.py, gcpause.py, paths.py: every layer
SQL_HOMES = (("store",), ("hub", "store"))  # the only folders that may run SQL
SQL_CALLS = frozenset({"execute", "executemany", "executescript"})
SQL_START = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA)\b")
DB_DRIVERS = frozenset({"sqlite3", "sqlcipher3"})


@dataclass(frozen=True)
class Rule:
    """``layer`` may import no app layer in ``forbidden``; with ``allowed`` set, only those."""

    layer: str
    forbidden: frozenset[str] = frozenset()
    allowed: frozenset[str] | None = None
    why: str = ""

    def breaks(self, target: str) -> bool:
        if target == self.layer or target in SHARED:
            return False
        if self.allowed is not None:
            return target not in self.allowed
        return target in self.forbidden


ABOVE_STORE = frozenset({"security", "printing", "sync", "hub", "services", "ui"})
RULES = (
    Rule("domain", allowed=frozenset(), why="pure Python, imports no other layer"),
    Rule("store", forbidden=ABOVE_STORE | {"demo", "commands"}, why="only domain below it"),
    Rule(
        "security",
        forbidden=frozenset({"printing", "sync", "hub", "services", "ui", "demo", "commands"}),
        why="only store and domain below it",
    ),
    Rule(
        "printing",
        forbidden=frozenset({"store", "sync", "hub", "services", "ui", "demo", "commands"}),
        why="documents from plain dataclasses; no register access",
    ),
    Rule(
        "sync",
        forbidden=frozenset({"services", "ui", "hub", "demo", "commands"}),
        why="below services; the hub uses sync, not the other way",
    ),
    Rule(
        "hub",
        allowed=frozenset({"domain", "security", "sync"}),
        why="server side: domain, security, sync and its own modules only",
    ),
    Rule("services", forbidden=frozenset({"ui", "commands", "hub"}), why="below the UI"),
    Rule("demo", forbidden=frozenset({"services", "ui", "commands", "hub"}), why="data only"),
    Rule(
        "ui",
        forbidden=frozenset({"store", "hub", "commands"}),
        why="the UI calls a service and shows what it gets; it never holds a store row or SQL",
    ),
)
# Who may import the UI at all: the UI itself and the command that launches the GUI.
UI_IMPORTERS = frozenset({"ui", "commands"})


# --- the scanner ---------------------------------------------------------------------------


def _module_name(path: Path, root: Path) -> list[str]:
    parts = ["app", *path.relative_to(root).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def _package(path: Path, root: Path) -> list[str]:
    name = _module_name(path, root)
    return name if path.name == "__init__.py" else name[:-1]


def imported_modules(path: Path, root: Path = APP) -> set[str]:
    """Every module ``path`` imports, relative imports resolved (``root`` is the app folder)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package(path, root)
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names if alias.name != "*")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def app_layers(path: Path, root: Path = APP) -> set[str]:
    """The app layers (top-level packages or modules of app/) that ``path`` imports."""
    return {
        name.split(".")[1]
        for name in imported_modules(path, root)
        if name.startswith("app.") and name.count(".") >= 1
    }


def layer_of(path: Path, root: Path = APP) -> str:
    first = path.relative_to(root).parts[0]
    return first.removesuffix(".py")


def app_files(root: Path = APP) -> Iterator[Path]:
    yield from sorted(root.rglob("*.py"))


def layer_violations(rule: Rule, root: Path = APP) -> list[str]:
    return [
        f"{path.relative_to(root)} imports app.{target} ({rule.why})"
        for path in app_files(root)
        if layer_of(path, root) == rule.layer
        for target in sorted(app_layers(path, root))
        if rule.breaks(target)
    ]


def ui_importers(root: Path = APP) -> list[str]:
    return [
        str(path.relative_to(root))
        for path in app_files(root)
        if layer_of(path, root) not in UI_IMPORTERS and "ui" in app_layers(path, root)
    ]


def qt_importers(root: Path = APP) -> list[str]:
    return [
        str(path.relative_to(root))
        for path in app_files(root)
        if layer_of(path, root) != "ui"
        and any(n == "PySide6" or n.startswith("PySide6.") for n in imported_modules(path, root))
    ]


def _sql_sites(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_CALLS
        ):
            yield f"line {node.lineno}: .{node.func.attr}()"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SQL_START.match(node.value):
                yield f"line {node.lineno}: SQL text"
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            )
            if any((m or "").split(".")[0] in DB_DRIVERS for m in modules):
                yield f"line {node.lineno}: database driver import"


def sql_outside_store(root: Path = APP) -> list[str]:
    out: list[str] = []
    for path in app_files(root):
        parts = path.relative_to(root).parts
        if any(parts[: len(home)] == home for home in SQL_HOMES):
            continue
        out.extend(f"{path.relative_to(root)} {site}" for site in _sql_sites(path))
    return out


# --- the rules on the real code ------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=[r.layer for r in RULES])
def test_layer_imports_only_what_design_allows(rule: Rule) -> None:
    assert layer_violations(rule) == []


def test_every_layer_folder_has_a_rule() -> None:
    folders = {p.name for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    ruled = {r.layer for r in RULES} | {"commands"}  # commands: the top, may use any layer
    assert folders <= ruled, f"no layer rule for {sorted(folders - ruled)}"


def test_nothing_but_ui_and_the_gui_command_imports_ui() -> None:
    assert ui_importers() == []


def test_only_ui_imports_pyside6() -> None:
    assert qt_importers() == []


def test_sql_only_in_store() -> None:
    assert sql_outside_store() == []


def test_the_scanner_reads_the_real_code() -> None:
    """Guards against a scanner that silently finds nothing."""
    assert len(list(app_files())) > 100
    assert "services" in app_layers(APP / "ui" / "shell" / "main_window.py")
    assert "PySide6.QtWidgets" in imported_modules(APP / "ui" / "shell" / "main_window.py")
    assert any(True for _ in _sql_sites(APP / "store" / "issuances.py"))


# --- probes: each rule sees a violation ----------------------------------------------------


def _probe(root: Path, rel: str, text: str) -> Path:
    path = root / "app" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in path.relative_to(root / "app").parents:
        (root / "app" / parent / "__init__.py").touch()
    path.write_text(text, encoding="utf-8")
    return root / "app"


# One forbidden import per rule, written in a different form each time.
PROBES = {
    "domain": ("domain/probe.py", "from app.store import db\n", "store"),
    "store": ("store/probe.py", "from ..security import session\n", "security"),
    "security": ("security/probe.py", "import app.services.persons\n", "services"),
    "printing": ("printing/probe.py", "def f():\n    from app.store import db\n", "store"),
    "sync": ("sync/probe.py", "from app import services\n", "services"),
    "hub": ("hub/probe.py", "from ..store import db\n", "store"),
    "services": ("services/probe.py", "from app.ui.shell import main_window\n", "ui"),
    "demo": ("demo/probe.py", "from app.services import persons\n", "services"),
    "ui": ("ui/person/probe.py", "from ...store.audit import ChainReport\n", "store"),
}


def test_every_rule_has_a_probe() -> None:
    assert set(PROBES) == {r.layer for r in RULES}


@pytest.mark.parametrize("rule", RULES, ids=[r.layer for r in RULES])
def test_scanner_sees_a_layer_violation(rule: Rule, tmp_path: Path) -> None:
    rel, text, target = PROBES[rule.layer]
    root = _probe(tmp_path, rel, text)
    assert [v.split(" (")[0] for v in layer_violations(rule, root)] == [
        f"{rel} imports app.{target}"
    ]


def test_hub_may_use_its_own_store_and_sync(tmp_path: Path) -> None:
    root = _probe(tmp_path, "hub/inbox.py", "from .store import queue\nfrom app.sync import x\n")
    _probe(tmp_path, "hub/store/queue.py", "def q(c):\n    c.execute('SELECT 1')\n")
    [hub] = [r for r in RULES if r.layer == "hub"]
    assert layer_violations(hub, root) == []
    assert sql_outside_store(root) == []


def test_scanner_resolves_relative_imports(tmp_path: Path) -> None:
    root = _probe(tmp_path, "ui/person/view.py", "from ..common import jobs\nfrom . import m\n")
    names = imported_modules(root / "ui" / "person" / "view.py", root)
    assert {"app.ui.common.jobs", "app.ui.person.m"} <= names


def test_scanner_sees_an_import_of_ui_from_outside(tmp_path: Path) -> None:
    root = _probe(
        tmp_path, "printing/probe.py", "import importlib\nimportlib.import_module('app.ui.x')\n"
    )
    _probe(tmp_path, "commands/gui.py", "def run():\n    from app.ui.shell import application\n")
    assert ui_importers(root) == ["printing/probe.py"]


def test_scanner_sees_a_pyside6_import(tmp_path: Path) -> None:
    root = _probe(tmp_path, "services/probe.py", "def f():\n    from PySide6 import QtCore\n")
    _probe(tmp_path, "ui/ok.py", "from PySide6.QtWidgets import QWidget\n")
    assert qt_importers(root) == ["services/probe.py"]


@pytest.mark.parametrize(
    "text",
    [
        "def f(conn):\n    conn.execute(query)\n",
        "def f(cur):\n    cur.executemany(q, rows)\n",
        "def f(conn):\n    conn.executescript(script)\n",
        "Q = 'select 1'.upper()\nQ2 = '''\n  SELECT name FROM persons'''\n",
        "import sqlcipher3\n",
        "from sqlite3 import connect\n",
    ],
    ids=["execute", "executemany", "executescript", "literal", "sqlcipher3", "sqlite3"],
)
def test_scanner_sees_sql_outside_store(text: str, tmp_path: Path) -> None:
    root = _probe(tmp_path, "services/probe.py", text)
    _probe(tmp_path, "store/ok.py", "def f(c):\n    c.execute('DELETE FROM x')\n")
    found = sql_outside_store(root)
    assert found and all(f.startswith("services/probe.py line ") for f in found)
