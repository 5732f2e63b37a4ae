"""The newcomer's round trip from the command line: a demo register exports a package, the
package opens with `vaxdesk package open` and the demo server's keys, an update package built with
`vaxdesk package build` for the terminal imports, and `sync status` shows both directions."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from app.cli import main
from tests.support.demo_cli import demo_cli
from tests.support.sync_env import person_env


def test_demo_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = demo_cli(tmp_path / "demo", monkeypatch)
    server, hub_key, user = demo.register / "demo-server", demo.hub_key, demo.user

    assert main(["sync", "export", *user, "--out", str(tmp_path / "medium")]) == 0
    [package] = list((tmp_path / "medium").glob("*.vxpkg"))
    opened = tmp_path / "opened"
    argv = ["package", "open", str(package), "--trust", str(server), "--key", str(hub_key)]
    assert main([*argv, "--out", str(opened)]) == 0
    manifest = json.loads((opened / "manifest.json").read_text("utf-8"))
    assert manifest["audit_head"]["seq"] > 0
    assert (opened / "audit" / "audit.jsonl").stat().st_size > 0

    records = tmp_path / "records"
    (records / "records").mkdir(parents=True)
    (records / "records" / "person.jsonl").write_bytes(
        orjson.dumps(person_env("0099990001")) + b"\n"
    )
    update = tmp_path / "update.vxpkg"
    assert (
        main(
            [
                "package",
                "build",
                "--records",
                str(records),
                "--sender-key",
                str(hub_key),
                "--recipient",
                str(demo.terminal_pub),
                "--sequence",
                "1",
                "--ack",
                "1",
                "--kind",
                "updates",
                "--out",
                str(update),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["sync", "import", str(update), *user]) == 0
    assert "反映 1件" in capsys.readouterr().out
    assert main(["sync", "status", *user, "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    [chan] = status["channels"]
    assert (chan["last_sent"], chan["acknowledged"], chan["last_applied"]) == (1, 1, 1)
