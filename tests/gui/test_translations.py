"""Every UI source string has a Japanese translation in the shipped .ts, and the shipped .qm is
the compiled form of that .ts (STYLE.md §12)."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]
UI_SOURCES = sorted((ROOT / "app" / "ui").rglob("*.py"))
SHIPPED_TS = ROOT / "resources" / "i18n" / "vaxdesk_ja.ts"
SHIPPED_QM = ROOT / "resources" / "i18n" / "vaxdesk_ja.qm"
BIN = Path(sys.executable).parent


def _messages(ts: Path) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(context, source) → (translation text, translation type attribute)."""
    out: dict[tuple[str, str], tuple[str, str | None]] = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            out[(name, message.findtext("source") or "")] = (
                translation.text or "",
                translation.get("type"),
            )
    return out


def _run(tool: str, *args: str) -> None:
    subprocess.run([str(BIN / tool), *args], check=True, capture_output=True, cwd=ROOT)


def test_every_source_string_has_a_japanese_translation(tmp_path: Path) -> None:
    scanned = tmp_path / "scanned.ts"
    _run("pyside6-lupdate", *map(str, UI_SOURCES), "-ts", str(scanned), "-locations", "none")
    sources = set(_messages(scanned))
    assert len(sources) > 50  # lupdate really found the strings
    shipped = _messages(SHIPPED_TS)
    missing = sorted(
        key
        for key in sources
        if key not in shipped or not shipped[key][0].strip() or shipped[key][1] is not None
    )
    assert missing == [], f"untranslated (run the commands in app/ui/application.py): {missing}"
    obsolete = sorted(set(shipped) - sources)
    assert obsolete == [], f"no longer in the source, remove from the .ts: {obsolete}"


def test_shipped_qm_is_compiled_from_the_shipped_ts(tmp_path: Path) -> None:
    compiled = tmp_path / "vaxdesk_ja.qm"
    _run("pyside6-lrelease", str(SHIPPED_TS), "-qm", str(compiled))
    assert compiled.read_bytes() == SHIPPED_QM.read_bytes(), "run pyside6-lrelease (see app/ui)"


def test_japanese_is_installed_by_default(vaxdesk_app: QApplication) -> None:
    assert QCoreApplication.translate("LoginDialog", "Sign in") == "ログイン"
    assert QCoreApplication.translate("DemoMarker", "[DEMO REGISTER]") == "【デモ台帳】"
