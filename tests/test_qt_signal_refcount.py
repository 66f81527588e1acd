"""The installed PySide6 does not corrupt Python's reference counts when Python code emits a signal.

PySide6 6.12.0 drops one reference to ``True`` per ``Signal.emit()`` from Python; a field session emitting a
position per GNSS fix then aborts the process with "Fatal Python error: bool_dealloc". The version range in
pyproject.toml excludes it; this test keeps any other version that does the same out.
"""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

EMITS = 100  # enough for a per-emit leak to show; far below the count that aborts the process


class _Emitter(QObject):
    with_value = Signal(object)
    bare = Signal()


def test_emitting_signals_from_python_keeps_reference_counts(qapp):
    emitter, received = _Emitter(), []
    emitter.with_value.connect(received.append)
    emitter.bare.connect(lambda: received.append(None))
    before = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    for index in range(EMITS):
        emitter.with_value.emit(index)
        emitter.bare.emit()
    after = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    assert len(received) == 2 * EMITS
    assert after[0] - before[0] == 0 and after[1] - before[1] == 0, (before, after)
    assert after[2] - before[2] == EMITS  # None: exactly the references the received list holds (one per bare emit)
