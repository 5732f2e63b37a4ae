"""`vaxdesk print DOC` on a demo register: every document, its help, and refusals."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli import main
from app.services import persons, results
from app.services.recovery import open_with_recovery_code
from app.store import db
from tests.support.builder import RegisterBuilder
from tests.support.registers import add_masters, login_as, make_register, password

ON = "2026-06-01"


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    directory = tmp_path / "reg"
    code = make_register(directory, demo=True)
    add_masters(directory, code)
    access = open_with_recovery_code(directory, code)
    with db.transaction(access.register.conn):
        RegisterBuilder(access.register.conn).unit_price("mr1", "mr", 9800, "2026-04-01")
    access.register.close()
    nurse = login_as(directory, "nurse")
    taro = persons.search(nurse, "0000000001").people[0].person_id
    results.record(
        nurse,
        taro,
        results.ResultInput(
            series_id="mr1",
            product_id="mr",
            vaccinated_on=date(2026, 6, 1),
            institution_code="1310000001",
            lot_no="MR001",
            payment_month="2026-07",
        ),
    )
    nurse.register.close()
    return directory


def _run(reg: Path, user: str, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("VAXDESK_PASSWORD", password(user))
    doc, rest = argv[0], argv[1:]
    return main(["print", doc, "--register", str(reg), "--user", user, *rest])


def _pages(path: Path) -> int:
    return len(PdfReader(path).pages)


# pages: expected page count (None: whatever the summary reports, at least 1);
# issued: expected count of issuance numbers ("pages": one per page; None: nothing issued).
# One case per line reads as a table of documents; the formatter would spread each over 5–20 lines.
@pytest.mark.parametrize(
    ("user", "argv", "pages", "issued"),
    [
        ("clerk", ["yoshinhyo", "--person", "0000000001", "--series", "varicella", "--on", ON], 1, 1),
        ("clerk", ["yoshinhyo", "--person", "0000000004", "--on", "R8.6.1"], None, "pages"),
        ("clerk", ["voucher", "--person", "0000000001", "--person", "0000000004",
                   "--series", "mr1", "--kind", "2", "--count", "1"], 1, 2),
        ("clerk", ["certificate", "--person", "0000000001"], 1, 1),
        ("clerk", ["unvaccinated", "--series", "dpt_ipv", "--on", ON], 1, None),
        ("nurse", ["monthly", "--month", "2026-07"], 1, None),
        ("nurse", ["annual", "--year", "2026"], None, None),
    ],
)  # fmt: skip
def test_each_document_is_written(
    reg: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    user: str,
    argv: list[str],
    pages: int | None,
    issued: int | str | None,
) -> None:
    out = tmp_path / f"{argv[0]}.pdf"
    assert _run(reg, user, [*argv, "--out", str(out)], monkeypatch) == 0
    summary = capsys.readouterr().out.strip()
    page_count = re.search(r"（(\d+) ページ", summary)
    assert page_count is not None
    reported = int(page_count.group(1))
    assert str(out) in summary and "を出力しました" in summary
    assert _pages(out) == reported
    if pages is not None:
        assert reported == pages
    else:
        assert reported >= 1
    numbers = re.search(r"発行番号 (\d+) 件", summary)
    if issued is None:
        assert numbers is None
    else:
        assert numbers is not None
        assert int(numbers.group(1)) == (reported if issued == "pages" else issued)


def test_notices_are_split_into_numbered_files(
    reg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    argv = [
        "notices",
        "--series",
        "dpt_ipv",
        "--on",
        ON,
        "--split",
        "1",
        "--out",
        str(out / "tsuchi.pdf"),
    ]
    assert _run(reg, "clerk", argv, monkeypatch) == 0
    assert "2 ファイル（4 ページ、発行番号 2 件）" in capsys.readouterr().out
    files = sorted(out.iterdir())
    assert [f.name for f in files] == ["tsuchi-001.pdf", "tsuchi-002.pdf"]
    assert [_pages(f) for f in files] == [2, 2]


@pytest.mark.parametrize(
    ("doc", "options"),
    [
        ("yoshinhyo", ["--person", "--series", "--on", "--reissue-reason", "--out"]),
        ("voucher", ["--person", "--series", "--kind", "--count", "--start-cell", "--out"]),
        ("certificate", ["--person", "--out"]),
        ("unvaccinated", ["--series", "--area", "--on", "--out"]),
        ("notices", ["--series", "--area", "--split", "--on", "--out"]),
        ("monthly", ["--month", "--out"]),
        ("annual", ["--year", "--out"]),
    ],
)
def test_help_lists_each_documents_options(
    doc: str, options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["print", doc, "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for option in [*options, "--register", "--user"]:
        assert option in text, option


def test_print_help_lists_every_document(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["print", "--help"])
    text = capsys.readouterr().out
    for doc in (
        "yoshinhyo",
        "voucher",
        "certificate",
        "unvaccinated",
        "notices",
        "monthly",
        "annual",
    ):
        assert doc in text


@pytest.mark.parametrize(
    ("user", "argv", "code"),
    [
        ("clerk", ["yoshinhyo", "--person", "9999999999"], "E_PERSON_NOT_FOUND"),
        ("clerk", ["certificate", "--person", "12345"], "E_PERSON_NOT_FOUND"),
        ("clerk", ["yoshinhyo", "--person", "0000000002", "--on", ON], "E_NOTHING_DUE"),
        ("clerk", ["monthly", "--month", "2026-07"], "E_PERMISSION"),
        ("nurse", ["voucher", "--person", "0000000001", "--series", "mr1"], "E_PERMISSION"),
        ("nurse", ["yoshinhyo", "--person", "0000000001", "--on", ON], "E_PERMISSION"),
        ("nurse", ["monthly", "--month", "2026-13"], "E_PRINT_MONTH"),
    ],
)
def test_errors_exit_non_zero_with_the_code_and_leave_no_file(
    reg: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    user: str,
    argv: list[str],
    code: str,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert _run(reg, user, [*argv, "--out", str(out / "x.pdf")], monkeypatch) != 0
    err = capsys.readouterr().err
    assert code in err
    assert "9999999999" not in err
    assert list(out.iterdir()) == []
