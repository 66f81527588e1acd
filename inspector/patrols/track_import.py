"""Importing a recorded track as an ended patrol: an NMEA log or a GPX file, treated as hostile.

The file's size is checked before it is read (:data:`MAX_TRACK_FILE_BYTES`) and reading stops at
:data:`MAX_IMPORT_SECONDS` and :data:`MAX_IMPORT_POINTS`. NMEA goes through the one NMEA reader
(:class:`inspector.geo.gnss.NmeaReader`: checksums, ranges, hostile lines counted); GPX (1.0 or 1.1) is parsed
with defusedxml, which refuses DTDs and so every entity expansion. A point is kept when it has a satellite fix
(NMEA) or any fix (GPX), a time, and a position in Jiangsu; the others are counted. Each GPX ``trkseg`` is a
segment; an NMEA log is one. The patrol is recorded ended, by the acting user, with the track's own start and
end time, its geodesic distance and its moving time (the time spans of its segments), and its track blob.
"""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any, Iterator, Optional

import numpy as np

from inspector.casework.authority import Actor
from inspector.errors import BadInput
from inspector.geo.gnss import SATELLITE_FIX_TYPES, GnssFix, NmeaReader
from inspector.patrols.patrols import patrol_dict, resolve_patrol, track_figures, utc_text
from inspector.patrols.track_blob import quantized, store_track_blob
from inspector.store.changes import Outcome, recording
from inspector.store.db import atomic
from inspector.store.record_store import insert_record, to_json, update_record
from inspector.store.workspace import Workspace

MAX_TRACK_FILE_BYTES = 256 * 1024 * 1024  # bytes: an 8-hour 10 Hz NMEA log with GSA/GSV is about 150 MB
MAX_IMPORT_SECONDS = 300.0  # seconds of reading before the import gives up
MAX_IMPORT_POINTS = 1_000_000  # points in one imported track
GPX_NAMESPACES = ("http://www.topografix.com/GPX/1/1", "http://www.topografix.com/GPX/1/0")
GPX_FIX_TYPES = {"none": "none", "2d": "gps", "3d": "gps", "dgps": "dgps", "pps": "pps"}  # GPX <fix> → ours


def _bad(zh: str, en: str) -> BadInput:
    return BadInput(f"轨迹文件无效：{zh}", f"invalid track file: {en}")


def _nmea_fixes(path: Path, deadline: float) -> Iterator[tuple[int, GnssFix]]:
    reader = NmeaReader()
    with path.open("rb") as stream:
        for raw in stream:
            if time.monotonic() > deadline:
                raise _bad("读取超时", "reading took too long")
            fix = reader.feed(raw[:1024])
            if fix is not None:
                yield 1, fix
    last = reader.flush()
    if last is not None:
        yield 1, last


def _number(text: Optional[str]) -> Optional[float]:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and np.isfinite(value) else None


def _gpx_fixes(path: Path, deadline: float) -> Iterator[tuple[int, GnssFix]]:
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as SafeTree
    from defusedxml import DefusedXmlException

    try:
        root = SafeTree.parse(str(path), forbid_dtd=True).getroot()
    except (DefusedXmlException, ParseError, ValueError) as exc:
        raise _bad(f"不是可读的 GPX（{exc}）", f"not readable GPX ({exc})") from None
    if root is None:
        raise _bad("不是 GPX 1.0/1.1 文档", "not a GPX 1.0/1.1 document")
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if root.tag != f"{{{namespace}}}gpx" or namespace not in GPX_NAMESPACES:
        raise _bad("不是 GPX 1.0/1.1 文档", "not a GPX 1.0/1.1 document")
    ns = {"g": namespace}
    segment = 0
    for track_segment in root.iterfind("g:trk/g:trkseg", ns):
        segment += 1
        for point in track_segment.iterfind("g:trkpt", ns):
            if time.monotonic() > deadline:
                raise _bad("读取超时", "reading took too long")
            lon, lat = _number(point.get("lon")), _number(point.get("lat"))
            when = _gpx_time(point.findtext("g:time", None, ns))
            if lon is None or lat is None or when is None:
                yield segment, GnssFix(float("nan"), float("nan"))
                continue
            satellites = _number(point.findtext("g:sat", None, ns))
            yield segment, GnssFix(lon, lat, when, GPX_FIX_TYPES.get(point.findtext("g:fix", "3d", ns) or "", "gps"),
                                   int(satellites) if satellites is not None and 0 <= satellites < 128 else None,
                                   _number(point.findtext("g:hdop", None, ns)), None,
                                   _number(point.findtext("g:ele", None, ns)))


def _gpx_time(text: Optional[str]) -> Optional[dt.datetime]:
    try:
        when = dt.datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(dt.timezone.utc) if when.tzinfo is not None else None


