"""Enrollment and unlock through the real python-fido2 client and the software authenticator."""

from __future__ import annotations

import threading

import pytest
from fido_testkit import RP_ID, USER_NAME, enroll

from app.security.fido import (
    Enrollment,
    FidoCancelled,
    FidoError,
    RecordingPrompt,
    SoftwareBackend,
)
from app.security.fido.backends import SECRET_MODE_HMAC
from app.security.fido.interface import TEXT_ENTER_PIN, TEXT_PLACE_FINGER, TEXT_TOUCH_KEY
from app.security.fido.software import SoftwareAuthenticator
from app.security.fido.software_state import SOFTWARE_AAGUID


@pytest.fixture
def backend() -> SoftwareBackend:
    return SoftwareBackend(SoftwareAuthenticator())


def test_enrollment_records_a_uv_prf_credential(backend: SoftwareBackend) -> None:
    prompt = RecordingPrompt()
    e = backend.enroll(RP_ID, b"staff-0001", USER_NAME, prompt)
    assert e.rp_id == RP_ID and e.backend == "software" and e.uv_required is True
    assert len(e.prf_salt) == 32 and len(e.credential_id) == 34
    assert e.aaguid == SOFTWARE_AAGUID
    assert e.sign_count >= 1
    assert prompt.shown[:2] == [TEXT_PLACE_FINGER, TEXT_TOUCH_KEY]


def test_unlock_gives_the_same_32_bytes_twice_and_raises_the_count(
    backend: SoftwareBackend,
) -> None:
    e = enroll(backend)
    first = backend.unlock(RP_ID, [e], RecordingPrompt())
    e = e.with_sign_count(first.sign_count)
    second = backend.unlock(RP_ID, [e], RecordingPrompt())
    assert len(first.prf_output) == 32
    assert first.prf_output == second.prf_output
    assert first.credential_id == second.credential_id == e.credential_id
    assert second.sign_count > first.sign_count > 0


def test_other_salt_gives_another_secret(backend: SoftwareBackend) -> None:
    e = enroll(backend)
    a = backend.unlock(RP_ID, [e], RecordingPrompt())
    other = Enrollment.from_json_dict({**e.to_json_dict(), "prf_salt": "A" * 43})
    b = backend.unlock(RP_ID, [other.with_sign_count(a.sign_count)], RecordingPrompt())
    assert a.prf_output != b.prf_output


def test_other_authenticator_gives_another_secret() -> None:
    auth_a = SoftwareAuthenticator(device_secret=b"\x01" * 32)
    auth_b = SoftwareAuthenticator(device_secret=b"\x02" * 32)
    e_a = enroll(SoftwareBackend(auth_a))
    e_b = enroll(SoftwareBackend(auth_b))
    e_b = Enrollment.from_json_dict(
        {**e_b.to_json_dict(), "prf_salt": e_a.to_json_dict()["prf_salt"]}
    )
    out_a = SoftwareBackend(auth_a).unlock(RP_ID, [e_a], RecordingPrompt()).prf_output
    out_b = SoftwareBackend(auth_b).unlock(RP_ID, [e_b], RecordingPrompt()).prf_output
    assert out_a != out_b


def test_two_enrollments_with_own_salts_use_the_matching_salt() -> None:
    auth_a, auth_b = SoftwareAuthenticator(), SoftwareAuthenticator()
    e_a, e_b = enroll(SoftwareBackend(auth_a)), enroll(SoftwareBackend(auth_b))
    alone = SoftwareBackend(auth_b).unlock(RP_ID, [e_b], RecordingPrompt())
    both = SoftwareBackend(auth_b).unlock(
        RP_ID, [e_a, e_b.with_sign_count(alone.sign_count)], RecordingPrompt()
    )
    assert both.credential_id == e_b.credential_id
    assert both.prf_output == alone.prf_output


def test_hmac_secret_mode_gives_the_same_secret_as_prf() -> None:
    auth = SoftwareAuthenticator()
    e = enroll(SoftwareBackend(auth))
    via_prf = SoftwareBackend(auth).unlock(RP_ID, [e], RecordingPrompt())
    hmac_backend = SoftwareBackend(auth, secret_mode=SECRET_MODE_HMAC)
    via_hmac = hmac_backend.unlock(
        RP_ID, [e.with_sign_count(via_prf.sign_count)], RecordingPrompt()
    )
    assert via_hmac.prf_output == via_prf.prf_output


