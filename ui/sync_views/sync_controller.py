"""Sync from the GUI: start, progress, cancel and the outcome of a sync of the session's workspace.

:class:`SyncController` is the model the sync views wrap (the status bar
line, the result dialog, the login dialog). A sync — from the 同步 action or
the timer — reads the workspace's server settings on the GUI thread (none: a
quiet ``unconfigured``), then, off the GUI thread, asks the server's cheap
unauthenticated ``/info`` and the keyring for the token
(:func:`sync.settings.open_client`), and only then runs a
:class:`sync.job.SyncJob` (own thread, own workspace connection) in a
:class:`ui.background.BackgroundCall`. Progress is polled from the job;
:meth:`cancel` sets the job's cancel event, which it checks between requests.

Every attempt ends in one :class:`SyncOutcome`: ``done`` (with the report),
``offline`` (server unreachable: a quiet status, never a popup), ``login``
(no token, or the server refused it: log in again; local data is kept),
``cancelled``, ``failed`` (server error, refused request, untrusted TLS) or
``unconfigured``. Once a job ran, the session is told what the job's zone
and pull phases changed (the report's ``changes``, the core's
:class:`inspector.store.changes.Changes`), so the case list and the map
refresh exactly the cases pulled, and the 待同步 counter refreshes.

The timer syncs every :attr:`interval_min` minutes (and once shortly after
start) when a server is configured and answers; 0 turns it off. A sync that
is already running is never started twice.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject, QTimer, Signal

from sync.errors import AuthError, NetworkError, SyncCancelled, SyncError
from sync.job import SyncJob, SyncReport
from sync.settings import SyncSettings, load_settings, open_client
from ui.background import BackgroundCall
from ui.session import Session

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_MIN = 5.0  # minutes between automatic syncs
STARTUP_DELAY_MS = 3000  # first automatic sync after the window opened
OUTCOMES = ("done", "offline", "login", "cancelled", "failed", "unconfigured")


@dataclass(frozen=True)
class SyncOutcome:
    """How one sync attempt ended; ``report`` holds what got through even when it failed midway."""

    kind: str  # one of OUTCOMES
    manual: bool  # started by the user (dialogs) rather than the timer (status line only)
    report: Optional[SyncReport] = None
    error: Optional[BaseException] = None
    at: str = ""  # local time, HH:MM


def classify(error: BaseException) -> str:
    """The outcome kind for an error a sync raised."""
    if isinstance(error, SyncCancelled):
        return "cancelled"
    if isinstance(error, SyncError) and error.is_auth():
        return "login"
    if isinstance(error, NetworkError) and error.is_retryable():
        return "offline"
    return "failed"


class SyncController(QObject):
    """One sync at a time for the session's workspace; see the module docstring."""

    started = Signal()
    progress = Signal(str, int, int)  # phase ("connect", "blobs", "push", "zones", "pull", "verify"), done, total
    finished = Signal(object)  # SyncOutcome

    def __init__(self, session: Session, parent: Optional[QObject] = None, *,
                 interval_min: float = DEFAULT_INTERVAL_MIN) -> None:
        super().__init__(parent)
        self.session = session
        self.last: Optional[SyncOutcome] = None
        self.phase: Optional[tuple[str, int, int]] = None  # while running
        self.worker: Optional[BackgroundCall] = None  # the running probe or job
        self._job: Optional[SyncJob] = None
        self._latest: Optional[tuple[str, int, int]] = None  # written by the job's thread
        self._manual = False
        self._cancelled = False
        self._root: Optional[Path] = None
        self._settings: Optional[SyncSettings] = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._timed)
        self._startup = QTimer(self)
        self._startup.setSingleShot(True)
        self._startup.timeout.connect(self._timed)
        self.interval_min = 0.0
        self.set_interval(interval_min)
        if self.interval_min:
            self._startup.start(STARTUP_DELAY_MS)

    # -- control ---------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.worker is not None

    def set_interval(self, minutes: float) -> None:
        """Automatic sync every ``minutes`` (0: only when asked)."""
        self.interval_min = max(0.0, float(minutes))
        if self.interval_min:
            self.timer.start(int(self.interval_min * 60_000))
        else:
            self.timer.stop()
            self._startup.stop()

    def sync_now(self, *, manual: bool = True) -> bool:
        """Start a sync unless one runs; False when none was started (running, or no server configured).

        Asked by the user while a timed sync runs, that sync ends like a manual one (result dialog)."""
        if self.running:
            self._manual = self._manual or manual
            return False
        try:
            settings = load_settings(self.session.ws)
        except AuthError as exc:
            self._end(SyncOutcome("unconfigured", manual, error=exc, at=_now()))
            return False
        self._manual, self._cancelled, self._latest = manual, False, None
        self._root, self._settings = self.session.root, settings
        self.phase = ("connect", 0, 0)
        self.worker = BackgroundCall(lambda: open_client(settings, check_reachable=True), self,
                                     name="inspector-sync-connect")
        self.worker.finished.connect(self._connected)
        self.worker.start()
        self.started.emit()
        self.progress.emit(*self.phase)
        return True

    def cancel(self) -> None:
        self._cancelled = True
        if self._job is not None:
            self._job.cancel()

    def stop(self) -> None:
        """No more automatic syncs; a running one is cancelled (the window is closing)."""
        self.set_interval(0)
        self.cancel()

    # -- the phases, on the GUI thread ------------------------------------------------
    def _timed(self) -> None:
        self.sync_now(manual=False)

    def _connected(self, call: BackgroundCall) -> None:
        call.deleteLater()
        client = call.result
        if call.error is not None or self._cancelled:
            if client is not None:
                client.close()
            self.worker = None
            self._end(self._failure(call.error or SyncCancelled()))
            return
        assert self._root is not None and self._settings is not None
        job = SyncJob(self._root, client, actor=self._settings.user, progress=self._note)
        self._job = job

        def work() -> SyncReport:
            try:
                return job.run()
            finally:
                client.close()

        self.worker = BackgroundCall(work, self, name="inspector-sync")
        self.worker.ticked.connect(self._tick)
        self.worker.finished.connect(self._ran)
        self.worker.start()

    def _note(self, phase: str, done: int, total: int) -> None:
        """The job's progress callback (its own thread): only remember it; :meth:`_tick` shows it."""
        self._latest = (phase, done, total)

    def _tick(self) -> None:
        latest = self._latest
        if latest is not None and latest != self.phase:
            self.phase = latest
            self.progress.emit(*latest)

    def _ran(self, call: BackgroundCall) -> None:
        call.deleteLater()
        self._tick()
        job, self._job, self.worker = self._job, None, None
        assert job is not None
        if call.error is None:
            outcome = SyncOutcome("done", self._manual, report=job.report, at=_now())
        else:
            outcome = self._failure(call.error, job.report)
        if self._root == self.session.root:
            self.session.notify(job.report.changes)
        self._end(outcome)

    def _failure(self, error: BaseException, report: Optional[SyncReport] = None) -> SyncOutcome:
        kind = classify(error)
        if not isinstance(error, SyncError):
            log.error("sync failed", exc_info=error)
        return SyncOutcome(kind, self._manual, report=report, error=error, at=_now())

    def _end(self, outcome: SyncOutcome) -> None:
        self.phase = None
        self.last = outcome
        self.finished.emit(outcome)


def _now() -> str:
    return dt.datetime.now().strftime("%H:%M")

