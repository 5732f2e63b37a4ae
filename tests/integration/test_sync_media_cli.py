"""`vaxdesk sync media list|erase` on a demo register: the 媒体管理簿 as the command line shows it
(each transfer with its file, medium, who carried it out by name, the approver, the erasure and
who erased it) and as CSV; an erasure refused before the server's acknowledgement changes
nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.cli import main
from tests.support.demo_cli import demo_cli


def _out(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    got = capsys.readouterr()
    return got.out, got.err


def test_media_ledger_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = demo_cli(tmp_path / "demo", monkeypatch)
    user = demo.user
    medium = tmp_path / "medium"
    assert main(["sync", "export", *user, "--out", str(medium), "--approved-by", "90001"]) == 0
    [sent] = list(medium.glob("*.vxpkg"))
    _out(capsys)

    assert main(["sync", "media", "list", *user]) == 0
    out, _ = _out(capsys)
    [line] = out.splitlines()
    fields = line.split("\t")
    assert fields[0] == "1" and fields[2] == "書出" and fields[3] == "通番1"
    assert fields[4] == sent.name
    assert fields[6] == "作業 デモ 番号担当（90004）"  # the demo number user, by name
    assert fields[7:] == ["承認 90001", "未消去"]

    # not yet acknowledged by the server: refused with its code, the file stays, still 未消去
    assert main(["sync", "media", "erase", "1", *user]) != 0
    _, err = _out(capsys)
    assert any(e.startswith("E_MEDIA_NOT_ACKNOWLEDGED: ") for e in err.splitlines())
    assert sent.exists()
    assert main(["sync", "media", "list", *user]) == 0
    assert _out(capsys)[0].rstrip("\n").endswith("\t未消去")

    answer = tmp_path / "answer"
    (answer / "records").mkdir(parents=True)
    update = medium / "from-server.vxpkg"
    build = ["package", "build", "--records", str(answer), "--sender-key", str(demo.hub_key)]
    build += ["--recipient", str(demo.terminal_pub), "--sequence", "1", "--ack", "1"]
    assert main([*build, "--kind", "updates", "--out", str(update)]) == 0
    assert main(["sync", "import", str(update), *user, "--approved-by", "90001"]) == 0
    assert main(["sync", "media", "erase", "1", *user]) == 0
    assert not sent.exists() and update.exists()
    _out(capsys)

    assert main(["sync", "media", "list", *user, "--direction", "export"]) == 0
    [line] = _out(capsys)[0].splitlines()
    erased = line.split("\t")[-1]
    assert erased.startswith("消去 ") and erased.endswith(" デモ 番号担当（90004）")

    table = tmp_path / "ledger.csv"
    assert main(["sync", "media", "list", *user, "--csv", str(table)]) == 0
    with table.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted((r["区分"], r["ファイル"]) for r in rows) == sorted(
        [("取込", update.name), ("書出", sent.name)]
    )
    assert {r["承認者職員番号"] for r in rows} == {"90001"}
    exported = next(r for r in rows if r["区分"] == "書出")
    assert exported["消去日時"] and exported["消去者ID"] == exported["作業者ID"]
