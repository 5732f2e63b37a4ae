"""Guard against a Qt binding that leaks a reference to ``True`` on every signal emit.

PySide6-Essentials 6.12.0 on CPython 3.11 does (after a few hundred emits the interpreter aborts
with "bool_dealloc: deallocating True or False"); pyproject.toml excludes that release. This test
fails if a binding with the leak is ever installed again.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

EMITS = 2_000  # more than the ~600 references True has at start-up


class _Sender(QObject):
    changed = Signal(object)
    ping = Signal()


def test_emits_leave_the_refcount_of_true_unchanged(qapp: object) -> None:
    sender = _Sender()
    received: list[int] = []
    sender.changed.connect(received.append)
    before = sys.getrefcount(True)
    for n in range(EMITS):
        sender.changed.emit(n)
        sender.ping.emit()
    after = sys.getrefcount(True)
    assert received == list(range(EMITS))
    assert abs(after - before) <= 2  # unrelated code may hold a reference or two for a moment
