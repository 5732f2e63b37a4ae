"""FIDO2 backends: Windows (webauthn.dll), USB HID (python-fido2) and the software authenticator.

Device session rule: each ``enroll``/``unlock`` call opens its own client and device connection
in the calling (worker) thread, uses it only there and closes it before returning; a per-backend
lock keeps two calls from talking to the device at once. To cancel from another thread (the GUI),
pass a ``threading.Event`` as ``cancel`` and set it.

The 32-byte secret is the WebAuthn PRF output for the enrollment's salt, i.e.
HMAC-SHA256(CredRandom_UV, SHA-256("WebAuthn PRF" || 0x00 || salt)). In "hmac-secret" mode the
backend sends that hashed salt itself, so both modes yield the same bytes for the same credential.
"""

from __future__ import annotations

import abc
import contextlib
import os
import re
import threading
from collections.abc import Sequence
from typing import Any

from fido2.client import ClientDataCollector, ClientError, Fido2Client, WebAuthnClient
from fido2.ctap2.extensions import HmacSecretExtension
from fido2.utils import sha256, websafe_encode
from fido2.webauthn import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    CollectedClientData,
    PublicKeyCredentialCreationOptions,
    PublicKeyCredentialDescriptor,
    PublicKeyCredentialParameters,
    PublicKeyCredentialRequestOptions,
    PublicKeyCredentialRpEntity,
    PublicKeyCredentialType,
    PublicKeyCredentialUserEntity,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from app.security.fido.errors import (
    FidoCancelled,
    FidoError,
    FidoNoPrf,
    FidoRpMismatch,
    FidoUnknownCredential,
    map_device_error,
)
from app.security.fido.interface import (
    PRF_OUTPUT_LEN,
    PRF_SALT_LEN,
    Enrollment,
    Fido2Backend,
    FidoPrompt,
    PromptInteraction,
    UnlockResult,
)
from app.security.fido.verify import (
    new_challenge,
    origin_for,
    verify_assertion,
    verify_registration,
)

DEFAULT_RP_ID = "vaxdesk.local"
RP_NAME = "VaxDesk"
TIMEOUT_MS = 60_000
SECRET_MODE_PRF = "prf"
SECRET_MODE_HMAC = "hmac-secret"
_RP_ID_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
_ALGS = [
    PublicKeyCredentialParameters(type=PublicKeyCredentialType.PUBLIC_KEY, alg=-7),
    PublicKeyCredentialParameters(type=PublicKeyCredentialType.PUBLIC_KEY, alg=-8),
]


def prf_hmac_salt(salt: bytes) -> bytes:
    """The hmac-secret salt that the WebAuthn PRF extension derives from a PRF input."""
    return sha256(b"WebAuthn PRF\x00" + salt)


def check_rp_id(rp_id: str) -> None:
    if not _RP_ID_RE.match(rp_id) or len(rp_id) > 253:
        raise FidoRpMismatch()


class FixedOriginCollector(ClientDataCollector):
    """Client data with our one fixed origin; refuses any other rp id."""

    def __init__(self, rp_id: str) -> None:
        self._rp_id = rp_id

    def collect_client_data(
        self, options: PublicKeyCredentialCreationOptions | PublicKeyCredentialRequestOptions
    ) -> tuple[CollectedClientData, str]:
        if isinstance(options, PublicKeyCredentialCreationOptions):
            rp_id, kind = options.rp.id, CollectedClientData.TYPE.CREATE
        else:
            rp_id, kind = options.rp_id, CollectedClientData.TYPE.GET
        if rp_id != self._rp_id:
            raise ClientError.ERR.BAD_REQUEST()
        data = CollectedClientData.create(
            type=kind.value, challenge=options.challenge, origin=origin_for(self._rp_id)
        )
        return data, self._rp_id


