"""Blocking calls (network, keyring) off the GUI thread: start, poll, finish on the GUI thread.

:class:`BackgroundCall` runs one function in a daemon thread of its own —
not the session's single writer pool (:mod:`ui.operations`), so a slow or
unreachable server never delays an edit — and a ``QTimer`` on the GUI thread
polls it every :data:`POLL_MS` milliseconds: ``ticked`` on each poll while it
runs (a caller reads a job's latest progress there), then ``finished`` once,
with :attr:`result` or :attr:`error` set. Nothing crosses threads but
those two attributes. If the object is deleted first (its window closed),
the thread ends unobserved.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, QTimer, Signal

POLL_MS = 50  # how often the GUI thread looks at a running call


class BackgroundCall(QObject):
    """``work()`` in a daemon thread; ``finished(self)`` on the GUI thread when it returned or raised."""

    ticked = Signal()
    finished = Signal(object)

    def __init__(self, work: Callable[[], Any], parent: Optional[QObject] = None, *,
                 name: str = "inspector-background") -> None:
        super().__init__(parent)
        self.work = work
        self.result: Any = None
        self.error: Optional[BaseException] = None
        self.done = False  # set on the GUI thread when ``finished`` is emitted
        self.thread = threading.Thread(target=self._target, name=name, daemon=True)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    def start(self) -> "BackgroundCall":
        self.thread.start()
        self._timer.start()
        return self

    @property
    def running(self) -> bool:
        return self.thread.ident is not None and not self.done

    def _target(self) -> None:
        try:
            self.result = self.work()
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread through .error
            self.error = exc

    def _poll(self) -> None:
        if self.thread.is_alive():
            self.ticked.emit()
            return
        self._timer.stop()
        self.done = True
        self.finished.emit(self)
