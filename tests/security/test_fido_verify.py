"""The app's own assertion checks: each misbehaviour is refused with its own code."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

import pytest
from fido2.webauthn import AuthenticationResponse
from fido_testkit import (
    RP_ID,
    USER_NAME,
    TamperingBackend,
    TamperingCollector,
    enroll,
    raw_assertion,
)

from app.security.fido import (
    Enrollment,
    FidoBadSignature,
    FidoChallengeMismatch,
    FidoError,
    FidoNoPrf,
    FidoPin,
    FidoRpMismatch,
    FidoSignCount,
    FidoUnknownCredential,
    FidoUpMissing,
    FidoUvMissing,
    RecordingPrompt,
    SoftwareBackend,
    verify_assertion,
)
from app.security.fido.software import SoftwareAuthenticator
from app.security.fido.verify import VerifiedAssertion


def _enrolled(**switches: bool) -> tuple[SoftwareAuthenticator, SoftwareBackend, Enrollment]:
    """Enroll with an honest authenticator, then turn on the misbehaviour switches."""
    auth = SoftwareAuthenticator()
    backend = SoftwareBackend(auth)
    e = enroll(backend)
    for name, value in switches.items():
        setattr(auth, name, value)
    return auth, backend, e


def _unlock_code(
    backend: SoftwareBackend, enrollments: list[Enrollment], *, pin: str | None = None
) -> str:
    with pytest.raises(FidoError) as info:
        backend.unlock(RP_ID, enrollments, RecordingPrompt(pin=pin))
    return info.value.code


def _verify(
    e: Enrollment,
    response: AuthenticationResponse,
    challenge: bytes,
    *,
    enrollments: Sequence[Enrollment] | None = None,
    client_data: bytes | None = None,
) -> VerifiedAssertion:
    """Verify ``response`` against ``[e]``; ``enrollments``/``client_data`` override those parts."""
    r = response.response
    return verify_assertion(
        rp_id=RP_ID,
        challenge=challenge,
        enrollments=[e] if enrollments is None else enrollments,
        credential_id=response.raw_id,
        client_data=bytes(r.client_data) if client_data is None else client_data,
        authenticator_data=bytes(r.authenticator_data),
        signature=bytes(r.signature),
    )


def test_honest_raw_assertion_passes_verification() -> None:
    auth, _, e = _enrolled()
    challenge = os.urandom(32)
    verified = _verify(e, raw_assertion(auth, e, challenge), challenge)
    assert verified.sign_count > e.sign_count


def test_fingerprint_refused_is_uv_missing() -> None:
    _, backend, e = _enrolled(refuse_uv=True)
    assert _unlock_code(backend, [e]) == "E_FIDO_UV_MISSING"


def test_authenticator_without_any_uv_is_uv_missing() -> None:
    backend = SoftwareBackend(SoftwareAuthenticator(uv=False))
    with pytest.raises(FidoUvMissing):
        backend.enroll(RP_ID, b"u", USER_NAME, RecordingPrompt())


def test_uv_flag_cleared_by_a_malicious_authenticator_is_refused() -> None:
    _, backend, e = _enrolled(drop_uv_flag=True)
    with pytest.raises(FidoUvMissing):
        backend.unlock(RP_ID, [e], RecordingPrompt())


def test_up_flag_cleared_is_refused() -> None:
    _, backend, e = _enrolled(drop_up_flag=True)
    with pytest.raises(FidoUpMissing):
        backend.unlock(RP_ID, [e], RecordingPrompt())


def test_corrupted_signature_is_refused() -> None:
    _, backend, e = _enrolled(corrupt_signature=True)
    with pytest.raises(FidoBadSignature):
        backend.unlock(RP_ID, [e], RecordingPrompt())


def test_corrupted_registration_signature_is_refused() -> None:
    backend = SoftwareBackend(SoftwareAuthenticator(corrupt_signature=True))
    with pytest.raises(FidoBadSignature):
        enroll(backend)


def test_signature_by_another_key_is_refused() -> None:
    auth, _, e = _enrolled()
    other = enroll(SoftwareBackend(SoftwareAuthenticator()))
    forged = dataclasses.replace(e, public_key_cose=other.public_key_cose)
    challenge = os.urandom(32)
    with pytest.raises(FidoBadSignature):
        _verify(forged, raw_assertion(auth, e, challenge), challenge, enrollments=[forged])


def test_unlock_for_another_rp_id_is_refused() -> None:
    _, backend, e = _enrolled()
    with pytest.raises(FidoRpMismatch):
        backend.unlock("other.example", [e], RecordingPrompt())


def test_wrong_rp_id_hash_from_the_authenticator_is_refused() -> None:
    _, backend, e = _enrolled(wrong_rp_hash=True)
    with pytest.raises(FidoRpMismatch):
        backend.unlock(RP_ID, [e], RecordingPrompt())


def test_wrong_origin_in_client_data_is_refused() -> None:
    auth, _, e = _enrolled()
    evil = TamperingBackend(auth, TamperingCollector(RP_ID, origin="https://evil.example"))
    with pytest.raises(FidoRpMismatch):
        evil.unlock(RP_ID, [e], RecordingPrompt())


def test_client_signing_another_challenge_is_refused() -> None:
    auth, _, e = _enrolled()
    evil = TamperingBackend(auth, TamperingCollector(RP_ID, challenge=b"\x00" * 32))
    with pytest.raises(FidoChallengeMismatch):
        evil.unlock(RP_ID, [e], RecordingPrompt())


def test_assertion_for_an_old_challenge_is_refused() -> None:
    auth, _, e = _enrolled()
    old = os.urandom(32)
    with pytest.raises(FidoChallengeMismatch):
        _verify(e, raw_assertion(auth, e, old), os.urandom(32))


def test_tampered_client_data_is_refused() -> None:
    auth, _, e = _enrolled()
    challenge = os.urandom(32)
    response = raw_assertion(auth, e, challenge)
    bad_type = bytes(response.response.client_data).replace(b"webauthn.get", b"webauthn.create")
    with pytest.raises(FidoChallengeMismatch):
        _verify(e, response, challenge, client_data=bad_type)
    with pytest.raises(FidoChallengeMismatch):
        _verify(e, response, challenge, client_data=b"{not json")


def test_replayed_assertion_is_refused_by_the_sign_count() -> None:
    auth, _, e = _enrolled()
    challenge = os.urandom(32)
    response = raw_assertion(auth, e, challenge)
    first = _verify(e, response, challenge)
    stored = e.with_sign_count(first.sign_count)
    with pytest.raises(FidoSignCount):
        _verify(stored, response, challenge, enrollments=[stored])


def test_cloned_key_with_lower_counter_is_refused() -> None:
    auth, backend, e = _enrolled()
    clone = auth.clone()
    for _ in range(3):
        e = e.with_sign_count(backend.unlock(RP_ID, [e], RecordingPrompt()).sign_count)
    with pytest.raises(FidoSignCount):
        SoftwareBackend(clone).unlock(RP_ID, [e], RecordingPrompt())


def test_counter_reset_to_zero_is_refused() -> None:
    auth, backend, e = _enrolled()
    e = e.with_sign_count(backend.unlock(RP_ID, [e], RecordingPrompt()).sign_count)
    auth.sign_count = 0
    with pytest.raises(FidoSignCount):
        backend.unlock(RP_ID, [e], RecordingPrompt())


def test_key_of_another_user_is_unknown_to_the_device() -> None:
    _auth, backend, _mine = _enrolled()
    theirs = enroll(SoftwareBackend(SoftwareAuthenticator()), user_id=b"staff-0002")
    with pytest.raises(FidoUnknownCredential):
        backend.unlock(RP_ID, [theirs], RecordingPrompt())


def test_assertion_by_a_credential_not_in_the_enrollments_is_refused() -> None:
    auth, _, mine = _enrolled()
    theirs = enroll(SoftwareBackend(SoftwareAuthenticator()), user_id=b"staff-0002")
    challenge = os.urandom(32)
    with pytest.raises(FidoUnknownCredential):
        _verify(mine, raw_assertion(auth, mine, challenge), challenge, enrollments=[theirs])


def test_authenticator_without_hmac_secret_cannot_enroll() -> None:
    backend = SoftwareBackend(SoftwareAuthenticator(hmac_secret=False))
    with pytest.raises(FidoNoPrf):
        enroll(backend)


def test_wrong_pin_is_refused_with_the_pin_code() -> None:
    backend = SoftwareBackend(SoftwareAuthenticator(uv=False, pin="4821"))
    e = backend.enroll(RP_ID, b"u", USER_NAME, RecordingPrompt(pin="4821"))
    assert _unlock_code(backend, [e], pin="0000") == "E_FIDO_PIN"


def test_pin_blocked_after_too_many_wrong_pins() -> None:
    auth = SoftwareAuthenticator(uv=False, pin="4821")
    backend = SoftwareBackend(auth)
    e = backend.enroll(RP_ID, b"u", USER_NAME, RecordingPrompt(pin="4821"))
    codes = {_unlock_code(backend, [e], pin="0000") for _ in range(8)}
    assert codes == {"E_FIDO_PIN"}
    with pytest.raises(FidoPin) as info:
        backend.unlock(RP_ID, [e], RecordingPrompt(pin="4821"))
    assert "ロック" in info.value.message_ja


def test_eddsa_assertion_is_verified_without_any_client() -> None:
    import hashlib

    from cryptography.hazmat.primitives.asymmetric import ed25519
    from fido2 import cbor
    from fido2.cose import EdDSA
    from fido2.webauthn import AuthenticatorData, CollectedClientData

    from app.security.fido import origin_for

    key = ed25519.Ed25519PrivateKey.generate()
    cose = cbor.encode(dict(EdDSA.from_cryptography_key(key.public_key())))
    e = Enrollment(
        credential_id=b"\x05" * 16,
        public_key_cose=cose,
        rp_id=RP_ID,
        aaguid=b"\x00" * 16,
        sign_count=4,
        prf_salt=b"\x09" * 32,
    )
    challenge = os.urandom(32)
    flags = AuthenticatorData.FLAG
    auth_data = AuthenticatorData.create(
        hashlib.sha256(RP_ID.encode()).digest(),
        flags.UP | flags.UV | flags.ED,
        5,
        extensions={"hmac-secret": b"\x01" * 48},
    )
    client_data = CollectedClientData.create(
        type="webauthn.get", challenge=challenge, origin=origin_for(RP_ID)
    )
    signature = key.sign(bytes(auth_data) + hashlib.sha256(client_data).digest())
    common = dict(
        rp_id=RP_ID,
        challenge=challenge,
        enrollments=[e],
        credential_id=e.credential_id,
        client_data=bytes(client_data),
        authenticator_data=bytes(auth_data),
    )
    assert verify_assertion(signature=signature, **common).sign_count == 5
    with pytest.raises(FidoBadSignature):
        verify_assertion(signature=signature[:-1] + bytes([signature[-1] ^ 1]), **common)
