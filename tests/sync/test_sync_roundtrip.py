"""Build → open round trips, keys, trust updates and the sequence outcomes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sync import (
    MemoryChannel,
    Outcome,
    PackageError,
    build_package,
    build_trust,
    generate_keypair,
    load_keypair,
    load_public_key,
    make_party,
    open_package,
    read_header,
    read_trust_dir,
    revoke,
    verify_trust,
    write_key_files,
    write_trust_dir,
)
from app.sync.encoding import key_id
from tests.sync.pkgkit import (
    CREATED,
    OPEN_AT,
    STAMP,
    World,
    envelope,
    make_world,
    person,
    uid,
    utc,
    vaccination,
)

WORLD = make_world()  # hypothesis tests cannot take function-scoped fixtures


def _open(path: Path, world: World, **kw: Any) -> Any:
    return open_package(path, trust=world.trust, identity=world.hub, now=OPEN_AT, **kw)


# --- keys ----------------------------------------------------------------------------------------


def test_key_files_round_trip_and_private_file_is_owner_only(tmp_path: Path) -> None:
    pair = generate_keypair("192015-T001")
    pub_path, key_path = write_key_files(pair, tmp_path)
    assert pub_path.name == "192015-T001.pub.json" and key_path.name == "192015-T001.key.json"
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    assert load_keypair(key_path) == pair
    assert load_public_key(pub_path) == pair.public
    pub = json.loads(pub_path.read_text())
    assert set(pub) == {"id", "key_id", "ed25519", "x25519"}
    assert pub["key_id"] == key_id(pair.public.ed25519, pair.public.x25519)
    assert len(pub["key_id"]) == 16
    with pytest.raises(PackageError) as info:
        write_key_files(pair, tmp_path)  # never overwrites
    assert info.value.code == "E_KEY_FILE"


def test_key_file_with_wrong_key_id_is_refused(tmp_path: Path) -> None:
    pub_path, _ = write_key_files(generate_keypair("192015-T001"), tmp_path)
    obj = json.loads(pub_path.read_text())
    obj["key_id"] = "0" * 16
    pub_path.write_text(json.dumps(obj))
    with pytest.raises(PackageError) as info:
        load_public_key(pub_path)
    assert info.value.code == "E_KEY_FILE"


def test_bad_party_id_is_refused() -> None:
    with pytest.raises(PackageError) as info:
        generate_keypair("hub")
    assert info.value.code == "E_KEY_FILE"


# --- trust ---------------------------------------------------------------------------------------


def test_trust_update_needs_higher_version_and_current_server_signature(world: World) -> None:
    new = build_trust(
        2, world.parties, [world.hub], issued_at=utc(2026, 7, 1), previous=world.trust
    )
    assert new.version == 2
    for version, signer in ((1, world.hub), (3, world.term)):
        raw = new.raw.replace(b'"version":2', f'"version":{version}'.encode())
        with pytest.raises(PackageError) as info:
            verify_trust(raw, signer.sign(b"vaxdesk-trust-v1\x00" + raw), world.trust)
        assert info.value.code == "E_TRUST"


def test_server_key_rotation_needs_old_and_new_signatures(world: World) -> None:
    new_hub = generate_keypair("192015-HUB")
    parties = [
        *world.parties,
        make_party(new_hub.public, "server", utc(2026, 7, 1), utc(2031, 1, 1)),
    ]
    rotated = build_trust(
        2, parties, [world.hub, new_hub], issued_at=utc(2026, 7, 2), previous=world.trust
    )
    assert len(rotated.sig) == 128
    assert rotated.server().key_id == new_hub.key_id
    for signers in ([world.hub], [new_hub], [new_hub, world.hub]):
        with pytest.raises(PackageError) as info:
            build_trust(2, parties, signers, issued_at=utc(2026, 7, 2), previous=world.trust)
        assert info.value.code == "E_TRUST"
    # the next update is signed by the new key alone
    again = build_trust(3, parties, [new_hub], issued_at=utc(2026, 8, 1), previous=rotated)
    assert again.version == 3


def test_trust_dir_round_trip(tmp_path: Path, world: World) -> None:
    write_trust_dir(world.trust, tmp_path)
    assert read_trust_dir(tmp_path) == world.trust
    (tmp_path / "trust.sig").write_bytes(bytes(64))
    with pytest.raises(PackageError) as info:
        read_trust_dir(tmp_path)
    assert info.value.code == "E_TRUST"


def test_revoked_key_refuses_packages_created_at_or_after_revocation(
    tmp_path: Path, world: World
) -> None:
    parties = revoke(world.parties, world.term.key_id, CREATED)
    trust = build_trust(
        2, parties, [world.hub], issued_at=utc(2026, 12, 1, 6), previous=world.trust
    )
    path = tmp_path / "p.vxpkg"
    build_package(
        path, sender=world.term, recipient=world.hub.public, sequence=1, created_at=CREATED
    )
    with pytest.raises(PackageError) as info:
        open_package(path, trust=trust, identity=world.hub, now=OPEN_AT)
    assert info.value.code == "E_KEY_REVOKED"
    earlier = tmp_path / "q.vxpkg"
    build_package(
        earlier,
        sender=world.term,
        recipient=world.hub.public,
        sequence=1,
        created_at=utc(2026, 11, 30),
    )
    with open_package(earlier, trust=trust, identity=world.hub, now=OPEN_AT) as package:
        assert package.outcome is Outcome.NEW


# --- round trips ---------------------------------------------------------------------------------


def test_empty_folder_gives_a_package_with_only_the_manifest(tmp_path: Path, world: World) -> None:
    path = tmp_path / "empty.vxpkg"
    built = build_package(path, sender=world.term, recipient=world.hub.public, sequence=1)
    with _open(path, world) as package:
        assert package.files == {}
        assert package.manifest["files"] == []
        assert package.manifest["package_id"] == built.package_id
        assert package.record_types == []


def test_every_member_and_manifest_extra_fields_arrive(tmp_path: Path, world: World) -> None:
    audit = [
        {
            "seq": 1,
            "at": "2026-12-01T05:00:00.000Z",
            "user_id": 1,
            "terminal_id": "192015-T001",
            "action": "login",
            "outcome": "ok",
            "person_id": None,
            "record_type": None,
            "record_id": None,
            "detail": "{}",
            "prev_hash": "0" * 64,
            "entry_hash": "a" * 64,
        }
    ]
    head = {"seq": 1, "hash": "a" * 64}
    path = tmp_path / "c.vxpkg"
    build_package(
        path,
        sender=world.term,
        recipient=world.hub.public,
        sequence=1,
        ack=3,
        records={"person": [person(1)], "vaccination": [vaccination(i) for i in range(5)]},
        audit=audit,
        manifest_extra={"audit_head": head},
    )
    with _open(path, world) as package:
        assert package.header.ack == 3
        assert package.manifest["audit_head"] == head
        assert list(package.audit_entries()) == audit
        assert package.record_types == ["person", "vaccination"]
        assert len(list(package.records("vaccination"))) == 5
        assert package.trust_files() is None
    upd = tmp_path / "u.vxpkg"
    ack = {"terminal": "192015-T001", "seq": 1, "hash": "a" * 64}
    build_package(
        upd,
        sender=world.hub,
        recipient=world.term.public,
        sequence=1,
        kind="updates",
        trust=world.trust,
        manifest_extra={"audit_ack": ack},
    )
    with open_package(upd, trust=world.trust, identity=world.term, now=OPEN_AT) as package:
        assert package.manifest["audit_ack"] == ack
        assert package.trust_files() == (world.trust.raw, world.trust.sig)
        out = tmp_path / "out"
        package.extract_to(out)
    assert (out / "trust" / "trust.json").read_bytes() == world.trust.raw
    assert json.loads((out / "manifest.json").read_text())["audit_ack"] == ack


def test_build_refuses_an_invalid_record_and_leaves_nothing(tmp_path: Path, world: World) -> None:
    bad = person()
    del bad["data"]["birth_date"]
    with pytest.raises(PackageError) as info:
        build_package(
            tmp_path / "x.vxpkg",
            sender=world.term,
            recipient=world.hub.public,
            sequence=1,
            records={"person": [person(), bad]},
            tmp_dir=tmp_path,
        )
    assert info.value.code == "E_RECORD_SCHEMA"
    assert "2 行目" in info.value.message_ja
    assert list(tmp_path.iterdir()) == []


_text = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=40)
_opt_text = st.none() | _text


@st.composite
def _vaccinations(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {
        "person_uid": uid(),
        "series_id": draw(st.sampled_from(["bcg", "mr", "hpv"])),
        "category": draw(st.sampled_from(["routine", "voluntary"])),
        "vaccinated_on": "2026-05-10",
        **STAMP,
    }
    for field in ("doctor", "place", "vaccine_name", "maker", "override_reason"):
        if draw(st.booleans()):
            data[field] = draw(_opt_text)
    if draw(st.booleans()):
        data["dose_amount_ml"] = draw(st.none() | st.floats(0, 100, allow_nan=False))
    if draw(st.booleans()):
        data["dose_no"] = draw(st.integers(1, 99))
    env = envelope("vaccination", data)
    if draw(st.booleans()):
        env["voided"] = {"at": "2026-12-01T05:00:00Z", "reason": draw(_text)}
    return env


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(_vaccinations(), max_size=30), as_lines=st.booleans(), ascii_only=st.booleans()
)
def test_records_built_are_opened_byte_identical(
    tmp_path_factory: pytest.TempPathFactory,
    records: list[dict[str, Any]],
    as_lines: bool,
    ascii_only: bool,
) -> None:
    path = tmp_path_factory.mktemp("rt") / "p.vxpkg"
    lines = [json.dumps(r, ensure_ascii=ascii_only).encode() for r in records]
    source: list[Any] = list(lines) if as_lines else records
    build_package(
        path,
        sender=WORLD.term,
        recipient=WORLD.hub.public,
        sequence=1,
        records={"vaccination": source},
    )
    with _open(path, WORLD) as package:
        got_lines = list(package.record_lines("vaccination"))
        got = list(package.records("vaccination"))
    assert got == records
    assert got_lines == (lines if as_lines else [orjson.dumps(r) for r in records])


def test_build_without_record_validation_still_gives_a_package_the_reader_checks(
    tmp_path: Path, world: World
) -> None:
    bad = person()
    bad["data"]["sex"] = "X"
    path = tmp_path / "nv.vxpkg"
    build_package(
        path,
        sender=world.term,
        recipient=world.hub.public,
        sequence=1,
        records={"person": [bad]},
        validate_records=False,
    )
    with pytest.raises(PackageError) as info:
        _open(path, world)
    assert info.value.code == "E_RECORD_SCHEMA"


# --- header and sequence -------------------------------------------------------------------------


def test_header_fields_and_default_lifetime(tmp_path: Path, world: World) -> None:
    path = tmp_path / "h.vxpkg"
    built = build_package(
        path, sender=world.term, recipient=world.hub.public, sequence=7, created_at=CREATED
    )
    header = read_header(path)
    assert header.raw == built.header
    assert list(header.fields) == [
        "format",
        "version",
        "package_id",
        "kind",
        "sender",
        "recipient",
        "sequence",
        "ack",
        "created_at",
        "expires_at",
        "payload",
    ]
    assert header.fields["created_at"] == "2026-12-01T05:00:00Z"
    assert header.fields["expires_at"] == "2026-12-31T05:00:00Z"
    assert header.fields["payload"]["chunk_size"] == 1048576
    assert header.sequence == 7 and header.kind == "changes"


def _channel_after_first(tmp_path: Path, world: World) -> tuple[MemoryChannel, Path]:
    ch = MemoryChannel()
    first = tmp_path / "1.vxpkg"
    build_package(first, sender=world.term, recipient=world.hub.public, sequence=1)
    with _open(first, world, channel=ch) as package:
        assert package.outcome is Outcome.NEW
        h = package.header
        ch.record(h.sender_id, h.sequence, h.package_id, h.sha256)
    return ch, first


def test_identical_package_reports_already_imported(tmp_path: Path, world: World) -> None:
    ch, first = _channel_after_first(tmp_path, world)
    with _open(first, world, channel=ch) as package:
        assert package.outcome is Outcome.ALREADY_IMPORTED
        assert package.files == {}


def test_next_sequence_is_new(tmp_path: Path, world: World) -> None:
    ch, _ = _channel_after_first(tmp_path, world)
    second = tmp_path / "2.vxpkg"
    build_package(second, sender=world.term, recipient=world.hub.public, sequence=2)
    with _open(second, world, channel=ch) as package:
        assert package.outcome is Outcome.NEW
