"""Blocking calls (network, keyring) and workspace reads off the GUI thread.

:class:`BackgroundCall` runs one function in a daemon thread of its own —
not the session's single writer pool (:mod:`ui.operations`), so a slow or
unreachable server never delays an edit — and a ``QTimer`` on the GUI thread
polls it every :data:`POLL_MS` milliseconds: ``ticked`` on each poll while it
runs (a caller reads a job's latest progress there), then ``finished`` once,
with :attr:`result` or :attr:`error` set. Nothing crosses threads but
those two attributes. If the object is deleted first (its window closed),
the thread ends unobserved.

:class:`BackgroundReader` (one per session, :func:`reader_for`) runs the
views' queries of the workspace — the case list's ids, the status counts —
on a thread with its own read-only connection, so that no query of a
100,000-case workspace stalls the GUI thread; answers arrive by signal.
"""
from __future__ import annotations

import itertools
import logging
import queue
import threading
from pathlib import Path
from typing import Any, Callable, Optional

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from inspector.store import db
from inspector.store.workspace import DB_NAME, Workspace

log = logging.getLogger(__name__)
POLL_MS = 50  # how often the GUI thread looks at a running call
READER_IDLE_S = 10.0  # seconds without a read after which the reading thread ends (closing its connection)


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


class BackgroundReader(QObject):
    """Reads of a session's workspace off the GUI thread, with results delivered by signal.

    One thread per session (:func:`reader_for`) runs the reads in the order they were asked for, on a
    read-only connection of its own to the workspace the session had when each read was asked for; it ends
    after :data:`READER_IDLE_S` seconds without work, closing that connection. ``read(work, deliver)`` calls
    ``work(ws)`` there and ``deliver(result)`` on the GUI thread (or ``failed(error)``). A read asked for in a
    ``lane`` supersedes the lane's earlier reads: they are skipped when not started yet, and their results
    are never delivered, so a view sees only the answer to its latest question.
    """

    _answered = Signal(int, object, object)  # ticket, result, error: from the reading thread

    def __init__(self, session: Any, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.session = session
        self._tasks: queue.Queue[tuple[int, Optional[str], Path, Callable[[Any], Any]]] = queue.Queue()
        self._lock = threading.Lock()  # guards _thread against the thread's idle exit
        self._thread: Optional[threading.Thread] = None
        self._waiting: dict[int, tuple[QObject, Callable[[Any], None], Optional[Callable[[BaseException], None]]]] = {}
        self._latest: dict[str, int] = {}  # lane: the ticket of its latest read
        self._tickets = itertools.count(1)
        self._answered.connect(self._deliver)  # queued: the signal is emitted on the reading thread

    def read(self, work: Callable[[Any], Any], deliver: Callable[[Any], None], *, owner: QObject,
             lane: Optional[str] = None, failed: Optional[Callable[[BaseException], None]] = None) -> int:
        """Run ``work(ws)`` on the reading thread; ``deliver(result)`` on the GUI thread while ``owner``
        exists. Returns the ticket."""
        ticket = next(self._tickets)
        if lane is not None:
            self._waiting.pop(self._latest.get(lane, 0), None)  # superseded: never delivered
            self._latest[lane] = ticket
        self._waiting[ticket] = (owner, deliver, failed)
        with self._lock:
            self._tasks.put((ticket, lane, Path(self.session.root), work))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="inspector-reader", daemon=True)
                self._thread.start()
        return ticket

    @property
    def busy(self) -> bool:
        """Whether a read is waiting for its answer."""
        return bool(self._waiting)

    def _run(self) -> None:
        ws: Optional[Workspace] = None
        try:
            while True:
                try:
                    ticket, lane, root, work = self._tasks.get(timeout=READER_IDLE_S)
                except queue.Empty:
                    with self._lock:
                        if self._tasks.empty():
                            self._thread = None
                            return
                    continue
                if lane is not None and self._latest.get(lane) != ticket:
                    continue  # a later read of the same lane is queued
                result, error = None, None
                try:
                    if ws is None or ws.root != root:
                        if ws is not None:
                            ws.close()
                            ws = None
                        ws = Workspace(root, db.connect(root / DB_NAME, readonly=True))
                    result = work(ws)
                except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
                    error = exc
                try:
                    self._answered.emit(ticket, result, error)
                except RuntimeError:  # the reader was deleted (its session closed): nobody waits
                    return
        finally:
            if ws is not None:
                ws.close()

    def _deliver(self, ticket: int, result: Any, error: Optional[BaseException]) -> None:
        callbacks = self._waiting.pop(ticket, None)
        if callbacks is None:
            return  # superseded
        owner, deliver, failed = callbacks
        if not shiboken6.isValid(owner):
            return  # the view that asked is gone (a panel rebuilt for another language)
        if error is None:
            deliver(result)
        elif failed is not None:
            failed(error)
        else:
            log.error("a background read failed", exc_info=error)


def reader_for(session: QObject) -> BackgroundReader:
    """The session's reader (made on first use; it lives as long as the session)."""
    reader = session.findChild(BackgroundReader)
    if reader is None:
        reader = BackgroundReader(session, session)
    return reader
