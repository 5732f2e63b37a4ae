"""The one list of error codes (app/error_codes.py) against the sources and the README."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from app import error_codes
from app.errors import ConfigError, InvalidInput, NotFound, VaxDeskError

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
CODE = re.compile(r"\bE_[A-Z][A-Z0-9_]*\b")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
SYSEXITS = {64, 65, 66, 70, 74, 75, 77, 78}


def _literal_codes() -> dict[str, list[str]]:
    """Every E_… inside a string literal (f-string parts and docstrings included) under app/,
    except the registry itself → where it occurs."""
    found: dict[str, list[str]] = {}
    for path in sorted(APP.rglob("*.py")):
        if path == APP / "error_codes.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for code in CODE.findall(node.value):
                    found.setdefault(code, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_codes_are_unique_in_the_table() -> None:
    tree = ast.parse((APP / "error_codes.py").read_text(encoding="utf-8"))
    table = next(
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.AnnAssign)
        and isinstance(n.target, ast.Name)
        and n.target.id == "_TABLE"
    )
    assert isinstance(table, ast.Dict)
    keys = [k.value for k in table.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    assert len(keys) == len(table.keys) > 100
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert duplicates == []
    assert keys == sorted(keys), "keep the table sorted by code so that merges stay simple"


def test_every_entry_has_a_japanese_message_and_a_sysexits_code() -> None:
    for entry in error_codes.CODES.values():
        assert CODE.fullmatch(entry.code)
        assert JAPANESE.search(entry.message_ja), entry.code
        assert entry.exit_code in SYSEXITS, entry.code


def test_every_code_used_under_app_is_registered() -> None:
    missing = {c: where for c, where in _literal_codes().items() if c not in error_codes.CODES}
    assert missing == {}


def test_every_registered_code_is_used() -> None:
    used = _literal_codes()
    unused = sorted(c for c in error_codes.CODES if c not in used)
    assert unused == []


def test_print_dose_means_one_thing_each() -> None:
    used = _literal_codes()
    assert "E_PRINT_DOSE" not in error_codes.CODES and "E_PRINT_DOSE" not in used
    assert used["E_PRINT_DOSE_UNKNOWN"] != used["E_PRINT_DOSE_NOT_ON_FORM"]


def test_raising_by_code_takes_message_and_exit_code_from_the_registry() -> None:
    exc = InvalidInput(code="E_PRINT_SPLIT")
    entry = error_codes.CODES["E_PRINT_SPLIT"]
    assert (exc.code, exc.message_ja, exc.exit_code) == (
        "E_PRINT_SPLIT",
        entry.message_ja,
        entry.exit_code,
    )
    assert str(exc) == f"E_PRINT_SPLIT: {entry.message_ja}"


def test_an_explicit_message_refines_the_text_only() -> None:
    exc = ConfigError("印刷用フォント X.ttf が見つかりません。", code="E_PRINT_FONT")
    assert exc.message_ja == "印刷用フォント X.ttf が見つかりません。"
    assert exc.exit_code == error_codes.CODES["E_PRINT_FONT"].exit_code == 78


def test_classes_take_their_message_from_the_registry() -> None:
    assert NotFound.message_ja == error_codes.message("E_NOT_FOUND")
    assert NotFound().exit_code == 66
    assert VaxDeskError().message_ja == error_codes.message("E_INTERNAL")


def test_an_unregistered_code_keeps_the_class_defaults() -> None:
    exc = InvalidInput("テスト用のメッセージです。", code="E_TEST_NOT_REGISTERED")
    assert (exc.code, exc.exit_code) == ("E_TEST_NOT_REGISTERED", 65)
    assert InvalidInput(code="E_TEST_NOT_REGISTERED").message_ja == InvalidInput.message_ja


def test_readme_error_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert error_codes.BEGIN_MARK in readme
    assert error_codes.with_table(readme) == readme, "run `make errors-doc`"


def test_with_table_refuses_a_readme_without_markers() -> None:
    with pytest.raises(ValueError):
        error_codes.with_table("# no table here\n")
