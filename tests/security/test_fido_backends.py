"""Backend selection, stored enrollments, the software state file and the real-key test."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from fido_testkit import RP_ID, enroll

from app.security.fido import (
    Enrollment,
    Fido2Backend,
    FidoEnrollmentInvalid,
    FidoNoDevice,
    RecordingPrompt,
    SoftwareBackend,
    UsbBackend,
    WindowsBackend,
    backend_status,
    select_backend,
)
from app.security.fido.software import SoftwareAuthenticator
from app.security.fido.software_state import STATE_WARNING


def _usb_key_attached() -> bool:
    return UsbBackend().is_available()[0]


def test_select_backend_without_software_never_returns_the_software_backend() -> None:
    if _usb_key_attached() or WindowsBackend().is_available()[0]:
        backend = select_backend(allow_software=False)
        assert backend.name in ("windows", "usb")
    else:
        with pytest.raises(FidoNoDevice) as info:
            select_backend(allow_software=False)
        assert info.value.code == "E_FIDO_NO_DEVICE"


def test_select_backend_with_software_allowed_falls_back_to_software(tmp_path: Path) -> None:
    unavailable = [WindowsBackend()] if sys.platform != "win32" else []
    backend = select_backend(
        allow_software=True, software_state_path=tmp_path / "sw.json", candidates=unavailable
    )
    assert isinstance(backend, SoftwareBackend)


def test_software_backend_in_the_candidate_list_is_skipped() -> None:
    listed: list[Fido2Backend] = [SoftwareBackend(SoftwareAuthenticator())]
    with pytest.raises(FidoNoDevice):
        select_backend(allow_software=False, candidates=listed)


def test_windows_backend_gives_a_reason_and_is_off_elsewhere() -> None:
    ok, reason = WindowsBackend().is_available()
    assert "Windows" in reason
    if sys.platform != "win32":
        assert ok is False


def test_backend_status_gives_a_japanese_reason_for_each_backend() -> None:
    status = backend_status()
    assert [name for name, _, _ in status] == ["windows", "usb"]
    assert all(reason for _, _, reason in status)


def test_enrollment_json_round_trip() -> None:
    e = enroll(SoftwareBackend(SoftwareAuthenticator()))
    stored = json.loads(json.dumps(e.to_json_dict()))
    assert Enrollment.from_json_dict(stored) == e


@pytest.mark.parametrize(
    "change",
    [
        {"uv_required": False},
        {"prf_salt": "AAAA"},
        {"public_key_cose": "AAAA"},
        {"sign_count": -1},
        {"sign_count": "3"},
        {"credential_id": "%%%"},
        {"aaguid": "zz"},
    ],
)
def test_damaged_enrollment_is_refused(change: dict[str, object]) -> None:
    e = enroll(SoftwareBackend(SoftwareAuthenticator()))
    with pytest.raises(FidoEnrollmentInvalid):
        Enrollment.from_json_dict({**e.to_json_dict(), **change})


def test_software_state_file_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "demo" / "software-authenticator.json"
    first = SoftwareBackend(state_path=path)
    e = enroll(first)
    out1 = first.unlock(RP_ID, [e], RecordingPrompt())
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["warning"] == STATE_WARNING and saved["sign_count"] == out1.sign_count
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left

    second = SoftwareBackend(state_path=path)  # a new process would do exactly this
    out2 = second.unlock(RP_ID, [e.with_sign_count(out1.sign_count)], RecordingPrompt())
    assert out2.prf_output == out1.prf_output
    assert out2.sign_count > out1.sign_count


def test_software_state_file_refuses_a_second_secret(tmp_path: Path) -> None:
    path = tmp_path / "sw.json"
    SoftwareAuthenticator(path)
    with pytest.raises(ValueError):
        SoftwareAuthenticator(path, device_secret=b"\x01" * 32)


def test_damaged_software_state_file_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "sw.json"
    path.write_text("{broken", encoding="utf-8")
    with pytest.raises(ValueError):
        SoftwareAuthenticator(path)
    assert path.read_text(encoding="utf-8") == "{broken"


@pytest.mark.hardware
@pytest.mark.skipif(
    os.environ.get("VAXDESK_HARDWARE_TESTS") != "1",
    reason="needs a real FIDO2 key with fingerprint or PIN; set VAXDESK_HARDWARE_TESTS=1",
)
def test_real_usb_key_enroll_and_unlock() -> None:
    backend = select_backend(allow_software=False)
    assert backend.name in ("windows", "usb")

    class ConsolePrompt(RecordingPrompt):
        def touch_key(self) -> None:
            print("セキュリティキーに触れてください", flush=True)

        def place_finger(self) -> bool:
            print("指紋センサーに指を置いてください", flush=True)
            return True

        def request_pin(self) -> str | None:
            return os.environ.get("VAXDESK_HARDWARE_PIN") or input("PINを入力してください: ")

    prompt = ConsolePrompt()
    e = backend.enroll(RP_ID, b"hardware-test", "hardware-test", prompt)
    first = backend.unlock(RP_ID, [e], prompt)
    second = backend.unlock(RP_ID, [e.with_sign_count(first.sign_count)], prompt)
    assert len(first.prf_output) == 32 and first.prf_output == second.prf_output
