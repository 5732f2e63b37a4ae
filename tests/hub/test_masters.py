"""The hub carries the masters (issue 10): ``import-masters`` (line-numbered errors, diffs only,
audited), masters in ``initial``/``updates`` before the records that name them, lots from
terminals stored and sent on, server-owned masters from terminals quarantined. Both engines."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from app.errors import VaxDeskError
from app.hub.emit import emit
from app.hub.hub import Hub, init_hub, status
from app.hub.ingest import ingest_file
from app.hub.masters import import_masters
from app.hub.masters_csv import COLUMNS
from app.hub.residents import import_residents
from app.hub.sample import master_rows, resident_rows, write_masters_csv, write_residents_csv
from app.hub.store import masters as mstore
from app.sync import RECORD_TYPES, MemoryChannel, open_package
from tests.hub.helpers import HUB_ID, enrol_sim_terminal


def _masters(hub: Hub) -> dict[str, dict[tuple[str, ...], tuple[str, dict[str, object]]]]:
    """type → natural key → (version, data without stamps)."""
    from app.hub.masters import master_key

    out: dict[str, dict[tuple[str, ...], tuple[str, dict[str, object]]]] = {}
    with hub.store.begin() as conn:
        for rtype in mstore.MASTER_TYPES:
            out[rtype] = {
                master_key(rtype, m.data): (
                    m.version,
                    {k: v for k, v in m.data.items() if not k.startswith("updated_")},
                )
                for m in mstore.masters_of(conn, rtype)
            }
    return out


def test_import_masters_then_reimport_applies_only_differences(hub: Hub, tmp_path: Path) -> None:
    rows = master_rows()
    write_masters_csv(tmp_path / "m.csv", rows)
    first = import_masters(hub, tmp_path / "m.csv")
    assert (first.rows, first.inserted, first.updated, first.rejected) == (9, 9, 0, 0)
    assert first.by_type == {"institution": 2, "vaccine": 3, "lot": 4}
    before = _masters(hub)
    assert before["institution"][("1310000001",)][1] == {
        "code": "1310000001",
        "name": "テスト小児科",
        "name_kana": None,
        "address": "テスト市本町2-1",
        "phone": None,
    }
    assert before["lot"][("mr", "MR001")][1] == {
        "product_id": "mr",
        "lot_no": "MR001",
        "expires_on": "2099-12-31",
    }

    again = import_masters(hub, tmp_path / "m.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 9)
    assert _masters(hub) == before  # same versions: nothing re-sent

    changed = [r[:] for r in rows]
    changed[1][COLUMNS.index("電話")] = "03-0000-1111"
    write_masters_csv(tmp_path / "m2.csv", [changed[1]])
    third = import_masters(hub, tmp_path / "m2.csv")
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 0)
    after = _masters(hub)
    old_version, _ = before["institution"][("1310000002",)]
    new_version, data = after["institution"][("1310000002",)]
    assert new_version > old_version and data["phone"] == "03-0000-1111"
    assert {k: v for k, v in after.items() if k != "institution"} == {
        k: v for k, v in before.items() if k != "institution"
    }

    report = status(hub)
    assert report["masters"] == {"institution": 2, "vaccine": 3, "lot": 4}
    assert report["hub_audit"] == 3
    actions = [
        (e["action"], e["detail"]["inserted"], e["detail"]["updated"])
        for e in report["hub_audit_list"]
    ]
    assert actions == [("masters.import", 9, 0), ("masters.import", 0, 0), ("masters.import", 0, 1)]
    assert all(len(e["detail"]["file_sha256"]) == 64 for e in report["hub_audit_list"])


def _row(**values: str) -> list[str]:
    row = [""] * len(COLUMNS)
    for name, value in values.items():
        row[COLUMNS.index(name)] = value
    return row


def test_bad_rows_are_reported_by_line_and_code_and_change_nothing(
    hub: Hub, tmp_path: Path
) -> None:
    good = master_rows()
    bad = [
        _row(種別="病院", コード="1310000009", 名称="x"),  # line 2
        _row(種別="医療機関", コード="13-1", 名称="x"),  # 3
        _row(種別="医療機関", コード="1310000009"),  # 4: no 名称
        _row(種別="ワクチン", コード="MR", 名称="x", メーカー="y"),  # 5: not a product id
        _row(種別="ワクチン", コード="bcg", 名称="x"),  # 6: no メーカー
        _row(種別="ロット", コード="unknown", ロット番号="L1"),  # 7: no such vaccine
        _row(種別="ロット", コード="mr", ロット番号="L2", 有効期限="2099-02-30"),  # 8
        _row(種別="医療機関", コード="1310000009", 名称="x", メーカー="y"),  # 9: unused column
        _row(種別="医療機関", コード="1310000009", 名称="改行\nあり"),  # 10 (quoted newline)
        _row(種別="医療機関", コード="1310000010", 名称="x", uid="not-a-uuid"),  # 12
        good[0],  # 13
        good[0],  # 14: duplicate of line 13
    ]
    write_masters_csv(tmp_path / "bad.csv", bad)
    with (tmp_path / "bad.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write("医療機関,1310000011\r\n")  # 15: too few columns
    result = import_masters(hub, tmp_path / "bad.csv")
    assert [(e.line, e.code, e.column) for e in result.errors] == [
        (2, "E_MASTER_KIND", "種別"),
        (3, "E_MASTER_CODE", "コード"),
        (4, "E_MASTER_REQUIRED", "名称"),
        (5, "E_MASTER_CODE", "コード"),
        (6, "E_MASTER_REQUIRED", "メーカー"),
        (7, "E_MASTER_UNKNOWN_VACCINE", "コード"),
        (8, "E_MASTER_DATE", "有効期限"),
        (9, "E_MASTER_UNUSED", "メーカー"),
        (10, "E_MASTER_TEXT", "名称"),
        (12, "E_MASTER_UID", "uid"),
        (14, "E_MASTER_DUPLICATE", "コード"),
        (15, "E_MASTER_COLUMNS", "列数"),
    ]
    assert (result.rows, result.inserted) == (1, 1)  # only line 13
    masters = _masters(hub)
    assert list(masters["institution"]) == [("1310000001",)]
    assert masters["vaccine"] == {} and masters["lot"] == {}


def test_uid_column_keeps_a_uid_and_refuses_one_taken(hub: Hub, tmp_path: Path) -> None:
    uid = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
    write_masters_csv(
        tmp_path / "a.csv", [_row(種別="ワクチン", コード="mr", 名称="MR", メーカー="x", uid=uid)]
    )
    assert import_masters(hub, tmp_path / "a.csv").inserted == 1
    with hub.store.begin() as conn:
        [vaccine] = mstore.masters_of(conn, "vaccine")
    assert str(uuid.UUID(bytes=vaccine.uid)) == uid
    other = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c"
    write_masters_csv(
        tmp_path / "b.csv",
        [
            _row(
                種別="ワクチン", コード="mr", 名称="MR", メーカー="x", uid=other
            ),  # key has another uid
            _row(種別="ワクチン", コード="bcg", 名称="BCG", メーカー="x", uid=uid),  # uid taken
        ],
    )
    result = import_masters(hub, tmp_path / "b.csv")
    assert [(e.line, e.code) for e in result.errors] == [(2, "E_MASTER_UID"), (3, "E_MASTER_UID")]
    assert list(_masters(hub)["vaccine"]) == [("mr",)]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\xff\xfe\x00\x81", "E_MASTER_ENCODING"),
        ("種別,コード\n医療機関,1\n".encode(), "E_MASTER_HEADER"),
        (b"", "E_MASTER_HEADER"),
        (",".join(COLUMNS).encode() + b'\n"\xe5\x8c\xbb,1\n', "E_MASTER_CSV"),
    ],
)
def test_unreadable_files_change_nothing(
    hub: Hub, tmp_path: Path, content: bytes, code: str
) -> None:
    write_masters_csv(tmp_path / "ok.csv", master_rows()[:1])
    import_masters(hub, tmp_path / "ok.csv")
    before = _masters(hub)
    (tmp_path / "x.csv").write_bytes(content)
    with pytest.raises(VaxDeskError) as err:
        import_masters(hub, tmp_path / "x.csv")
    assert err.value.code == code
    assert _masters(hub) == before
    assert status(hub)["hub_audit"] == 1


def test_cp932_file_is_read(hub: Hub, tmp_path: Path) -> None:
    write_masters_csv(tmp_path / "sj.csv", master_rows(), encoding="cp932")
    assert import_masters(hub, tmp_path / "sj.csv").inserted == 9
    assert _masters(hub)["institution"][("1310000001",)][1]["name"] == "テスト小児科"


def test_new_terminal_gets_masters_before_the_vaccinations_that_name_them(
    hub: Hub, tmp_path: Path
) -> None:
    write_residents_csv(tmp_path / "r.csv", list(resident_rows(4, seed=3)))
    import_residents(hub, tmp_path / "r.csv")
    write_masters_csv(tmp_path / "m.csv", master_rows())
    import_masters(hub, tmp_path / "m.csv")
    out = tmp_path / "out"
    first = enrol_sim_terminal(hub, tmp_path, "192015-T001")
    first.apply(emit(hub, first.terminal_id, out).path)
    institution = next(iter(first.of_type("institution")))
    person = next(iter(first.of_type("person")))
    vac = first.vaccination(person)
    vac["data"]["institution_uid"] = institution
    lot: dict[str, Any] = {
        "type": "lot",
        "uid": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a00",
        "version": first.version(),
        "origin": first.terminal_id,
        "voided": None,
        "data": {
            "product_id": "varicella",
            "lot_no": "VZ777",
            "expires_on": "2099-01-31",
            "updated_date": "2026-11-20",
            "updated_time": "10:00:00",
            "updated_by": "N001",
        },
    }
    first.log("record")
    result = ingest_file(hub, first.changes(tmp_path / "t1", {"vaccination": [vac], "lot": [lot]}))
    assert (result.code, result.applied, result.quarantined) == ("OK", 2, 0)

    late = enrol_sim_terminal(hub, tmp_path, "192015-T009")
    package = emit(hub, late.terminal_id, out)
    assert package.kind == "initial"
    assert package.records["institution"] == 2 and package.records["vaccine"] == 3
    assert package.records["lot"] == 5 and package.records["vaccination"] == 1
    late.apply(package.path)
    assert late.of_type("lot")[lot["uid"]]["data"] == lot["data"]  # the terminal's lot, sent on
    assert late.of_type("institution") == first.of_type("institution")
    assert late.of_type("vaccine") == first.of_type("vaccine")
    with open_package(
        package.path, trust=late.trust, identity=late.keys, channel=MemoryChannel()
    ) as pkg:
        order = list(pkg.record_types)
    assert order == sorted(order, key=RECORD_TYPES.index)
    assert order.index("institution") < order.index("lot") < order.index("vaccination")

    # the next updates to the first terminal carries the hub's master change, not its own lot
    rows = master_rows()
    rows[5][COLUMNS.index("有効期限")] = "2098-12-31"
    write_masters_csv(tmp_path / "m2.csv", [rows[5]])
    import_masters(hub, tmp_path / "m2.csv")
    update = emit(hub, first.terminal_id, out)
    assert update.kind == "updates"
    assert {k: n for k, n in update.records.items() if n} == {"lot": 1}
    first.apply(update.path)
    lots = {e["data"]["lot_no"]: e for e in first.of_type("lot").values()}
    assert lots["MR001"]["data"]["expires_on"] == "2098-12-31"


def test_lots_that_would_break_registers_and_server_masters_are_quarantined(
    hub: Hub, tmp_path: Path
) -> None:
    write_masters_csv(tmp_path / "m.csv", master_rows())
    import_masters(hub, tmp_path / "m.csv")
    t = enrol_sim_terminal(hub, tmp_path, "192015-T001")
    t.apply(emit(hub, t.terminal_id, tmp_path / "out").path)

    def lot(product: str, lot_no: str, uid: str) -> dict[str, object]:
        return {
            "type": "lot",
            "uid": uid,
            "version": t.version(),
            "origin": t.terminal_id,
            "voided": None,
            "data": {
                "product_id": product,
                "lot_no": lot_no,
                "updated_date": "2026-11-20",
                "updated_time": "10:00:00",
                "updated_by": "N001",
            },
        }

    institution = dict(next(iter(t.of_type("institution").values())))
    institution["version"], institution["origin"] = t.version(), t.terminal_id
    records = {
        "institution": [institution],
        "lot": [
            lot("bcg", "B1", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a01"),  # not in the catalog
            lot("mr", "MR001", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a02"),  # the hub's MR001
            lot("mr", "MR900", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a03"),  # fine
        ],
    }
    t.log("lots")
    result = ingest_file(hub, t.changes(tmp_path / "t", records))
    assert (result.code, result.applied, result.quarantined) == ("OK", 1, 3)
    codes = sorted((q["record_type"], q["code"]) for q in status(hub)["quarantine_list"])
    assert codes == [
        ("institution", "E_HUB_SERVER_OWNED"),
        ("lot", "E_HUB_DUPLICATE_LOT"),
        ("lot", "E_HUB_UNKNOWN_VACCINE"),
    ]
    assert set(_masters(hub)["lot"]) == {
        ("mr", "MR001"),
        ("mr", "MR-OLD"),
        ("varicella", "VZ001"),
        ("dpt_ipv_hib", "GB001"),
        ("mr", "MR900"),
    }


def test_import_masters_command(tmp_path: Path, database_url: str | None) -> None:
    hub = init_hub(tmp_path / "hub", HUB_ID, database_url=database_url)
    hub.close()
    rows = master_rows()
    rows.insert(1, _row(種別="ロット", コード="nothing", ロット番号="X"))
    write_masters_csv(tmp_path / "m.csv", rows)
    cmd = [sys.executable, "-m", "app", "hub", "import-masters", "--dir", str(tmp_path / "hub")]
    run = subprocess.run([*cmd, str(tmp_path / "m.csv"), "--json"], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.startswith("E_MASTER_UNKNOWN_VACCINE: 3行目（コード）")
    assert json.loads(run.stdout)["inserted"] == 9
    again = subprocess.run([*cmd, str(tmp_path / "m.csv")], capture_output=True, text=True)
    assert "変更なし 9" in again.stdout
    help_run = subprocess.run([*cmd[:5], "--help"], capture_output=True, text=True)
    assert help_run.returncode == 0 and "種別" in help_run.stdout
