"""The FIDO2 factor of user slots: enrollment for a new slot, and the key step of a login.

Real registers use a hardware key (Windows Hello / USB) chosen by ``select_backend``; the software
authenticator is used only for demo registers (its state lives in the demo folder) and in tests,
which pass their own :class:`KeyAccess`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import AuthError
from app.security.fido import (
    DEFAULT_RP_ID,
    Enrollment,
    Fido2Backend,
    FidoPrompt,
    FidoUnknownCredential,
    RecordingPrompt,
    SoftwareBackend,
    UnlockResult,
    enroll_with_secret,
    select_backend,
)
from app.security.fido.software_state import SOFTWARE_AAGUID
from app.security.keyslots import KeySlotFile, Secrets, Slot, UnwrappedKeys
from app.security.sign_counts import SignCountMarks
from app.store.layout import RegisterLayout

DEMO_KEY_NOTICE = "デモ台帳のため、デモ用ソフトウェアキーを自動で使用します（実機のキーは不要）。"


@dataclass
class KeyAccess:
    """How to reach the person's security key: a backend, a prompt, the relying-party id."""

    backend: Fido2Backend
    prompt: FidoPrompt = field(default_factory=RecordingPrompt)
    rp_id: str = DEFAULT_RP_ID


KeyFactory = Callable[[], "KeyAccess"]  # a test seam: the key to use instead of a device


def key_access_for(layout: RegisterLayout, demo: bool, prompt: FidoPrompt | None) -> KeyAccess:
    """The demo software key for demo registers; otherwise the first available hardware key."""
    if demo:
        # Say once that the demo key is used; its own "touch" prompts need no one, so they go
        # to a silent recorder rather than the person.
        (prompt or RecordingPrompt()).show_message(DEMO_KEY_NOTICE)
        return KeyAccess(SoftwareBackend(state_path=layout.demo_authenticator), RecordingPrompt())
    if prompt is None:
        raise ValueError("a prompt is needed to talk to a hardware key")
    return KeyAccess(select_backend(allow_software=False), prompt)


class SoftwareKeyRefused(AuthError):
    code = "E_FIDO_SOFTWARE_REFUSED"
    message_ja = (
        "ソフトウェア認証器（デモ用）は実台帳では登録できません。"
        "セキュリティキーまたは Windows Hello を使用してください。"
    )


class SyncedKeyRefused(AuthError):
    code = "E_FIDO_SYNCED_REFUSED"
    message_ja = (
        "同期されるパスキー（クラウドにバックアップされる資格情報）は登録できません。"
        "この端末専用のセキュリティキーを使用するか、管理者に設定の確認を依頼してください。"
    )


@dataclass(frozen=True, slots=True)
class EnrolmentPolicy:
    """What a new key may be. ``demo``: the register is a demo one (the demo software key is
    its key). ``allow_synced``: an administrator allowed synced passkeys (BE/BS flags)."""

    demo: bool
    allow_synced: bool = False


def _is_software(backend: Fido2Backend) -> bool:
    return backend.name == SoftwareBackend.name or isinstance(backend, SoftwareBackend)


def enroll_factor(
    key: KeyAccess, user_uid: bytes, login: str, policy: EnrolmentPolicy
) -> tuple[dict[str, Any], bytes]:
    """Enroll a new credential for ``login``; return the slot factor and the PRF output.

    On a real register the software authenticator is refused, by its backend before the device
    is asked and by its AAGUID afterwards; a credential flagged backup-eligible or backed up
    (a synced passkey) is refused unless the administrator's policy allows it (issue 11 item
    10). The UI and CLI refuse these too; this is the check that holds for every caller."""
    if not policy.demo and _is_software(key.backend):
        raise SoftwareKeyRefused()
    enrollment, result = enroll_with_secret(key.backend, key.rp_id, user_uid, login, key.prompt)
    if not policy.demo and (
        enrollment.aaguid == SOFTWARE_AAGUID or enrollment.backend == SoftwareBackend.name
    ):
        raise SoftwareKeyRefused()
    if (enrollment.backup_eligible or enrollment.backed_up) and not policy.allow_synced:
        raise SyncedKeyRefused()
    return {"type": "fido2", **enrollment.to_json_dict()}, result.prf_output


