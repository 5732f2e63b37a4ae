"""`vaxdesk schedule` through add_parser/run: JSON contract, table, and input errors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from app.commands import schedule

FIELDS = [
    "id",
    "status",
    "next_dose",
    "next_product",
    "earliest",
    "window_from",
    "window_until",
    "standard_from",
    "standard_until",
    "doses_given",
    "doses_required",
    "warnings",
]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vaxdesk")
    schedule.add_parser(parser.add_subparsers(dest="command"))
    return parser


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    args = _parser().parse_args(["schedule", *argv])
    rc = args.func(args)
    out, err = capsys.readouterr()
    return rc, out, err


def _history(tmp_path: Path, items: Any) -> str:
    path = tmp_path / "history.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return str(path)


def test_json_contract_field_by_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hist = _history(
        tmp_path,
        [
            {"product": "dpt_ipv_hib", "date": "2025-07-10"},
            {"series": "bcg", "date": "2025-10-15"},
            {"product": "mr", "date": "2026-05-10"},
        ],
    )
    rc, out, err = _run(
        ["--dob", "2025-05-10", "--on", "2026-06-06", "--sex", "F", "--history", hist, "--json"],
        capsys,
    )
    assert (rc, err) == (0, "")
    data = json.loads(out)
    assert list(data) == ["on", "series"]
    assert data["on"] == "2026-06-06"
    by_id = {s["id"]: s for s in data["series"]}
    for s in data["series"]:
        assert list(s) == FIELDS
    assert by_id["varicella"] == {
        "id": "varicella",
        "status": "waiting",
        "next_dose": "1回目",
        "next_product": "varicella",
        "earliest": "2026-06-07",
        "window_from": "2026-05-09",
        "window_until": "2028-05-09",
        "standard_from": "2026-05-09",
        "standard_until": "2026-08-09",
        "doses_given": 0,
        "doses_required": 2,
        "warnings": [],
    }
    assert by_id["dpt_ipv"]["status"] == "due"
    assert by_id["dpt_ipv"]["earliest"] == "2025-07-31"
    assert by_id["hib"]["doses_given"] == 1
    assert by_id["dpt_ipv"]["next_product"] == "dpt_ipv_hib"  # the form and the list agree
    assert by_id["bcg"]["status"] == "complete"
    assert by_id["bcg"]["earliest"] is None
    assert by_id["flu65"] == {
        "id": "flu65",
        "status": "not_applicable",
        "next_dose": None,
        "next_product": None,
        "earliest": None,
        "window_from": None,
        "window_until": None,
        "standard_from": None,
        "standard_until": None,
        "doses_given": 0,
        "doses_required": None,
        "warnings": [],
    }


def test_json_warnings_are_strings_with_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hist = _history(
        tmp_path,
        [
            {"product": "dpt_ipv", "date": "2025-07-10"},
            {"product": "dpt_ipv", "date": "2025-07-20"},
        ],
    )
    rc, out, _ = _run(
        ["--dob", "2025-05-10", "--on", "2025-08-01", "--history", hist, "--json"], capsys
    )
    dpt = next(s for s in json.loads(out)["series"] if s["id"] == "dpt_ipv")
    assert rc == 0
    assert [w.split(":")[0] for w in dpt["warnings"]] == ["W_INTERVAL"]


def test_readable_japanese_table(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(["--dob", "2025-05-10", "--on", "2025-08-01"], capsys)
    assert (rc, err) == (0, "")
    assert out.startswith("判定日: 2025-08-01")
    bcg_line = next(line for line in out.splitlines() if line.startswith("BCG"))
    assert "接種可" in bcg_line and "2025-05-10〜2026-05-09" in bcg_line
    assert "対象期間前" in out and "対象外" in out


def test_facts_options(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(
        ["--dob", "1963-01-01", "--on", "2025-11-01", "--fact", "disability_60_64", "--json"],
        capsys,
    )
    flu = next(s for s in json.loads(out)["series"] if s["id"] == "flu65")
    assert (rc, flu["status"]) == (0, "due")
    rc, out, _ = _run(
        ["--dob", "2020-06-01", "--on", "2023-01-01", "--illness-end", "2022-01-10", "--json"],
        capsys,
    )
    bcg = next(s for s in json.loads(out)["series"] if s["id"] == "bcg")
    assert (bcg["status"], bcg["window_until"]) == ("due", "2024-01-09")


@pytest.mark.parametrize("bad", ["2025-13-01", "20250510", "R7.5.10", "2025-02-30"])
def test_bad_date_is_argparse_error(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        _parser().parse_args(["schedule", "--dob", bad, "--on", "2025-08-01"])
    out, err = capsys.readouterr()
    assert exc.value.code == 2
    assert out == ""
    assert "E_INVALID_DATE" in err and "YYYY-MM-DD" in err


def test_unknown_product_in_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hist = _history(tmp_path, [{"product": "opv", "date": "2025-07-10"}])
    rc, out, err = _run(["--dob", "2025-05-10", "--on", "2025-08-01", "--history", hist], capsys)
    assert (rc, out) == (65, "")
    assert err.startswith("E_UNKNOWN_VACCINE: ") and "opv" in err


@pytest.mark.parametrize(
    "content",
    [
        "{broken",
        json.dumps({"product": "bcg"}),
        json.dumps([{"product": "bcg"}]),
        json.dumps([{"product": "bcg", "series": "bcg", "date": "2025-07-10"}]),
        json.dumps([{"product": "bcg", "date": "2025/07/10"}]),
        json.dumps(["bcg"]),
    ],
)
def test_malformed_history_file(
    content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "h.json"
    path.write_text(content, encoding="utf-8")
    rc, out, err = _run(
        ["--dob", "2025-05-10", "--on", "2025-08-01", "--history", str(path)], capsys
    )
    assert (rc, out) == (65, "")
    assert err.startswith("E_HISTORY_INVALID: ")


def test_unreadable_history_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "nothing.json")
    rc, out, err = _run(["--dob", "2025-05-10", "--on", "2025-08-01", "--history", missing], capsys)
    assert (rc, out) == (65, "")
    assert "E_HISTORY_INVALID" in err and "nothing.json" in err


def test_evaluation_before_birth_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(["--dob", "2025-05-10", "--on", "2025-05-01", "--json"], capsys)
    assert (rc, out) == (65, "")
    assert err.startswith("E_INVALID_DATE: ")


def test_help_text(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        _parser().parse_args(["schedule", "--help"])
    out, _ = capsys.readouterr()
    assert exc.value.code == 0
    assert "--dob" in out and "接種歴" in out and "--json" in out