def test_enroll_in_hmac_secret_mode_works_too() -> None:
    backend = SoftwareBackend(SoftwareAuthenticator(), secret_mode=SECRET_MODE_HMAC)
    e = enroll(backend)
    assert len(backend.unlock(RP_ID, [e], RecordingPrompt()).prf_output) == 32


def test_pin_instead_of_fingerprint() -> None:
    backend = SoftwareBackend(SoftwareAuthenticator(uv=False, pin="4821"))
    prompt = RecordingPrompt(pin="4821")
    e = backend.enroll(RP_ID, b"u", USER_NAME, prompt)
    result = backend.unlock(RP_ID, [e], prompt)
    assert len(result.prf_output) == 32
    assert TEXT_ENTER_PIN in prompt.shown and TEXT_PLACE_FINGER not in prompt.shown


def test_cancel_event_set_before_touch_cancels(backend: SoftwareBackend) -> None:
    e = enroll(backend)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(FidoCancelled) as info:
        backend.unlock(RP_ID, [e], RecordingPrompt(), cancel=cancel)
    assert info.value.code == "E_FIDO_CANCELLED"


def test_person_cancelling_the_fingerprint_prompt_cancels(backend: SoftwareBackend) -> None:
    e = enroll(backend)
    with pytest.raises(FidoCancelled):
        backend.unlock(RP_ID, [e], RecordingPrompt(allow_uv=False))


def test_cancelling_the_pin_prompt_cancels() -> None:
    backend = SoftwareBackend(SoftwareAuthenticator(uv=False, pin="4821"))
    e = backend.enroll(RP_ID, b"u", USER_NAME, RecordingPrompt(pin="4821"))
    with pytest.raises(FidoCancelled):
        backend.unlock(RP_ID, [e], RecordingPrompt(pin=None))


def test_unlock_runs_in_a_worker_thread(backend: SoftwareBackend) -> None:
    e = enroll(backend)
    results: list[bytes] = []
    errors: list[FidoError] = []

    def work() -> None:
        try:
            results.append(backend.unlock(RP_ID, [e], RecordingPrompt()).prf_output)
        except FidoError as exc:  # pragma: no cover - reported below
            errors.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=30)
    assert errors == [] and len(results) == 1 and len(results[0]) == 32


def test_error_text_holds_no_secret_material(backend: SoftwareBackend) -> None:
    e = enroll(backend)
    with pytest.raises(FidoError) as info:
        backend.unlock(RP_ID, [e], RecordingPrompt(allow_uv=False))
    text = str(info.value) + repr(info.value)
    assert e.credential_id.hex() not in text and e.prf_salt.hex() not in text
    assert info.value.__cause__ is None


def test_prf_output_is_hmac_of_the_uv_cred_random_over_the_prf_salt() -> None:
    import hashlib

    from app.security.fido import prf_hmac_salt
    from app.security.fido.software_state import derive_cred_random, hmac_sha256

    secret = b"\x07" * 32
    backend = SoftwareBackend(SoftwareAuthenticator(device_secret=secret))
    e = enroll(backend)
    out = backend.unlock(RP_ID, [e], RecordingPrompt()).prf_output
    rp_hash = hashlib.sha256(RP_ID.encode()).digest()
    cr_uv = derive_cred_random(secret, e.credential_id, rp_hash, uv=True)
    cr_no_uv = derive_cred_random(secret, e.credential_id, rp_hash, uv=False)
    assert out == hmac_sha256(cr_uv, prf_hmac_salt(e.prf_salt))
    assert out != hmac_sha256(cr_no_uv, prf_hmac_salt(e.prf_salt))


def test_enroll_with_secret_returns_the_slot_secret_and_updated_count() -> None:
    from app.security.fido import enroll_with_secret

    backend = SoftwareBackend(SoftwareAuthenticator())
    e, first = enroll_with_secret(backend, RP_ID, b"u", USER_NAME, RecordingPrompt())
    assert e.sign_count == first.sign_count
    later = backend.unlock(RP_ID, [e], RecordingPrompt())
    assert later.prf_output == first.prf_output
