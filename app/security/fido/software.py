"""A software CTAP2 authenticator that python-fido2's real client talks to over CBOR.

SOFTWARE AUTHENTICATOR: TESTS AND DEMO REGISTERS ONLY. It has real P-256 keys, real hmac-secret
(PIN/UV auth protocols 1 and 2, ECDH key agreement, separate CredRandom with and without UV) and a
simulated fingerprint reader, so the production verification code runs unchanged against it. It
offers no protection of its own: its secret lives in memory or in a plain JSON file.

The test switches (``refuse_uv``, ``drop_uv_flag``, ``corrupt_signature``, ...) make it misbehave
the way a broken or malicious authenticator would.
"""

from __future__ import annotations

import hashlib
import os
import struct
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2 import cbor
from fido2.ctap import STATUS, CtapDevice, CtapError
from fido2.hid import CAPABILITY, CTAPHID

from app.security.fido import software_state as st
from app.security.fido.software_pin import _PERM_GA, _PERM_MC, ERR, PinMixin, _Fail
from app.security.fido.software_state import SOFTWARE_AAGUID, SoftwareState

_MC, _GA, _INFO, _PIN = 0x01, 0x02, 0x04, 0x06
_FLAG_UP, _FLAG_UV, _FLAG_AT, _FLAG_ED = 0x01, 0x04, 0x40, 0x80
_FLAG_BE, _FLAG_BS = 0x08, 0x10


