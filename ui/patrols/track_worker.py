"""The track logger off the GUI thread: fixes in through a queue, committed points out through another.

:class:`TrackWorker` runs :class:`inspector.patrols.track_logger.TrackLogger` for one running stretch of a
patrol (from a start or resume until a pause or the end) in a daemon thread with its own connection to the
workspace database, so a commit (fsync, WAL) never holds up the GUI thread. The GUI thread only puts fixes
(:meth:`TrackWorker.offer`, never blocks) and takes the points committed since it last looked
(:meth:`TrackWorker.take_points`); :attr:`TrackWorker.figures` is the patrol's distance and point count so far
(replaced whole, so a reader on another thread sees a consistent pair). :func:`logged_track` reads the
track a patrol already has (after a pause, or after the app was killed) for the map, also off the GUI thread.
:meth:`TrackWorker.stop` asks it to log what is queued and close; :meth:`TrackWorker.join` waits for that
(call it off the GUI thread, e.g. in the job that then pauses or ends the patrol).
"""
from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from inspector.geo.gnss import GnssFix
from inspector.patrols.patrols import resolve_patrol, track_figures
from inspector.patrols.track_logger import TrackLogger
from inspector.store.db import connect

log = logging.getLogger(__name__)
_STOP = object()  # the sentinel that ends the thread's loop


@dataclass(frozen=True)
class DrawnPoint:
    """A committed point as the map draws it."""

    seq: int
    segment: int
    lon: float
    lat: float


@dataclass(frozen=True)
class Figures:
    """The patrol's track so far."""

    distance_m: float  # metres, geodesic, per segment
    points: int


def logged_track(db_path: Path, patrol_uuid: str) -> list[DrawnPoint]:
    """Every committed point of a patrol, in order (opens and closes its own connection)."""
    conn = connect(db_path, readonly=True)
    try:
        patrol_id = resolve_patrol(conn, patrol_uuid)["id"]
        return [DrawnPoint(*row) for row in conn.execute(
            "SELECT seq, segment, lon, lat FROM patrol_points WHERE patrol_id = ? ORDER BY seq", (patrol_id,))]
    finally:
        conn.close()


class TrackWorker:
    """Logs one running stretch of a patrol (see the module docstring)."""

    def __init__(self, db_path: Path, patrol_uuid: str, *, max_accuracy_m: Optional[float] = None) -> None:
        self.db_path, self.patrol_uuid = db_path, patrol_uuid
        self.max_accuracy_m = max_accuracy_m
        self.figures = Figures(0.0, 0)
        self.error: Optional[BaseException] = None
        self.offered = 0  # fixes put in by the GUI thread
        self.ready = threading.Event()  # set once the logger is attached and the old track is queued
        self._fixes: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._points: queue.SimpleQueue[list[DrawnPoint]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="inspector-track-logger", daemon=True)

    def start(self) -> "TrackWorker":
        self._thread.start()
        return self

    # -- the GUI thread's side -------------------------------------------------------------------------
    def offer(self, fix: GnssFix) -> None:
        """Queue a fix for logging (returns at once)."""
        self.offered += 1
        self._fixes.put(fix)

    def backlog(self) -> int:
        """Fixes queued and not yet looked at by the logger."""
        return self._fixes.qsize()

    def take_points(self) -> list[DrawnPoint]:
        """The points committed since the last call, in order."""
        taken: list[DrawnPoint] = []
        while True:
            try:
                taken.extend(self._points.get_nowait())
            except queue.Empty:
                return taken

    def stop(self) -> None:
        """Log what is queued, then close the connection and end the thread (returns at once)."""
        self._fixes.put(_STOP)

    def join(self, timeout: Optional[float] = None) -> bool:
        """Wait for the thread to end after :meth:`stop`; whether it did."""
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- the thread ------------------------------------------------------------------------------------
    def _run(self) -> None:
        conn = None
        try:
            conn = connect(self.db_path)
            patrol_id = resolve_patrol(conn, self.patrol_uuid)["id"]
            before = track_figures(conn, patrol_id)
            kwargs = {} if self.max_accuracy_m is None else {"max_accuracy_m": self.max_accuracy_m}
            logger = TrackLogger(conn, self.patrol_uuid, **kwargs)
            self.figures = Figures(float(before["distance_m"]), logger.point_count)
            self.ready.set()
            self._log(logger, float(before["distance_m"]))
        except BaseException as exc:  # noqa: BLE001 - reported to the GUI through .error
            log.exception("track logger stopped")
            self.error = exc
        finally:
            self.ready.set()
            if conn is not None:
                conn.close()

    def _log(self, logger: TrackLogger, distance_before_m: float) -> None:
        while True:
            item = self._fixes.get()
            if item is _STOP:
                return
            assert isinstance(item, GnssFix)
            point = logger.offer(item)
            if point is not None:
                self._points.put([DrawnPoint(point.seq, point.segment, point.lon, point.lat)])
                self.figures = Figures(distance_before_m + logger.segment_distance_m, logger.point_count)
