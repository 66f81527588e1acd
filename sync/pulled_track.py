"""A pulled patrol's track: its points written from the track blob, so the patrol is usable on this device.

A patrol travels as its record plus one blob, the encoded track
(:mod:`inspector.patrols.track_blob`). When a device applies a pulled patrol
(:func:`sync.local_store.apply_page`), the blob has been downloaded and
verified against its SHA-256; :func:`fill_points` decodes it and writes its
points into ``patrol_points`` in the same savepoint, replacing what an
earlier revision left. Everything that reads a patrol — ``patrol list``,
``patrol export`` (GPX, GeoPackage), the 巡查记录表, the map — then works on a
pulled patrol exactly as on one recorded here, with no second code path.

A blob that does not decode, or whose point count is not the record's,
raises :class:`sync.quarantine.RecordProblem`: the record is set aside with
the reason and nothing of it is written.
"""
from __future__ import annotations

from typing import Optional

from inspector.errors import BadInput, Message
from inspector.patrols.track_blob import decode_track
from inspector.store.media_store import open_no_follow, readable_blob
from inspector.store.workspace import Workspace
from sync.quarantine import RecordProblem

_INSERT = ("INSERT INTO patrol_points (patrol_id, seq, segment, lon, lat, time_utc, fix_type, satellites, hdop, "
           "accuracy_m, altitude_m) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def fill_points(ws: Workspace, patrol_uuid: str, sha256: Optional[str]) -> int:
    """Replace the points of the pulled patrol ``patrol_uuid`` with those of its track blob (none without one);
    returns how many were written."""
    conn = ws.conn
    row = conn.execute("SELECT id, point_count FROM patrols WHERE uuid = ?", (patrol_uuid,)).fetchone()
    conn.execute("DELETE FROM patrol_points WHERE patrol_id = ?", (row["id"],))
    if sha256 is None:
        return 0
    try:
        with open_no_follow(readable_blob(ws.media_dir, sha256)) as handle:
            blob = handle.read()
        points = decode_track(blob)  # validated whole before anything is written
    except (OSError, BadInput) as exc:
        raise RecordProblem(Message("巡查轨迹文件无法读取", "the patrol's track file cannot be read").detailed(exc)) \
            from None
    if len(points) != row["point_count"]:
        raise RecordProblem(f"轨迹有 {len(points)} 个点，记录写的是 {row['point_count']} 个",
                            f"the track has {len(points)} points, the record says {row['point_count']}")
    conn.executemany(_INSERT, [(row["id"], p["seq"], p["segment"], p["lon"], p["lat"], p["time_utc"], p["fix_type"],
                                p["satellites"], p["hdop"], p["accuracy_m"], p["altitude_m"]) for p in points])
    return len(points)
