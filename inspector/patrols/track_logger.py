"""The track logger: GNSS fixes in, filtered track points durably out, one commit per point.

:class:`TrackLogger` takes the fixes of a running patrol (:meth:`TrackLogger.offer`) and keeps a fix as a
track point when it is good and far enough:

- its quality passes the capture rule (:func:`inspector.geo.gnss.capture_problem`: a satellite fix whose
  accuracy is known and within the threshold, :data:`DEFAULT_TRACK_MAX_ACCURACY_M` unless given);
- it is at least :data:`MIN_SPACING_M` from the last kept point of the segment (standing still writes
  nothing; the first point of a segment is always kept).

Each kept point is committed in its own transaction (WAL, ``synchronous=FULL``: on disk before
:meth:`offer` returns), so killing the process loses no point it logged. A logger attached to a patrol that
already has points — resumed after a pause or after the app was killed — starts a new segment, so that the
distance never bridges time nobody observed. The logger holds no Qt: the GUI runs it on a worker thread with
its own connection (:func:`inspector.store.db.connect`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from inspector.geo.gnss import GnssFix, capture_problem
from inspector.patrols.patrols import RUNNING, resolve_patrol, utc_text
from inspector.patrols.track_blob import quantized
from inspector.patrols.track_geometry import step_length_m
from inspector.store.db import Connection, atomic

MIN_SPACING_M = 5.0  # metres between kept points of a segment
DEFAULT_TRACK_MAX_ACCURACY_M = 20.0  # metres: fixes worse than this are not logged


@dataclass(frozen=True)
class TrackPoint:
    """One kept point, as committed."""

    seq: int
    segment: int
    lon: float
    lat: float
    time_utc: str


class TrackLogger:
    """Logs the fixes of one running patrol (see the module docstring)."""

    def __init__(self, conn: Connection, patrol_uuid: str, *,
                 max_accuracy_m: float = DEFAULT_TRACK_MAX_ACCURACY_M, min_spacing_m: float = MIN_SPACING_M) -> None:
        row = resolve_patrol(conn, patrol_uuid)
        self.conn = conn
        self.patrol_uuid = row["uuid"]
        self.patrol_id: int = row["id"]
        self.max_accuracy_m = max_accuracy_m
        self.min_spacing_m = min_spacing_m
        last = conn.execute("SELECT max(seq), max(segment), count(*) FROM patrol_points WHERE patrol_id = ?",
                            (self.patrol_id,)).fetchone()
        self.last_seq: int = last[0] or 0
        self.segment: int = (last[1] + 1) if last[1] is not None else 1
        self.point_count: int = last[2]
        self.segment_distance_m = 0.0  # metres logged in this logger's segment
        self.refused = 0  # fixes below the quality threshold
        self.skipped = 0  # fixes within the spacing of the last point
        self._last: Optional[tuple[float, float]] = None

    def offer(self, fix: GnssFix) -> Optional[TrackPoint]:
        """Keep ``fix`` as the next track point if it passes the filters (committed before returning)."""
        if capture_problem(fix, self.max_accuracy_m) is not None:
            self.refused += 1
            return None
        lon, lat, hdop, accuracy, altitude = quantized(fix.lon, fix.lat, fix.hdop, fix.accuracy_m, fix.altitude_m)
        step = 0.0
        if self._last is not None:
            step = step_length_m(self._last[0], self._last[1], lon, lat)
            if step < self.min_spacing_m:
                self.skipped += 1
                return None
        when = fix.time_utc or dt.datetime.now(dt.timezone.utc)
        point = TrackPoint(self.last_seq + 1, self.segment, lon, lat, utc_text(when))
        satellites = fix.satellites if fix.satellites is not None and 0 <= fix.satellites <= 127 else None
        with atomic(self.conn):
            status = self.conn.execute("SELECT status FROM patrols WHERE id = ?", (self.patrol_id,)).fetchone()
            if status is None or status[0] != RUNNING:
                return None
            self.conn.execute(
                "INSERT INTO patrol_points (patrol_id, seq, segment, lon, lat, time_utc, fix_type, satellites, "
                "hdop, accuracy_m, altitude_m) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (self.patrol_id, point.seq, point.segment, lon, lat, point.time_utc, fix.fix_type, satellites,
                 hdop, accuracy, altitude))
        self.last_seq = point.seq
        self.point_count += 1
        self.segment_distance_m += step
        self._last = (lon, lat)
        return point

