"""`vaxdesk package …` end to end: a package built by the CLI opens with the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.sync import build_trust, load_keypair, load_public_key, make_party, write_trust_dir
from tests.sync.pkgkit import SECRET_NAME, line, person, utc, vaccination


def _run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main(["package", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def setup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    keys = tmp_path / "keys"
    for pid in ("192015-HUB", "192015-T001"):
        assert _run(capsys, "keygen", "--id", pid, "--out", keys)[0] == 0
    code, out, _ = _run(
        capsys,
        "trust",
        "--server",
        keys / "192015-HUB.pub.json",
        "--terminal",
        keys / "192015-T001.pub.json",
        "--sign-key",
        keys / "192015-HUB.key.json",
        "--version",
        "1",
        "--out",
        tmp_path / "trust",
    )
    assert code == 0 and "trust version 1" in out
    src = tmp_path / "in" / "records"
    src.mkdir(parents=True)
    (src / "person.jsonl").write_bytes(line(person(1)) + line(person(2)))
    (src / "vaccination.jsonl").write_bytes(b"".join(line(vaccination(i)) for i in range(4)))
    return tmp_path


def _build(capsys: pytest.CaptureFixture[str], root: Path, *extra: str) -> tuple[int, str, str]:
    keys = root / "keys"
    return _run(
        capsys,
        "build",
        "--records",
        root / "in",
        "--sender-key",
        keys / "192015-T001.key.json",
        "--recipient",
        keys / "192015-HUB.pub.json",
        "--sequence",
        "1",
        "--out",
        root / "out" / "p.vxpkg",
        *extra,
    )


def test_build_inspect_open(setup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _build(capsys, setup, "--ack", "2")
    assert code == 0 and "records/vaccination.jsonl: 4 records" in out
    code, out, _ = _run(capsys, "inspect", setup / "out" / "p.vxpkg")
    assert code == 0 and "sequence      1" in out and "192015-T001" in out
    code, out, _ = _run(capsys, "inspect", setup / "out" / "p.vxpkg", "--json")
    info = json.loads(out)
    assert info["header"]["ack"] == 2 and len(info["header_sha256"]) == 64
    code, out, _ = _run(
        capsys,
        "open",
        setup / "out" / "p.vxpkg",
        "--trust",
        setup / "trust",
        "--key",
        setup / "keys" / "192015-HUB.key.json",
        "--out",
        setup / "opened",
    )
    assert code == 0 and out.startswith("OK ")
    for name in ("person.jsonl", "vaccination.jsonl"):
        assert (setup / "opened" / "records" / name).read_bytes() == (
            setup / "in" / "records" / name
        ).read_bytes()
    manifest = json.loads((setup / "opened" / "manifest.json").read_text())
    assert manifest["package_id"] == info["header"]["package_id"]
    assert SECRET_NAME not in out


def test_open_failure_prints_the_code_first_and_writes_nothing(
    setup: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _build(capsys, setup)[0] == 0
    code, _out, err = _run(
        capsys,
        "open",
        setup / "out" / "p.vxpkg",
        "--trust",
        setup / "trust",
        "--key",
        setup / "keys" / "192015-T001.key.json",
        "--out",
        setup / "opened",
    )
    assert code == 65
    assert err.startswith("E_WRONG_RECIPIENT: ")
    assert not (setup / "opened").exists()


def test_build_with_an_invalid_record_writes_no_file(
    setup: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = person()
    bad["data"]["sex"] = "X"
    (setup / "in" / "records" / "person.jsonl").write_bytes(line(bad))
    code, _, err = _build(capsys, setup)
    assert code == 65 and err.startswith("E_RECORD_SCHEMA: ") and "1 行目" in err
    assert SECRET_NAME not in err
    assert list((setup / "out").iterdir()) == []


def test_empty_folder_builds_a_manifest_only_package(
    setup: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = setup / "empty"
    empty.mkdir()
    keys = setup / "keys"
    code, _, _ = _run(
        capsys,
        "build",
        "--records",
        empty,
        "--sender-key",
        keys / "192015-HUB.key.json",
        "--recipient",
        keys / "192015-T001.pub.json",
        "--sequence",
        "1",
        "--kind",
        "updates",
        "--out",
        setup / "e.vxpkg",
    )
    assert code == 0
    code, _out, _ = _run(
        capsys,
        "open",
        setup / "e.vxpkg",
        "--trust",
        setup / "trust",
        "--key",
        keys / "192015-T001.key.json",
        "--out",
        setup / "e",
    )
    assert code == 0
    assert sorted(p.name for p in (setup / "e").iterdir()) == ["manifest.json"]


def test_trust_rotation_needs_the_old_key(setup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keys = setup / "keys"
    hub, term = (
        load_keypair(keys / "192015-HUB.key.json"),
        load_public_key(keys / "192015-T001.pub.json"),
    )
    first = build_trust(
        1,
        [
            make_party(hub.public, "server", utc(2026, 1, 1), utc(2031, 1, 1)),
            make_party(term, "terminal", utc(2026, 1, 1), utc(2031, 1, 1)),
        ],
        [hub],
        issued_at=utc(2026, 6, 1),
    )
    write_trust_dir(first, setup / "trust")  # made a while ago
    assert _run(capsys, "keygen", "--id", "192015-HUB", "--out", keys / "new")[0] == 0
    args: list[str | Path] = [
        "trust",
        "--server",
        keys / "new" / "192015-HUB.pub.json",
        "--sign-key",
        keys / "new" / "192015-HUB.key.json",
        "--previous",
        setup / "trust",
        "--version",
        "2",
        "--out",
        setup / "trust2",
    ]
    code, _, err = _run(capsys, *args)
    assert code == 65 and err.startswith("E_TRUST: ")
    code, out, _ = _run(capsys, *args, "--old-sign-key", keys / "192015-HUB.key.json")
    assert code == 0 and "trust version 2: 3 parties" in out
    assert len((setup / "trust2" / "trust.sig").read_bytes()) == 128
    old = json.loads((keys / "192015-T001.pub.json").read_text())["key_id"]
    code, out, _ = _run(
        capsys,
        "trust",
        "--server",
        keys / "new" / "192015-HUB.pub.json",
        "--sign-key",
        keys / "new" / "192015-HUB.key.json",
        "--previous",
        setup / "trust2",
        "--version",
        "3",
        "--revoke",
        old,
        "--out",
        setup / "trust3",
    )
    assert code == 0
    revoked = [
        p
        for p in json.loads((setup / "trust3" / "trust.json").read_text())["parties"]
        if p["key_id"] == old
    ]
    assert revoked[0]["revoked_at"] is not None


@pytest.mark.parametrize("command", ["keygen", "trust", "build", "inspect", "open"])
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["package", command, "--help"])
    assert info.value.code == 0
    assert "usage: vaxdesk package " + command in capsys.readouterr().out


def test_command_line_process_exit_code_and_stderr(tmp_path: Path) -> None:
    (tmp_path / "x.vxpkg").write_bytes(b"PK\x03\x04 not really")
    proc = subprocess.run(
        [sys.executable, "-m", "app", "package", "inspect", str(tmp_path / "x.vxpkg")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 65
    assert proc.stderr.startswith("E_HEADER: ")