def unlock_slot(ks: KeySlotFile, slots: list[Slot], key: KeyAccess) -> tuple[Slot, bytes, int]:
    """Ask the key for an assertion over the user's enrolled credentials (UV required, verified
    by the app against the stored sign count); return the matching slot, the PRF output and the
    new sign count. Nothing is written here: :func:`open_slot` stores the count once the slot has
    opened (the count is authenticated by the slot's AAD)."""
    enrolled: list[tuple[Slot, dict[str, Any], Enrollment]] = []
    for slot in slots:
        factor = slot.fido_factor()
        if factor is not None:
            data = {k: v for k, v in factor.items() if k != "type"}
            enrolled.append((slot, factor, Enrollment.from_json_dict(data)))
    if not enrolled:
        raise FidoUnknownCredential()
    result = key.backend.unlock(key.rp_id, [e for _, _, e in enrolled], key.prompt)
    for slot, _factor, enrollment in enrolled:
        if enrollment.credential_id == result.credential_id:
            return slot, result.prf_output, result.sign_count
    raise FidoUnknownCredential()


def open_slot(
    ks: KeySlotFile,
    slots: list[Slot],
    key: KeyAccess,
    *,
    password: str,
    terminal_secret: bytes,
    marks: SignCountMarks | None = None,
) -> UnwrappedKeys:
    """The key step and the unwrap of one login: assertion, unwrap (which checks the stored sign
    count through the AAD), the stored count against this terminal's high-water mark (an older
    copy of the whole file), then the new count is committed under the file lock (a slot removed
    meanwhile is refused, never written back) and remembered."""
    slot, fido_output, sign_count = unlock_slot(ks, slots, key)
    keys = ks.unwrap(
        slot, Secrets(password=password, terminal_secret=terminal_secret, fido_output=fido_output)
    )
    if marks is not None:
        marks.check(slot.slot_id, slot.sign_count() or 0)
    ks.commit_sign_count(slot, keys, sign_count)
    if marks is not None:
        marks.record(slot.slot_id, sign_count)
    return keys


class CancellableBackend(Fido2Backend):
    """A backend whose every device call gets ``cancel``: the UI's Cancel button sets it and a
    wait for a touch or a fingerprint ends with E_FIDO_CANCELLED. ``inner`` may be a callable so
    that the real device is looked for only when the key step starts (after the lockout check)."""

    def __init__(
        self, inner: Fido2Backend | Callable[[], Fido2Backend], cancel: threading.Event
    ) -> None:
        self._inner = inner
        self._cancel = cancel
        # the device is stored under the real backend's name (``inner.enroll`` does that)
        self.name = inner.name if isinstance(inner, Fido2Backend) else "auto"

    def _backend(self) -> Fido2Backend:
        if not isinstance(self._inner, Fido2Backend):
            self._inner = self._inner()
        return self._inner

    def is_available(self) -> tuple[bool, str]:
        return self._backend().is_available()

    def enroll(
        self,
        rp_id: str,
        user_id: bytes,
        user_name: str,
        prompt: FidoPrompt,
        *,
        cancel: threading.Event | None = None,
    ) -> Enrollment:
        return self._backend().enroll(
            rp_id, user_id, user_name, prompt, cancel=cancel or self._cancel
        )

    def unlock(
        self,
        rp_id: str,
        enrollments: list[Enrollment],
        prompt: FidoPrompt,
        *,
        cancel: threading.Event | None = None,
    ) -> UnlockResult:
        return self._backend().unlock(rp_id, enrollments, prompt, cancel=cancel or self._cancel)


def key_access(
    directory: Path,
    demo: bool,
    prompt: FidoPrompt,
    cancel: threading.Event,
    key_factory: KeyFactory | None = None,
) -> KeyAccess:
    """The security key for one key step: the injected one (tests), the demo software key (demo
    registers; shows the demo-key notice through ``prompt``) or the first hardware key."""
    if key_factory is not None:
        base = key_factory()
        return KeyAccess(CancellableBackend(base.backend, cancel), prompt, base.rp_id)
    if demo:
        # the notice goes to ``prompt``; the demo key's own touch prompts stay silent
        base = key_access_for(RegisterLayout(Path(directory)), True, prompt)
        return KeyAccess(CancellableBackend(base.backend, cancel), base.prompt, base.rp_id)
    return KeyAccess(
        CancellableBackend(lambda: select_backend(allow_software=False), cancel), prompt
    )
