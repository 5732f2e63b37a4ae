"""README.md "Round trip with the demo hub": its command block, run line by line through
``app.cli.main`` (globs and ``$T`` expanded as the shell would), then the outcome checked: the
terminal's packages ingested, the hub's two updates packages imported, both statuses at sequence 2
with nothing quarantined, and the resident moved out at the hub flagged on the terminal."""

from __future__ import annotations

import argparse
import csv
import glob
import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from app.cli import main
from app.commands import demo as demo_cmd
from app.commands.cli_session import open_session
from app.security.person_numbers import NumberCipher

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "### Round trip with the demo hub"


def readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    block = re.search(r"```sh\n(.*?)```", text[start:], re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


def _expand(words: list[str], variables: dict[str, str]) -> list[str]:
    out: list[str] = []
    for word in words:
        for name, value in variables.items():
            word = word.replace(f"${name}", value)
        if any(c in word for c in "*?["):
            matches = sorted(glob.glob(word))
            assert matches, f"no file matches {word}"
            out.extend(matches)
        else:
            out.append(word)
    return out


def run_readme(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    after_first: Callable[[], None] = lambda: None,
) -> list[str]:
    """Run every line of the block; returns each ``vaxdesk`` command's stdout.
    ``after_first`` runs once the first ``vaxdesk`` command (the demo) has run."""
    variables: dict[str, str] = {}
    outputs: list[str] = []
    for line in readme_commands():
        words = shlex.split(line, comments=True)
        if words[0] == "export":
            name, value = words[1].split("=", 1)
            monkeypatch.setenv(name, value)
        elif line.startswith("T=$(basename "):
            # T=$(basename PATTERN SUFFIX): the one shell substitution the block uses
            inner = shlex.split(line[len("T=$(") : line.rindex(")")])
            [match] = glob.glob(inner[1])
            variables["T"] = Path(match).name.removesuffix(inner[2])
        else:
            assert words[0] == "vaxdesk", f"a README line the test does not know: {line}"
            capsys.readouterr()
            assert main(_expand(words[1:], variables)) == 0, line
            outputs.append(capsys.readouterr().out)
            if len(outputs) == 1:
                after_first()
    return outputs


def terminal_numbers(demo: Path) -> dict[bytes, str]:
    """person uid → 個人番号 as the demo register holds it (decrypted in memory only)."""
    session = open_session(argparse.Namespace(register=demo, user="number"))
    try:
        cipher = NumberCipher(session.number_key())
        rows = session.register.conn.execute(
            "SELECT p.uid, n.number_ct FROM person_numbers n JOIN persons p ON p.id = n.person_id"
        ).fetchall()
        return {bytes(uid): cipher.decrypt(bytes(uid), bytes(ct)) for uid, ct in rows}
    finally:
        session.register.close()


def person_links(demo: Path) -> dict[bytes, tuple[object, ...]]:
    """person uid → (世帯, 保護者, 電話, 郵便番号): fields the hub does not carry."""
    session = open_session(argparse.Namespace(register=demo, user="number"))
    try:
        rows = session.register.conn.execute(
            "SELECT uid, household_id, guardian_id, phone, postal_code FROM persons"
        ).fetchall()
        return {bytes(r[0]): tuple(r[1:]) for r in rows}
    finally:
        session.register.close()


def sync_id(outputs: list[str]) -> str:
    found = re.search(r"端末ID: (\S+)", outputs[10])
    assert found is not None
    return found.group(1)


def test_readme_round_trip_with_the_demo_hub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    before: dict[bytes, str] = {}
    links: dict[bytes, tuple[object, ...]] = {}

    def snapshot() -> None:
        before.update(terminal_numbers(tmp_path / "DEMO"))
        links.update(person_links(tmp_path / "DEMO"))

    outputs = run_readme(monkeypatch, capsys, snapshot)
    assert len(outputs) == 12

    hub_dir, demo = tmp_path / "DEMO" / "hub", tmp_path / "DEMO"
    assert len(list((tmp_path / "IN1").glob("*_000001.vxpkg"))) == 1
    assert len(list((tmp_path / "IN2").glob("*_000002.vxpkg"))) == 1
    # 0 demo, 1 export, 2 ingest, 3 emit, 4 import, 5 import-residents, 6 emit, 7 import,
    # 8 export, 9 ingest, 10 sync status, 11 hub status
    assert "住民 300 人" in outputs[0] and "デモ用ハブを作成しました" in outputs[0]
    for ingest, seq in ((outputs[2], 1), (outputs[9], 2)):
        assert f"取込 端末 {sync_id(outputs)} #{seq}" in ingest and "レコード隔離 0 件" in ingest
    found = re.search(r"マスタ ([0-9,]+) 件", outputs[0])
    assert found is not None
    masters = int(found.group(1).replace(",", ""))
    assert masters > 0  # the register's 医療機関, vaccines and lots, same uids
    # the whole register, as updates (the terminal already holds records: it sent OUT1):
    # 300 persons, 300 個人番号 and the masters (the hub's newer versions of the same records)
    assert f"updates #1、レコード {600 + masters:,} 件" in outputs[3]
    assert f"反映 {600 + masters}件" in outputs[4] and "隔離 0件" in outputs[4]
    assert "更新 1" in outputs[5] and "誤り 0" in outputs[5]
    assert "updates #2" in outputs[6]
    assert "反映 1件" in outputs[7] and "隔離 0件" in outputs[7]
    assert "送信 通番2" in outputs[10] and "取込 通番2" in outputs[10]
    assert "受信 #2 送信 #2（確認済 #2、未確認 0 件）" in outputs[11]

    capsys.readouterr()
    assert main(["sync", "status", "--register", str(demo), "--user", "number", "--json"]) == 0
    sync = json.loads(capsys.readouterr().out)
    [channel] = sync["channels"]
    assert (channel["last_sent"], channel["last_applied"]) == (2, 2)
    assert (sync["quarantined_records"], sync["quarantined_packages"]) == (0, 0)
    assert sync["open_conflicts"] == 0
    assert main(["hub", "status", "--dir", str(hub_dir), "--json"]) == 0
    hub = json.loads(capsys.readouterr().out)
    [terminal] = hub["terminals"]
    assert terminal["id"] == sync["party_id"]
    assert (terminal["last_received_sequence"], terminal["last_sent_sequence"]) == (2, 2)
    assert terminal["acknowledged_sequence"] == 2
    assert (hub["residents"], hub["quarantined"], hub["conflicts"]) == (300, 0, 0)
    assert sum(hub["masters"].values()) == masters

    with (demo / "hub-sample-move-out.csv").open(encoding="utf-8") as fh:
        [row] = list(csv.DictReader(fh))
    assert row["個人番号"] == "" and row["異動事由"] == "転出"
    number = open_session(argparse.Namespace(register=demo, user="number"))  # VAXDESK_PASSWORD
    try:
        flagged = number.register.conn.execute(
            "SELECT moved_out, moved_out_date FROM persons WHERE atena_no = ?",
            (row["宛名番号"],),
        ).fetchone()
        numbers = number.register.conn.execute("SELECT count(*) FROM person_numbers").fetchone()
    finally:
        number.register.close()
    assert tuple(flagged) == (1, row["異動日"])
    assert numbers[0] == 300  # the hub's 個人番号 records are the terminal's own: none duplicated
    # the hub's first package overwrote every 個人番号 record (newer versions): the numbers the
    # hub holds are exactly the ones the demo generator sealed into the register
    assert len(before) == 300 and terminal_numbers(demo) == before
    # the hub's persons carry no 世帯, 保護者, 電話 or 郵便番号: applying them kept the terminal's
    assert sum(1 for v in links.values() if v[0] is not None) > 250
    assert person_links(demo) == links


def test_no_hub_option_and_the_default_for_big_registers(tmp_path: Path) -> None:
    assert main(["demo", "--create", str(tmp_path / "d"), "--persons", "20", "--no-hub"]) == 0
    assert not (tmp_path / "d" / "hub").exists()
    assert not (tmp_path / "d" / demo_cmd.MOVE_OUT_SAMPLE).exists()
    big = demo_cmd.HUB_DEFAULT_MAX_PERSONS + 1
    assert demo_cmd._wants_hub(None, demo_cmd.HUB_DEFAULT_MAX_PERSONS)
    assert not demo_cmd._wants_hub(None, big)
    assert demo_cmd._wants_hub(True, big) and not demo_cmd._wants_hub(False, 10)
