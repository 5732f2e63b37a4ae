"""Helpers for the FIDO2 tests: the real python-fido2 client against the software authenticator."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from fido2.client import ClientDataCollector, Fido2Client, WebAuthnClient
from fido2.ctap2.extensions import HmacSecretExtension
from fido2.webauthn import (
    AuthenticationResponse,
    CollectedClientData,
    PublicKeyCredentialCreationOptions,
    PublicKeyCredentialDescriptor,
    PublicKeyCredentialRequestOptions,
    PublicKeyCredentialType,
    UserVerificationRequirement,
)

from app.security.fido import Enrollment, RecordingPrompt, SoftwareBackend
from app.security.fido.backends import FixedOriginCollector
from app.security.fido.interface import PromptInteraction
from app.security.fido.software import SoftwareAuthenticator

RP_ID = "vaxdesk.local"
USER_ID = b"staff-0001"
USER_NAME = "staff-0001"


def enroll(backend: SoftwareBackend, user_id: bytes = USER_ID) -> Enrollment:
    return backend.enroll(RP_ID, user_id, USER_NAME, RecordingPrompt())


def client_for(
    auth: SoftwareAuthenticator, collector: ClientDataCollector | None = None
) -> Fido2Client:
    return Fido2Client(
        auth,
        collector or FixedOriginCollector(RP_ID),
        PromptInteraction(RecordingPrompt(), threading.Event()),
        extensions=[HmacSecretExtension(allow_hmac_secret=True)],
    )


def raw_assertion(
    auth: SoftwareAuthenticator, enrollment: Enrollment, challenge: bytes
) -> AuthenticationResponse:
    """One UV assertion with PRF, straight from the real client, not yet verified."""
    options = PublicKeyCredentialRequestOptions(
        challenge=challenge,
        rp_id=RP_ID,
        allow_credentials=[
            PublicKeyCredentialDescriptor(
                type=PublicKeyCredentialType.PUBLIC_KEY, id=enrollment.credential_id
            )
        ],
        user_verification=UserVerificationRequirement.REQUIRED,
        extensions={"prf": {"eval": {"first": enrollment.prf_salt}}},
    )
    return client_for(auth).get_assertion(options).get_response(0)


class TamperingCollector(FixedOriginCollector):
    """A compromised client: signs a different challenge or claims another origin."""

    def __init__(self, rp_id: str, *, challenge: bytes | None = None, origin: str | None = None):
        super().__init__(rp_id)
        self._challenge = challenge
        self._origin = origin

    def collect_client_data(
        self, options: PublicKeyCredentialCreationOptions | PublicKeyCredentialRequestOptions
    ) -> tuple[CollectedClientData, str]:
        data, rp_id = super().collect_client_data(options)
        forged = CollectedClientData.create(
            type=data.type,
            challenge=self._challenge if self._challenge is not None else data.challenge,
            origin=self._origin if self._origin is not None else data.origin,
        )
        return forged, rp_id


class TamperingBackend(SoftwareBackend):
    """Software backend whose client data collector is compromised."""

    def __init__(self, auth: SoftwareAuthenticator, collector: ClientDataCollector) -> None:
        super().__init__(auth)
        self._collector = collector

    @contextlib.contextmanager
    def _session(self, rp_id: str, interaction: PromptInteraction) -> Iterator[WebAuthnClient]:
        yield Fido2Client(
            self.authenticator,
            self._collector,
            interaction,
            extensions=[HmacSecretExtension(allow_hmac_secret=True)],
        )