class SoftwareAuthenticator(PinMixin, CtapDevice):
    """SOFTWARE AUTHENTICATOR: TESTS AND DEMO REGISTERS ONLY (see module docstring)."""

    def __init__(
        self,
        state_path: Path | None = None,
        *,
        uv: bool = True,
        pin: str | None = None,
        device_secret: bytes | None = None,
        hmac_secret: bool = True,
        refuse_uv: bool = False,
        drop_uv_flag: bool = False,
        drop_up_flag: bool = False,
        corrupt_signature: bool = False,
        wrong_rp_hash: bool = False,
        aaguid: bytes | None = None,
        synced: bool = False,
    ) -> None:
        self._lock = threading.Lock()
        self._path = state_path
        if state_path is not None and state_path.exists():
            if device_secret is not None:
                raise ValueError("state file exists; device_secret must not be given")
            self._state = st.load_state(state_path)
        else:
            secret = device_secret if device_secret is not None else os.urandom(32)
            if len(secret) != 32:
                raise ValueError("device secret must be 32 bytes")
            self._state = SoftwareState(device_secret=secret, aaguid=aaguid or SOFTWARE_AAGUID)
            if pin is not None:
                self._state.pin_hash = hashlib.sha256(pin.encode()).digest()[:16]
            self._save()
        self.uv = uv
        self.hmac_secret = hmac_secret
        self.refuse_uv = refuse_uv
        self.drop_uv_flag = drop_uv_flag
        self.drop_up_flag = drop_up_flag
        self.corrupt_signature = corrupt_signature
        self.wrong_rp_hash = wrong_rp_hash
        self.synced = synced  # test switch: register with the BE/BS flags of a synced passkey
        self._ka_key = ec.generate_private_key(ec.SECP256R1())  # regenerated per "power-up"
        self._token: bytes | None = None
        self._token_perms = 0
        self._token_rp: str | None = None

    # --- CtapDevice -----------------------------------------------------------------------

    @property
    def capabilities(self) -> int:
        return int(CAPABILITY.CBOR | CAPABILITY.NMSG)

    @classmethod
    def list_devices(cls) -> Iterator[CtapDevice]:
        return iter(())  # never discoverable: only reachable when code constructs it

    def call(
        self,
        cmd: int,
        data: bytes = b"",
        event: threading.Event | None = None,
        on_keepalive: Callable[[STATUS], None] | None = None,
    ) -> bytes:
        if cmd != CTAPHID.CBOR:
            raise CtapError(ERR.INVALID_COMMAND)
        with self._lock:
            try:
                response = self._dispatch(data, event, on_keepalive)
            except _Fail as failure:
                return bytes([int(failure.code)])
            except (ValueError, TypeError, KeyError, IndexError):
                return bytes([int(ERR.INVALID_PARAMETER)])
        return b"\x00" + (cbor.encode(response) if response is not None else b"")

    # --- state helpers for tests and demos ------------------------------------------------

    @property
    def sign_count(self) -> int:
        return self._state.sign_count

    @sign_count.setter
    def sign_count(self, value: int) -> None:
        """Test switch: set the counter (e.g. back to 0 to act like a clone)."""
        self._state.sign_count = value
        self._save()

    def clone(self) -> SoftwareAuthenticator:
        """A copy with the same secret and counter (in memory), like a cloned key."""
        twin = SoftwareAuthenticator(device_secret=self._state.device_secret, uv=self.uv)
        twin._state.sign_count = self._state.sign_count
        twin._state.pin_hash = self._state.pin_hash
        return twin

    def _save(self) -> None:
        if self._path is not None:
            st.save_state_atomic(self._path, self._state)

    # --- command dispatch -----------------------------------------------------------------

    def _dispatch(
        self,
        data: bytes,
        event: threading.Event | None,
        on_keepalive: Callable[[STATUS], None] | None,
    ) -> Mapping[Any, Any] | None:
        if not data:
            raise _Fail(ERR.INVALID_LENGTH)
        command, body = data[0], data[1:]
        params: Mapping[Any, Any] = {}
        if body:
            decoded = cbor.decode(body)
            if not isinstance(decoded, Mapping):
                raise _Fail(ERR.CBOR_UNEXPECTED_TYPE)
            params = decoded
        if command == _INFO:
            return self._get_info()
        if command == _PIN:
            return self._client_pin(params, event, on_keepalive)
        if command == _MC:
            return self._make_credential(params, event, on_keepalive)
        if command == _GA:
            return self._get_assertion(params, event, on_keepalive)
        raise _Fail(ERR.INVALID_COMMAND)

    def _get_info(self) -> Mapping[Any, Any]:
        options: dict[str, bool] = {"rk": False, "up": True, "plat": False}
        if self.uv:
            options["uv"] = True
        if self._state.pin_hash is not None:
            options["clientPin"] = True
        options["pinUvAuthToken"] = True
        return {
            1: ["FIDO_2_0", "FIDO_2_1"],
            2: ["hmac-secret"] if self.hmac_secret else [],
            3: self._state.aaguid,
            4: options,
            5: 2048,
            6: [2, 1],
            7: 8,
            8: 128,
            9: ["usb"],
            10: [{"alg": -7, "type": "public-key"}],
        }

    # --- makeCredential / getAssertion ---------------------------------------------------

    def _rp_hash(self, rp_id: str) -> bytes:
        value = "evil.example" if self.wrong_rp_hash else rp_id
        return hashlib.sha256(value.encode("utf-8")).digest()

    def _next_count(self) -> int:
        self._state.sign_count += 1
        self._save()
        return self._state.sign_count

    def _sign(self, key: ec.EllipticCurvePrivateKey, message: bytes) -> bytes:
        signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
        if self.corrupt_signature:
            signature = signature[:-1] + bytes([signature[-1] ^ 0x01])
        return signature

    def _make_credential(
        self,
        params: Mapping[Any, Any],
        event: threading.Event | None,
        on_keepalive: Callable[[STATUS], None] | None,
    ) -> Mapping[Any, Any]:
        client_data_hash, rp, user, algs = params[1], params[2], params[3], params[4]
        rp_id = rp["id"]
        if len(client_data_hash) != 32 or not user.get("id"):
            raise _Fail(ERR.INVALID_PARAMETER)
        options = params.get(7) or {}
        if options.get("rk") or options.get("up") is False:
            raise _Fail(ERR.UNSUPPORTED_OPTION)
        uv = self._check_token(params, (8, 9), _PERM_MC, rp_id, client_data_hash)
        if not uv and options.get("uv"):
            self._built_in_uv(event, on_keepalive)
            uv = True
        if not uv and self._uv_configured():
            raise _Fail(ERR.PUAT_REQUIRED)
        if not any(p.get("type") == "public-key" and p.get("alg") == -7 for p in algs):
            raise _Fail(ERR.UNSUPPORTED_ALGORITHM)
        real_hash = hashlib.sha256(rp_id.encode("utf-8")).digest()
        secret = self._state.device_secret
        for excluded in params.get(5) or []:
            if st.open_credential_id(secret, real_hash, excluded["id"]) is not None:
                self._user_presence(event, on_keepalive)
                raise _Fail(ERR.CREDENTIAL_EXCLUDED)
        want_hmac = self.hmac_secret and (params.get(6) or {}).get("hmac-secret") is True
        self._user_presence(event, on_keepalive)
        cred_id = st.make_credential_id(secret, real_hash, st.FLAG_HMAC_SECRET if want_hmac else 0)
        key = st.derive_private_key(secret, cred_id, real_hash)
        numbers = key.public_key().public_numbers()
        cose = {
            1: 2,
            3: -7,
            -1: 1,
            -2: numbers.x.to_bytes(32, "big"),
            -3: numbers.y.to_bytes(32, "big"),
        }
        attested = self._state.aaguid + struct.pack(">H", len(cred_id)) + cred_id
        attested += cbor.encode(cose)
        flags = _FLAG_UP | _FLAG_AT | (_FLAG_UV if uv else 0) | (_FLAG_ED if want_hmac else 0)
        flags |= _FLAG_BE | _FLAG_BS if self.synced else 0
        ext = cbor.encode({"hmac-secret": True}) if want_hmac else b""
        auth_data = self._rp_hash(rp_id) + struct.pack(">BI", flags, self._next_count())
        auth_data += attested + ext
        att_stmt = {"alg": -7, "sig": self._sign(key, auth_data + client_data_hash)}
        return {1: "packed", 2: auth_data, 3: att_stmt}

    def _hmac_secret_output(
        self, ext_input: Mapping[Any, Any], cred_id: bytes, rp_hash: bytes, uv: bool
    ) -> bytes:
        protocol = ext_input.get(4, 1)
        shared = self._shared_secret(protocol, ext_input[1])
        salt_enc, salt_auth = ext_input[2], ext_input[3]
        if not st.pin_verify(protocol, shared, salt_enc, salt_auth):
            raise _Fail(ERR.PIN_AUTH_INVALID)
        salts = st.pin_decrypt(protocol, shared, salt_enc)
        if len(salts) not in (32, 64):
            raise _Fail(ERR.INVALID_LENGTH)
        cred_random = st.derive_cred_random(self._state.device_secret, cred_id, rp_hash, uv)
        output = st.hmac_sha256(cred_random, salts[:32])
        if len(salts) == 64:
            output += st.hmac_sha256(cred_random, salts[32:])
        return st.pin_encrypt(protocol, shared, output)

    def _get_assertion(
        self,
        params: Mapping[Any, Any],
        event: threading.Event | None,
        on_keepalive: Callable[[STATUS], None] | None,
    ) -> Mapping[Any, Any]:
        rp_id, client_data_hash = params[1], params[2]
        if len(client_data_hash) != 32:
            raise _Fail(ERR.INVALID_PARAMETER)
        options = params.get(5) or {}
        up = options.get("up", True) is not False
        uv = self._check_token(params, (6, 7), _PERM_GA, rp_id, client_data_hash)
        if not uv and options.get("uv"):
            self._built_in_uv(event, on_keepalive)
            uv = True
        real_hash = hashlib.sha256(rp_id.encode("utf-8")).digest()
        secret = self._state.device_secret
        chosen: bytes | None = None
        cred_flags = 0
        for allowed in params.get(3) or []:
            found = st.open_credential_id(secret, real_hash, allowed["id"])
            if found is not None:
                chosen, cred_flags = bytes(allowed["id"]), found
                break
        if chosen is None:
            raise _Fail(ERR.NO_CREDENTIALS)
        if up:
            self._user_presence(event, on_keepalive)
        ext_out: dict[str, Any] = {}
        ext_in = (params.get(4) or {}).get("hmac-secret")
        if ext_in is not None and cred_flags & st.FLAG_HMAC_SECRET and up:
            ext_out["hmac-secret"] = self._hmac_secret_output(ext_in, chosen, real_hash, uv)
        flags = _FLAG_UP if up and not self.drop_up_flag else 0
        flags |= _FLAG_UV if uv and not self.drop_uv_flag else 0
        flags |= _FLAG_ED if ext_out else 0
        auth_data = self._rp_hash(rp_id) + struct.pack(">BI", flags, self._next_count())
        auth_data += cbor.encode(ext_out) if ext_out else b""
        key = st.derive_private_key(secret, chosen, real_hash)
        signature = self._sign(key, auth_data + client_data_hash)
        return {1: {"id": chosen, "type": "public-key"}, 2: auth_data, 3: signature}
