"""The app's own verification of FIDO2 registrations and assertions.

The client library (python-fido2, webauthn.dll) is not trusted: every response is re-parsed from
its raw bytes and checked here, in a fixed order, each failure with its own error code. python-fido2
is used only as a parser (AuthenticatorData, CollectedClientData) and for COSE signature checks.

Assertion checks, in order (WebAuthn §7.2 order; every check must pass, so the order only decides
which code is reported when several fail):
1. the credential id belongs to one of the enrollments given (else E_FIDO_UNKNOWN_CREDENTIAL),
   and that enrollment is for this rp id (else E_FIDO_RP_MISMATCH)
2. clientDataJSON parses, type is ``webauthn.get``, challenge equals ours (E_FIDO_CHALLENGE_MISMATCH)
3. origin is our fixed origin for the rp id, not cross-origin (E_FIDO_RP_MISMATCH)
4. authenticator data parses and its rp id hash is sha256(rp id) (E_FIDO_RP_MISMATCH)
5. UP flag (E_FIDO_UP_MISSING), UV flag (E_FIDO_UV_MISSING)
6. signature over authData || sha256(clientDataJSON) with the stored key (E_FIDO_BAD_SIGNATURE)
7. sign count strictly greater than stored, unless both are 0 (E_FIDO_SIGN_COUNT)
8. the signed authenticator data carries an hmac-secret output (E_FIDO_NO_PRF)
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from fido2 import cbor
from fido2.attestation.base import Attestation
from fido2.webauthn import AttestationObject, AuthenticatorData, CollectedClientData

from app.security.fido.errors import (
    FidoBadSignature,
    FidoChallengeMismatch,
    FidoNoPrf,
    FidoRpMismatch,
    FidoSignCount,
    FidoUnknownCredential,
    FidoUpMissing,
    FidoUvMissing,
)
from app.security.fido.interface import Enrollment, parse_public_key

CHALLENGE_LEN = 32
TYPE_CREATE = "webauthn.create"
TYPE_GET = "webauthn.get"
HMAC_SECRET = "hmac-secret"


def origin_for(rp_id: str) -> str:
    """The one origin VaxDesk uses for an rp id (a desktop app has no web origin of its own)."""
    return f"https://{rp_id}"


def new_challenge() -> bytes:
    """32 fresh random bytes; one per attempt, never reused."""
    return os.urandom(CHALLENGE_LEN)


@dataclass(frozen=True)
class VerifiedRegistration:
    credential_id: bytes
    public_key_cose: bytes
    aaguid: bytes
    sign_count: int
    hmac_secret: bool
    backup_eligible: bool = False
    backed_up: bool = False


@dataclass(frozen=True)
class VerifiedAssertion:
    enrollment: Enrollment
    sign_count: int


def _check_client_data(
    raw: bytes, expected_type: str, challenge: bytes, rp_id: str
) -> CollectedClientData:
    try:
        client_data = CollectedClientData(bytes(raw))
        ctype, got = client_data.type, client_data.challenge
    except Exception:
        raise FidoChallengeMismatch() from None
    if len(challenge) != CHALLENGE_LEN or ctype != expected_type:
        raise FidoChallengeMismatch()
    if not hmac.compare_digest(got, challenge):
        raise FidoChallengeMismatch()
    if client_data.origin != origin_for(rp_id) or client_data.cross_origin is not False:
        raise FidoRpMismatch()
    return client_data


def _parse_auth_data(raw: bytes, rp_id: str) -> AuthenticatorData:
    try:
        auth_data = AuthenticatorData(bytes(raw))
    except Exception:
        raise FidoBadSignature() from None
    expected = hashlib.sha256(rp_id.encode("utf-8")).digest()
    if not hmac.compare_digest(auth_data.rp_id_hash, expected):
        raise FidoRpMismatch()
    return auth_data


def _check_flags(auth_data: AuthenticatorData) -> None:
    if not auth_data.is_user_present():
        raise FidoUpMissing()
    if not auth_data.is_user_verified():
        raise FidoUvMissing()


def _verify_attestation(att_obj: AttestationObject, client_data_hash: bytes) -> None:
    """'none' must be empty; any other format is checked with python-fido2's verifier.

    Attestation is not used for trust (no vendor roots offline); a bad statement still fails.
    """
    if att_obj.fmt == "none":
        if att_obj.att_stmt:
            raise FidoBadSignature()
        return
    try:
        verifier = Attestation.for_type(att_obj.fmt)()
        verifier.verify(att_obj.att_stmt, att_obj.auth_data, client_data_hash)
    except FidoBadSignature:
        raise
    except Exception:
        raise FidoBadSignature() from None


def verify_registration(
    *,
    rp_id: str,
    challenge: bytes,
    client_data: bytes,
    attestation_object: bytes,
) -> VerifiedRegistration:
    """Check a makeCredential response; return what the enrollment must store."""
    _check_client_data(client_data, TYPE_CREATE, challenge, rp_id)
    try:
        att_obj = AttestationObject(bytes(attestation_object))
    except Exception:
        raise FidoBadSignature() from None
    auth_data = _parse_auth_data(att_obj.auth_data, rp_id)
    _check_flags(auth_data)
    cred = auth_data.credential_data
    if cred is None or not (1 <= len(cred.credential_id) <= 1023):
        raise FidoBadSignature()
    public_key_cose = cbor.encode(dict(cred.public_key))
    try:
        parse_public_key(public_key_cose)
    except Exception:
        raise FidoBadSignature() from None
    _verify_attestation(att_obj, hashlib.sha256(bytes(client_data)).digest())
    extensions: Any = auth_data.extensions or {}
    return VerifiedRegistration(
        credential_id=bytes(cred.credential_id),
        public_key_cose=public_key_cose,
        aaguid=bytes(cred.aaguid),
        sign_count=auth_data.counter,
        hmac_secret=extensions.get(HMAC_SECRET) is True,
        backup_eligible=auth_data.is_backup_eligible(),
        backed_up=auth_data.is_backed_up(),
    )


def _find_enrollment(
    credential_id: bytes, enrollments: Sequence[Enrollment], rp_id: str
) -> Enrollment:
    for enrollment in enrollments:
        if enrollment.credential_id == bytes(credential_id):
            if enrollment.rp_id != rp_id:
                raise FidoRpMismatch()
            return enrollment
    raise FidoUnknownCredential()


def verify_assertion(
    *,
    rp_id: str,
    challenge: bytes,
    enrollments: Sequence[Enrollment],
    credential_id: bytes,
    client_data: bytes,
    authenticator_data: bytes,
    signature: bytes,
    require_prf: bool = True,
) -> VerifiedAssertion:
    """Check a getAssertion response against the stored enrollments (see module docstring)."""
    enrollment = _find_enrollment(credential_id, enrollments, rp_id)
    _check_client_data(client_data, TYPE_GET, challenge, rp_id)
    auth_data = _parse_auth_data(authenticator_data, rp_id)
    _check_flags(auth_data)
    try:
        key = parse_public_key(enrollment.public_key_cose)
        client_hash = hashlib.sha256(bytes(client_data)).digest()
        key.verify(bytes(auth_data) + client_hash, bytes(signature))
    except (InvalidSignature, ValueError, TypeError, KeyError):
        raise FidoBadSignature() from None
    new_count, old_count = auth_data.counter, enrollment.sign_count
    if (new_count != 0 or old_count != 0) and new_count <= old_count:
        raise FidoSignCount()
    if require_prf:
        extensions: Any = auth_data.extensions or {}
        output = extensions.get(HMAC_SECRET)
        if not isinstance(output, bytes) or len(output) < 32:
            raise FidoNoPrf()
    return VerifiedAssertion(enrollment=enrollment, sign_count=new_count)
