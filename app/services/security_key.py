"""The FIDO2 factor of user slots: enrollment for a new slot, and the key step of a login.

Real registers use a hardware key (Windows Hello / USB) chosen by ``select_backend``; the software
authenticator is used only for demo registers (its state lives in the demo folder) and in tests,
which pass their own :class:`KeyAccess`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.security.fido import (
    DEFAULT_RP_ID,
    Enrollment,
    Fido2Backend,
    FidoPrompt,
    FidoUnknownCredential,
    RecordingPrompt,
    SoftwareBackend,
    enroll_with_secret,
    select_backend,
)
from app.security.keyslots import KeySlotFile, Slot
from app.store.layout import RegisterLayout

DEMO_KEY_NOTICE = "デモ台帳のため、デモ用ソフトウェアキーを自動で使用します（実機のキーは不要）。"


@dataclass
class KeyAccess:
    """How to reach the person's security key: a backend, a prompt, the relying-party id."""

    backend: Fido2Backend
    prompt: FidoPrompt = field(default_factory=RecordingPrompt)
    rp_id: str = DEFAULT_RP_ID


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


def enroll_factor(key: KeyAccess, user_uid: bytes, login: str) -> tuple[dict[str, Any], bytes]:
    """Enroll a new credential for ``login``; return the slot factor and the PRF output."""
    enrollment, result = enroll_with_secret(key.backend, key.rp_id, user_uid, login, key.prompt)
    return {"type": "fido2", **enrollment.to_json_dict()}, result.prf_output


def unlock_slot(ks: KeySlotFile, slots: list[Slot], key: KeyAccess) -> tuple[Slot, bytes]:
    """Ask the key for an assertion over the user's enrolled credentials (UV required, verified
    by the app), record the new sign count, and return the matching slot with the PRF output."""
    enrolled: list[tuple[Slot, dict[str, Any], Enrollment]] = []
    for slot in slots:
        factor = slot.fido_factor()
        if factor is not None:
            data = {k: v for k, v in factor.items() if k != "type"}
            enrolled.append((slot, factor, Enrollment.from_json_dict(data)))
    if not enrolled:
        raise FidoUnknownCredential()
    result = key.backend.unlock(key.rp_id, [e for _, _, e in enrolled], key.prompt)
    for slot, factor, enrollment in enrolled:
        if enrollment.credential_id == result.credential_id:
            factor["sign_count"] = result.sign_count
            ks.save()
            return slot, result.prf_output
    raise FidoUnknownCredential()
