"""The hub's layering: Qt-free, and only domain, security, sync, errors, gcpause and itself below it."""

from __future__ import annotations

from pathlib import Path

from tests.unit.test_layering import APP, imported_modules

ALLOWED = ("app.domain", "app.security", "app.sync", "app.errors", "app.gcpause", "app.hub")


def test_hub_imports_only_what_it_may() -> None:
    offenders = []
    files = sorted((APP / "hub").rglob("*.py"))
    assert len(files) > 10
    for path in files:
        for name in imported_modules(path):
            if name.startswith("PySide6") or (
                name.startswith("app")
                and not any(name == a or name.startswith(a + ".") for a in ALLOWED)
            ):
                offenders.append(f"{path.relative_to(APP)} imports {name}")
    assert offenders == []


def test_sql_of_the_hub_stays_in_its_store() -> None:
    offenders = []
    for path in sorted((APP / "hub").rglob("*.py")):
        rel = path.relative_to(APP / "hub")
        if rel.parts[0] == "store":
            continue
        text = path.read_text(encoding="utf-8")
        if any(
            s in text for s in ("sqlcipher3", ".execute(", "executemany(", "sqlalchemy import text")
        ):
            offenders.append(str(rel))
    assert offenders == [], offenders


def test_scanner_reads_the_hub(tmp_path: Path) -> None:
    probe = tmp_path / "p.py"
    probe.write_text("from app.store import db\n", encoding="utf-8")
    assert "app.store" in imported_modules(probe, tmp_path)
