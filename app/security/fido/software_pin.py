"""The software authenticator's user verification and clientPIN (key agreement, PIN and UV
tokens, PIN/UV auth protocols 1 and 2): a mixin of ``SoftwareAuthenticator`` (see
``software.py``), kept apart so each module stays small.

SOFTWARE AUTHENTICATOR: TESTS AND DEMO REGISTERS ONLY."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from fido2.ctap import STATUS, CtapError

from app.security.fido import software_state as st
from app.security.fido.software_state import SoftwareState

ERR = CtapError.ERR
_PERM_MC, _PERM_GA = 0x01, 0x02


class _Fail(Exception):
    def __init__(self, code: ERR) -> None:
        super().__init__(int(code))
        self.code = code


class PinMixin:
    """User presence, built-in UV and clientPIN for ``SoftwareAuthenticator``."""

    _state: SoftwareState
    _ka_key: ec.EllipticCurvePrivateKey
    _token: bytes | None
    _token_perms: int
    _token_rp: str | None
    uv: bool
    refuse_uv: bool

    def _save(self) -> None:
        raise NotImplementedError  # SoftwareAuthenticator writes its state file

    # --- user presence / verification simulation -------------------------------------------

    @staticmethod
    def _user_presence(
        event: threading.Event | None, on_keepalive: Callable[[STATUS], None] | None
    ) -> None:
        if on_keepalive is not None:
            on_keepalive(STATUS.UPNEEDED)
        if event is not None and event.is_set():
            raise _Fail(ERR.KEEPALIVE_CANCEL)

    def _built_in_uv(
        self, event: threading.Event | None, on_keepalive: Callable[[STATUS], None] | None
    ) -> None:
        if not self.uv:
            raise _Fail(ERR.UNSUPPORTED_OPTION)
        self._user_presence(event, on_keepalive)  # the finger on the sensor is also a touch
        if self.refuse_uv:
            raise _Fail(ERR.UV_INVALID)

    # --- clientPIN (key agreement, UV token, PIN token) -------------------------------------

    def _shared_secret(self, protocol: int, peer: Mapping[Any, Any]) -> bytes:
        return st.shared_secret(self._ka_key, protocol, peer)

    def _issue_token(
        self, protocol: int, shared: bytes, perms: int, rp_id: str | None
    ) -> Mapping[Any, Any]:
        self._token = os.urandom(32)
        self._token_perms = perms if perms else _PERM_MC | _PERM_GA
        self._token_rp = rp_id
        return {2: st.pin_encrypt(protocol, shared, self._token)}

    def _client_pin(
        self,
        params: Mapping[Any, Any],
        event: threading.Event | None,
        on_keepalive: Callable[[STATUS], None] | None,
    ) -> Mapping[Any, Any]:
        protocol, sub = params[1], params[2]
        if sub == 0x01:
            return {3: self._state.pin_retries}
        if sub == 0x02:
            return {1: st.key_agreement_cose(self._ka_key)}
        if sub == 0x07:
            return {5: 3}
        shared = self._shared_secret(protocol, params[3])
        perms, rp_id = params.get(9, 0), params.get(10)
        if sub == 0x06:
            if not self.uv:
                raise _Fail(ERR.NOT_ALLOWED)
            self._built_in_uv(event, on_keepalive)
            return self._issue_token(protocol, shared, perms, rp_id)
        if sub in (0x05, 0x09):
            self._check_pin(protocol, shared, params[6])
            return self._issue_token(protocol, shared, perms, rp_id)
        raise _Fail(ERR.INVALID_SUBCOMMAND)

    def _check_pin(self, protocol: int, shared: bytes, pin_hash_enc: bytes) -> None:
        stored = self._state.pin_hash
        if stored is None:
            raise _Fail(ERR.PIN_NOT_SET)
        if self._state.pin_retries <= 0:
            raise _Fail(ERR.PIN_BLOCKED)
        self._state.pin_retries -= 1
        self._save()
        if st.pin_decrypt(protocol, shared, pin_hash_enc)[:16] != stored:
            self._ka_key = ec.generate_private_key(ec.SECP256R1())
            raise _Fail(ERR.PIN_BLOCKED if self._state.pin_retries <= 0 else ERR.PIN_INVALID)
        self._state.pin_retries = st.PIN_RETRIES_MAX
        self._save()

    def _check_token(
        self,
        params: Mapping[Any, Any],
        keys: tuple[int, int],
        perm: int,
        rp_id: str,
        client_data_hash: bytes,
    ) -> bool:
        """True when a valid pinUvAuthParam was given (that is user verification)."""
        auth_param = params.get(keys[0])
        if auth_param is None:
            return False
        protocol = params.get(keys[1])
        if protocol not in (1, 2):
            raise _Fail(ERR.MISSING_PARAMETER)
        if len(auth_param) == 0:
            raise _Fail(ERR.PIN_NOT_SET if self._state.pin_hash is None else ERR.PIN_INVALID)
        token = self._token
        if token is None or not st.pin_verify(protocol, token, client_data_hash, auth_param):
            raise _Fail(ERR.PIN_AUTH_INVALID)
        if not self._token_perms & perm or self._token_rp not in (None, rp_id):
            raise _Fail(ERR.PIN_AUTH_INVALID)
        return True

    def _uv_configured(self) -> bool:
        return self.uv or self._state.pin_hash is not None
