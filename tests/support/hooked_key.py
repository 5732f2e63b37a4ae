"""A real (software) security key with something that happens around the key touch: tests of
what runs concurrently with a login that waits for the touch."""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.security.fido import Enrollment, Fido2Backend, FidoPrompt, UnlockResult


class HookedKey(Fido2Backend):
    """``inner`` with ``before`` called as the touch starts and ``after`` once it is done."""

    name = "software"

    def __init__(
        self,
        inner: Fido2Backend,
        *,
        before: Callable[[], None] | None = None,
        after: Callable[[], None] | None = None,
    ) -> None:
        self.inner, self.before, self.after = inner, before, after

    def is_available(self) -> tuple[bool, str]:
        return self.inner.is_available()

    def enroll(
        self,
        rp_id: str,
        user_id: bytes,
        user_name: str,
        prompt: FidoPrompt,
        *,
        cancel: threading.Event | None = None,
    ) -> Enrollment:
        return self.inner.enroll(rp_id, user_id, user_name, prompt, cancel=cancel)

    def unlock(
        self,
        rp_id: str,
        enrollments: list[Enrollment],
        prompt: FidoPrompt,
        *,
        cancel: threading.Event | None = None,
    ) -> UnlockResult:
        if self.before is not None:
            self.before()
        result = self.inner.unlock(rp_id, enrollments, prompt, cancel=cancel)
        if self.after is not None:
            self.after()
        return result