def read_track(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The kept points of a track file and how many were refused; :class:`BadInput` for a bad file."""
    if not path.is_file():
        raise BadInput(f"找不到文件：{path}", f"file not found: {path}")
    size = path.stat().st_size
    if size > MAX_TRACK_FILE_BYTES:
        raise _bad(f"文件过大（{size} 字节，上限 {MAX_TRACK_FILE_BYTES}）",
                   f"file too large ({size} bytes, limit {MAX_TRACK_FILE_BYTES})")
    suffix = path.suffix.lower()
    if suffix not in (".nmea", ".gpx", ".log", ".txt"):
        raise _bad("须为 .nmea 或 .gpx 文件", "must be a .nmea or .gpx file")
    deadline = time.monotonic() + MAX_IMPORT_SECONDS
    fixes = _gpx_fixes(path, deadline) if suffix == ".gpx" else _nmea_fixes(path, deadline)
    points: list[dict[str, Any]] = []
    refused = 0
    for segment, fix in fixes:
        usable = (np.isfinite(fix.lon) and np.isfinite(fix.lat) and fix.time_utc is not None
                  and fix.fix_type in SATELLITE_FIX_TYPES and -180 <= fix.lon <= 180 and -90 <= fix.lat <= 90)
        if not usable or fix.time_utc is None:
            refused += 1
            continue
        if len(points) >= MAX_IMPORT_POINTS:
            raise _bad(f"点数超过上限 {MAX_IMPORT_POINTS}", f"more than {MAX_IMPORT_POINTS} points")
        lon, lat, hdop, accuracy, altitude = quantized(fix.lon, fix.lat, fix.hdop, fix.accuracy_m, fix.altitude_m)
        points.append({"segment": segment, "lon": lon, "lat": lat, "time_utc": utc_text(fix.time_utc),
                       "fix_type": fix.fix_type, "satellites": fix.satellites, "hdop": hdop, "accuracy_m": accuracy,
                       "altitude_m": altitude})
    return points, refused


def import_track(ws: Workspace, path: str | Path, *, purpose: Optional[str], actor: Actor) -> Outcome:
    """Record the track in ``path`` as an ended patrol; returns the patrol with ``points`` and ``refused``."""
    from inspector.geo.attribution import lookup_for
    from inspector.patrols.patrols import parse_utc

    path = Path(path)
    points, refused = read_track(path)
    if points:
        inside = lookup_for(ws).admin.in_province_many(np.array([p["lon"] for p in points]),
                                                      np.array([p["lat"] for p in points]))
        refused += int((~inside).sum())
        points = [point for point, keep in zip(points, inside) if keep]
    if not points:
        raise _bad(f"没有可用的江苏省内定位点（{refused} 个点被拒绝）",
                   f"no usable position in Jiangsu ({refused} points refused)")
    spans: dict[int, tuple[str, str]] = {}
    for point in points:
        first, _ = spans.get(point["segment"], (point["time_utc"], point["time_utc"]))
        spans[point["segment"]] = (first, point["time_utc"])
    moving = sum(max((parse_utc(last) - parse_utc(first)).total_seconds(), 0.0) for first, last in spans.values())
    times = sorted(point["time_utc"] for point in points)
    values = {"purpose": (purpose or "").strip() or f"导入轨迹 {path.name}"[:500], "team_members": to_json([]),
              "jurisdiction": actor.jurisdiction, "status": "ended", "started_at": times[0], "ended_at": times[-1],
              "duration_s": round(moving, 3), "source": "import", "recorded_by": actor.user,
              "recorded_by_name": actor.name}
    with recording(ws.conn) as journal, atomic(ws.conn):
        patrol_id, uuid = insert_record(ws.conn, "patrols", values, actor=actor.user, action="patrol.import")
        ws.conn.executemany(
            "INSERT INTO patrol_points (patrol_id, seq, segment, lon, lat, time_utc, fix_type, satellites, hdop, "
            "accuracy_m, altitude_m) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(patrol_id, seq, p["segment"], p["lon"], p["lat"], p["time_utc"], p["fix_type"], p["satellites"],
              p["hdop"], p["accuracy_m"], p["altitude_m"]) for seq, p in enumerate(points, start=1)])
        sha = store_track_blob(ws, patrol_id)
        update_record(ws.conn, "patrols", uuid, {**track_figures(ws.conn, patrol_id), "track_sha256": sha},
                      actor=actor.user, action="patrol.track", evidence_hashes=[sha] if sha else [])
    result = patrol_dict(resolve_patrol(ws.conn, uuid))
    return Outcome({**result, "points": result["point_count"], "refused": refused}, journal.changes)
