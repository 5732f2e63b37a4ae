"""Issue 11 item 14: the runtime dependencies are installed from a hashed lock file whose pins
satisfy the ranges in pyproject.toml (the ranges stay there; the lock is what gets installed)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def _locked(name: str) -> dict[str, tuple[str, str | None, int]]:
    """name -> (version, marker, number of hashes) for every pin of a lock file."""
    out: dict[str, tuple[str, str | None, int]] = {}
    current: str | None = None
    for line in (ROOT / name).read_text("utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            out[current] = (match.group(2), match.group(3), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, marker, hashes = out[current]
            out[current] = (version, marker, hashes + 1)
    return out


def _project() -> dict[str, object]:
    data: dict[str, object] = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return data


def _requirements(key: str | None = None) -> list[Requirement]:
    project = _project()["project"]
    assert isinstance(project, dict)
    items = project["dependencies"] if key is None else project["optional-dependencies"][key]
    return [Requirement(item.split("#")[0].strip()) for item in items]


def test_every_runtime_dependency_is_pinned_with_hashes_within_its_range() -> None:
    locked = _locked("requirements.lock")
    for req in _requirements():
        name = canonicalize_name(req.name)
        assert name in locked, f"{name} is not in requirements.lock"
        version, _, hashes = locked[name]
        assert req.specifier.contains(version, prereleases=True), (name, version)
        assert hashes >= 1, f"{name} has no hash"
    assert all(h >= 1 for _, _, h in locked.values())  # --require-hashes needs every one


def test_the_lock_resolves_for_linux_and_windows_pythons() -> None:
    locked = _locked("requirements.lock")
    for env in (
        {"sys_platform": "linux", "python_full_version": "3.11.7", "python_version": "3.11"},
        {"sys_platform": "win32", "python_full_version": "3.13.1", "python_version": "3.13"},
    ):
        wanted = {
            name
            for name, (_, marker, _) in locked.items()
            if marker is None or Marker(marker).evaluate(env)
        }
        assert "keyring" in wanted and "sqlcipher3" in wanted
        platform_backend = "secretstorage" if env["sys_platform"] == "linux" else "pywin32-ctypes"
        assert platform_backend in wanted


def test_the_test_tools_use_the_same_runtime_pins() -> None:
    runtime, tools = _locked("requirements.lock"), _locked("requirements-test.lock")
    for name, (version, _, _) in runtime.items():
        if name in tools:
            assert tools[name][0] == version, name
    for req in _requirements("test"):
        name = canonicalize_name(req.name)
        assert name in tools and req.specifier.contains(tools[name][0], prereleases=True), name


def test_make_installs_from_the_lock_files() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert "--require-hashes -r $(LOCK)" in makefile
    assert "--require-hashes -r $(TEST_LOCK)" in makefile
    assert "--no-deps -e ." in makefile
    assert "-e '.[test]'" not in makefile  # the app no longer resolves its own dependencies