class ClientBackend(Fido2Backend):
    """Common enroll/unlock logic over any python-fido2 ``WebAuthnClient``."""

    name = "abstract"
    secret_mode = SECRET_MODE_PRF

    def __init__(self) -> None:
        self._lock = threading.Lock()

    # subclasses provide the client, inside the calling thread
    @abc.abstractmethod
    def _session(
        self, rp_id: str, interaction: PromptInteraction
    ) -> contextlib.AbstractContextManager[WebAuthnClient]:
        """A context manager yielding a client for one call (opened and closed in this thread)."""

    def _precheck(self, client: WebAuthnClient) -> None:
        info = getattr(client, "info", None)
        if info is not None and "hmac-secret" not in info.extensions:
            raise FidoNoPrf()

    def _hold(self, event: threading.Event) -> None:
        while not self._lock.acquire(timeout=0.1):
            if event.is_set():
                raise FidoCancelled()

    def enroll(
        self,
        rp_id: str,
        user_id: bytes,
        user_name: str,
        prompt: FidoPrompt,
        *,
        cancel: threading.Event | None = None,
    ) -> Enrollment:
        check_rp_id(rp_id)
        if not (1 <= len(user_id) <= 64) or not user_name:
            raise ValueError("user_id must be 1..64 bytes and user_name non-empty")
        challenge, salt = new_challenge(), os.urandom(PRF_SALT_LEN)
        options = PublicKeyCredentialCreationOptions(
            rp=PublicKeyCredentialRpEntity(id=rp_id, name=RP_NAME),
            user=PublicKeyCredentialUserEntity(id=user_id, name=user_name, display_name=user_name),
            challenge=challenge,
            pub_key_cred_params=_ALGS,
            timeout=TIMEOUT_MS,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.DISCOURAGED,
                user_verification=UserVerificationRequirement.REQUIRED,
            ),
            attestation=AttestationConveyancePreference.NONE,
            extensions=self._create_inputs(salt),
        )
        event = cancel or threading.Event()
        interaction = PromptInteraction(prompt, event)
        self._hold(event)
        try:
            with self._session(rp_id, interaction) as client:
                self._precheck(client)
                response = client.make_credential(options, event=event)
        except FidoError:
            raise
        except Exception as exc:
            raise map_device_error(exc, cancelled=interaction.cancelled) from None
        finally:
            self._lock.release()
        verified = verify_registration(
            rp_id=rp_id,
            challenge=challenge,
            client_data=bytes(response.response.client_data),
            attestation_object=bytes(response.response.attestation_object),
        )
        if not verified.hmac_secret:
            raise FidoNoPrf()
        return Enrollment(
            credential_id=verified.credential_id,
            public_key_cose=verified.public_key_cose,
            rp_id=rp_id,
            aaguid=verified.aaguid,
            sign_count=verified.sign_count,
            prf_salt=salt,
            uv_required=True,
            backend=self.name,
            backup_eligible=verified.backup_eligible,
            backed_up=verified.backed_up,
        )

    def unlock(
        self,
        rp_id: str,
        enrollments: list[Enrollment],
        prompt: FidoPrompt,
        *,
        cancel: threading.Event | None = None,
    ) -> UnlockResult:
        check_rp_id(rp_id)
        if not enrollments:
            raise FidoUnknownCredential()
        if any(e.rp_id != rp_id for e in enrollments):
            raise FidoRpMismatch()
        challenge = new_challenge()
        options = PublicKeyCredentialRequestOptions(
            challenge=challenge,
            timeout=TIMEOUT_MS,
            rp_id=rp_id,
            allow_credentials=[
                PublicKeyCredentialDescriptor(
                    type=PublicKeyCredentialType.PUBLIC_KEY, id=e.credential_id
                )
                for e in enrollments
            ],
            user_verification=UserVerificationRequirement.REQUIRED,
            extensions=self._get_inputs(enrollments),
        )
        event = cancel or threading.Event()
        interaction = PromptInteraction(prompt, event)
        self._hold(event)
        try:
            with self._session(rp_id, interaction) as client:
                self._precheck(client)
                selection = client.get_assertion(options, event=event)
                response = selection.get_response(0)
        except FidoError:
            raise
        except Exception as exc:
            raise map_device_error(exc, cancelled=interaction.cancelled) from None
        finally:
            self._lock.release()
        assertion = response.response
        verified = verify_assertion(
            rp_id=rp_id,
            challenge=challenge,
            enrollments=enrollments,
            credential_id=response.raw_id,
            client_data=bytes(assertion.client_data),
            authenticator_data=bytes(assertion.authenticator_data),
            signature=bytes(assertion.signature),
        )
        output = self._secret_output(response.client_extension_results)
        return UnlockResult(
            credential_id=verified.enrollment.credential_id,
            prf_output=output,
            sign_count=verified.sign_count,
        )

    # --- PRF / hmac-secret inputs and outputs --------------------------------------------

    def _create_inputs(self, salt: bytes) -> dict[str, Any]:
        if self.secret_mode == SECRET_MODE_HMAC:
            return {"hmacCreateSecret": True}
        return {"prf": {"eval": {"first": salt}}}

    def _get_inputs(self, enrollments: Sequence[Enrollment]) -> dict[str, Any]:
        salts = {e.prf_salt for e in enrollments}
        if self.secret_mode == SECRET_MODE_HMAC:
            if len(salts) != 1:
                raise FidoNoPrf()  # raw hmac-secret cannot vary the salt per credential
            return {"hmacGetSecret": {"salt1": prf_hmac_salt(enrollments[0].prf_salt)}}
        if len(salts) == 1:
            return {"prf": {"eval": {"first": enrollments[0].prf_salt}}}
        by_cred = {websafe_encode(e.credential_id): {"first": e.prf_salt} for e in enrollments}
        return {"prf": {"evalByCredential": by_cred}}

    def _secret_output(self, outputs: Any) -> bytes:
        value: Any = None
        if self.secret_mode == SECRET_MODE_HMAC:
            secret = getattr(outputs, "hmac_get_secret", None)
            value = getattr(secret, "output1", None)
        else:
            prf = getattr(outputs, "prf", None)
            value = getattr(getattr(prf, "results", None), "first", None)
        if not isinstance(value, bytes) or len(value) != PRF_OUTPUT_LEN:
            raise FidoNoPrf()
        return value


class Ctap2ClientBackend(ClientBackend):
    """Backends that drive a CTAP device through python-fido2's own ``Fido2Client``."""

    def _new_client(self, device: Any, rp_id: str, interaction: PromptInteraction) -> Fido2Client:
        return Fido2Client(
            device,
            FixedOriginCollector(rp_id),
            interaction,
            extensions=[HmacSecretExtension(allow_hmac_secret=True)],  # type: ignore[no-untyped-call]
        )
