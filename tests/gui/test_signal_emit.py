"""The emit helper gives back the reference PySide6 6.12 takes from ``True`` on each emit."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from app.ui.signal_emit import emit

EMITS = 2_000  # more than the ~600 references True has at start-up


class _Sender(QObject):
    changed = Signal(object)


def test_many_emits_leave_the_refcount_of_true_unchanged(qapp: object) -> None:
    sender = _Sender()
    received: list[int] = []
    sender.changed.connect(received.append)
    before = sys.getrefcount(True)
    for n in range(EMITS):
        emit(sender.changed, n)
    after = sys.getrefcount(True)
    assert received == list(range(EMITS))
    assert abs(after - before) <= 2  # unrelated code may hold a reference or two for a moment
