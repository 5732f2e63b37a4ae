"""Emit a Qt signal from Python without the PySide6 6.12 reference leak on ``True``.

With PySide6 6.12 on CPython 3.11, every ``SignalInstance.emit()`` returns ``True`` without taking
a reference to it, so each emit takes one reference away from ``True``. After a few hundred
emits the interpreter aborts with "Fatal Python error: bool_dealloc: deallocating True or False"
(CPython 3.12 and later make ``True`` immortal, where the missing reference is harmless).

``emit`` detects the leak once at import (a probe signal emitted a few times) and, only where it
is present, gives the reference back after each emit. Everything in app/ui emits through it.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any, Final

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBE_EMITS: Final = 16


class _Probe(QObject):
    fired = Signal()


def _emit_leaks_true() -> bool:
    probe = _Probe()
    try:
        for _ in range(3):  # another thread could disturb one measurement; take any clean one
            before = sys.getrefcount(True)
            for _ in range(_PROBE_EMITS):
                probe.fired.emit()
            lost = before - sys.getrefcount(True)
            if lost == 0:
                return False
            if lost == _PROBE_EMITS:
                _give_back_true(_PROBE_EMITS)
                return True
        return False
    finally:
        probe.deleteLater()


def _give_back_true(count: int) -> None:
    for _ in range(count):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))


EMIT_LEAKS_TRUE: Final = _emit_leaks_true()


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)``, safe to call any number of times from any thread."""
    signal.emit(*args)
    if EMIT_LEAKS_TRUE:
        _give_back_true(1)
