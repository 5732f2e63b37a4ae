"""`vaxdesk hub init / terminal / status / backup` on both engines, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.cli import main
from app.hub.hub import opened
from app.sync.keys import generate_keypair, load_public_key, write_key_files
from app.sync.trust import TRUST_CONTEXT, read_trust_dir

HUB_ID = "192015-HUB"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def hub_dir(tmp_path: Path, database_url: str | None, capsys: pytest.CaptureFixture[str]) -> Path:
    directory = tmp_path / "hub"
    extra = ["--database", database_url] if database_url else []
    code, _, err = run(capsys, "hub", "init", "--dir", str(directory), "--id", HUB_ID, *extra)
    assert code == 0, err
    return directory


def _terminal_pub(tmp_path: Path, terminal_id: str) -> Path:
    pub, _ = write_key_files(generate_keypair(terminal_id), tmp_path / "terminal-keys")
    return pub


def _trust(hub_dir: Path) -> tuple[dict[str, Any], bytes, bytes]:
    with opened(hub_dir) as hub, hub.store.begin() as conn:
        latest = hub.store.latest_trust(conn)
    assert latest is not None
    return json.loads(latest[1]), latest[1], latest[2]


def test_init_creates_owner_only_secrets_and_a_signed_trust_v1(
    hub_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("hub.key", "hub.json", f"keys/{HUB_ID}.key.json"):
        assert (hub_dir / name).stat().st_mode & 0o077 == 0, name
    trust, body, sig = _trust(hub_dir)
    assert trust["version"] == 1
    assert [p["id"] for p in trust["parties"]] == [HUB_ID]
    server = load_public_key(hub_dir / "keys" / f"{HUB_ID}.pub.json")
    Ed25519PublicKey.from_public_bytes(server.ed25519).verify(sig, TRUST_CONTEXT + body)
    code, out, _ = run(capsys, "hub", "status", "--dir", str(hub_dir), "--json")
    assert code == 0
    info = json.loads(out)
    assert (info["hub"], info["trust_version"], info["terminals"]) == (HUB_ID, 1, [])


def test_init_refuses_an_existing_hub_and_a_bad_id(
    hub_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (hub_dir / "hub.key").read_bytes()
    code, _, err = run(capsys, "hub", "init", "--dir", str(hub_dir), "--id", HUB_ID)
    assert code != 0 and err.startswith("E_HUB_EXISTS")
    assert (hub_dir / "hub.key").read_bytes() == before
    code, _, err = run(capsys, "hub", "init", "--dir", str(tmp_path / "x"), "--id", "192016-HUB")
    assert code != 0 and err.startswith("E_HUB_ID")
    assert not (tmp_path / "x" / "hub.key").exists()


def test_terminal_add_and_revoke_issue_new_trust_versions(
    hub_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pub = _terminal_pub(tmp_path, "192015-T001")
    code, _, err = run(capsys, "hub", "terminal", "add", "--dir", str(hub_dir), str(pub))
    assert code == 0, err
    code, _, err = run(capsys, "hub", "terminal", "add", "--dir", str(hub_dir), str(pub))
    assert code != 0 and err.startswith("E_HUB_TERMINAL_EXISTS")
    trust, _, _ = _trust(hub_dir)
    assert trust["version"] == 2
    entry = next(p for p in trust["parties"] if p["id"] == "192015-T001")
    assert entry["role"] == "terminal" and entry["revoked_at"] is None
    assert entry["key_id"] == load_public_key(pub).key_id

    code, _, err = run(capsys, "hub", "terminal", "revoke", "--dir", str(hub_dir), "192015-T001")
    assert code == 0, err
    trust, body, sig = _trust(hub_dir)
    assert trust["version"] == 3
    published = read_trust_dir(hub_dir / "trust")  # the files a new terminal is given
    assert (published.raw, published.sig, published.version) == (body, sig, 3)
    entry = next(p for p in trust["parties"] if p["id"] == "192015-T001")
    assert entry["revoked_at"] is not None
    server = load_public_key(hub_dir / "keys" / f"{HUB_ID}.pub.json")
    Ed25519PublicKey.from_public_bytes(server.ed25519).verify(sig, TRUST_CONTEXT + body)

    code, _, err = run(capsys, "hub", "terminal", "revoke", "--dir", str(hub_dir), "192015-T001")
    assert code != 0 and err.startswith("E_HUB_TERMINAL_REVOKED")
    code, _, err = run(capsys, "hub", "terminal", "revoke", "--dir", str(hub_dir), "192015-T999")
    assert code != 0 and err.startswith("E_HUB_UNKNOWN_TERMINAL")
    assert _trust(hub_dir)[0]["version"] == 3
    code, out, _ = run(capsys, "hub", "status", "--dir", str(hub_dir), "--json")
    terminals = json.loads(out)["terminals"]
    assert [(t["id"], t["revoked_at"] is not None) for t in terminals] == [("192015-T001", True)]


def test_terminal_add_refuses_a_bad_key_file(
    hub_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pub = _terminal_pub(tmp_path, "192015-T002")
    obj = json.loads(pub.read_text())
    obj["key_id"] = "0" * 16
    bad = tmp_path / "bad.pub.json"
    bad.write_text(json.dumps(obj))
    code, _, err = run(capsys, "hub", "terminal", "add", "--dir", str(hub_dir), str(bad))
    assert code != 0 and err.startswith("E_KEY_FILE")
    assert _trust(hub_dir)[0]["version"] == 1


def test_key_file_readable_by_others_is_refused(
    hub_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (hub_dir / "hub.key").chmod(0o644)
    code, _, err = run(capsys, "hub", "status", "--dir", str(hub_dir))
    assert code != 0 and err.startswith("E_HUB_KEYFILE_MODE")


def test_missing_hub_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "hub", "status", "--dir", str(tmp_path / "none"))
    assert code != 0 and err.startswith("E_HUB_MISSING")


def test_backup_of_the_embedded_engine_opens_with_the_same_key(
    hub_dir: Path, tmp_path: Path, database_url: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "hub-backup.db"
    code, _, err = run(capsys, "hub", "backup", "--dir", str(hub_dir), "--out", str(out))
    if database_url is not None:
        assert code != 0 and err.startswith("E_HUB_BACKUP_ENGINE")
        assert not out.exists()
        return
    assert code == 0, err
    assert out.stat().st_mode & 0o077 == 0
    assert not out.read_bytes().startswith(b"SQLite format 3")
    # the copy is a complete hub: swap it in and open it
    (hub_dir / "hub.db").unlink()
    out.rename(hub_dir / "hub.db")
    code, out_text, _ = run(capsys, "hub", "status", "--dir", str(hub_dir), "--json")
    assert code == 0 and json.loads(out_text)["trust_version"] == 1
    code, _, err = run(
        capsys, "hub", "backup", "--dir", str(hub_dir), "--out", str(hub_dir / "hub.db")
    )
    assert code != 0 and err.startswith("E_HUB_BACKUP_EXISTS")


def test_every_hub_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["hub"],
        ["hub", "init"],
        ["hub", "terminal"],
        ["hub", "terminal", "add"],
        ["hub", "terminal", "revoke"],
        ["hub", "import-residents"],
        ["hub", "status"],
        ["hub", "backup"],
    ):
        with pytest.raises(SystemExit) as exc:
            main([*argv, "--help"])
        assert exc.value.code == 0
        assert "usage:" in capsys.readouterr().out
