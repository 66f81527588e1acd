"""A patrol's track as one compact, content-addressed blob: how its points are kept with the record and synced.

An 8-hour track at 10 Hz has up to 288,000 points; as sync records that
would be 288,000 rows to push, validate and pull. Instead a pause and the
end of a patrol encode its points into one blob in the media store (SHA-256
named, like a photo) and the audited patrol record names it
(``track_sha256``), so the record is tamper-evident and travels with its
track as evidence does.

Encoding (version 1): the magic ``LVDTRK1\\n``, the point count (uint32 LE),
then zlib of the columns one after another, little-endian: segment (int32),
lon and lat (int32, 10⁻⁷ degrees, delta-coded), time (int64 ms since the
epoch, delta-coded), fix-type code (int8, −1 none), satellites (int8, −1
none), HDOP (uint16, 1/100, 65535 none), accuracy (uint32, cm, 2³²−1 none),
altitude (int32, cm, −2³¹ none). 32 bytes a point before compression;
points are stored at exactly these resolutions (:func:`quantized`), so
decoding gives back the stored values. Decoding bounds the count and the
decompressed size before allocating and refuses anything else.
"""
from __future__ import annotations

import datetime as dt
import struct
import zlib
from typing import Any, Optional

import numpy as np

from inspector.errors import BadInput
from inspector.geo.gnss import FIX_TYPES
from inspector.store.db import Connection
from inspector.store.workspace import Workspace, utc_now

MAGIC = b"LVDTRK1\n"
MAX_TRACK_POINTS = 2_000_000  # points in one track: ~55 h at 10 Hz
TRACK_MIME = "application/x-lvdun-track"
COORDINATE_SCALE = 10_000_000  # units per degree (10⁻⁷ °, about 1 cm)
_FIX_CODES = {name: code for code, name in FIX_TYPES.items()}
_COLUMNS: tuple[tuple[str, str], ...] = (("segment", "<i4"), ("lon", "<i4"), ("lat", "<i4"), ("time", "<i8"),
                                         ("fix", "<i1"), ("sat", "<i1"), ("hdop", "<u2"), ("acc", "<u4"),
                                         ("alt", "<i4"))
BYTES_PER_POINT = sum(np.dtype(kind).itemsize for _, kind in _COLUMNS)  # 32
_DELTA_COLUMNS = ("lon", "lat", "time")
_NONE = {"fix": -1, "sat": -1, "hdop": 65535, "acc": 2**32 - 1, "alt": -(2**31)}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def quantized(lon: float, lat: float, hdop: Optional[float], accuracy_m: Optional[float],
              altitude_m: Optional[float]) -> tuple[float, float, Optional[float], Optional[float], Optional[float]]:
    """Values at the resolution the track blob keeps (so the blob gives back exactly what is stored)."""
    def cut(value: Optional[float], digits: int, limit: float) -> Optional[float]:
        return None if value is None or not (abs(value) < limit) else round(value, digits)
    return (round(lon, 7), round(lat, 7), cut(hdop, 2, 655.0), cut(accuracy_m, 2, 4e7), cut(altitude_m, 2, 2e7))


def _millis(time_utc: str) -> int:
    when = dt.datetime.fromisoformat(time_utc.replace("Z", "+00:00"))
    return (when - _EPOCH) // dt.timedelta(milliseconds=1)


def _time_text(millis: int) -> str:
    when = _EPOCH + dt.timedelta(milliseconds=int(millis))
    return f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond // 1000:03d}Z"


def encode_track(points: list[dict[str, Any]]) -> bytes:
    """The blob of a list of points (as :func:`inspector.patrols.patrols.patrol_points` returns them)."""
    def column(values: list[Any], name: str) -> np.ndarray:
        return np.array([_NONE[name] if v is None else v for v in values], dtype=dict(_COLUMNS)[name])

    data = {
        "segment": np.array([p["segment"] for p in points], dtype="<i4"),
        "lon": np.array([round(p["lon"] * COORDINATE_SCALE) for p in points], dtype="<i4"),
        "lat": np.array([round(p["lat"] * COORDINATE_SCALE) for p in points], dtype="<i4"),
        "time": np.array([_millis(p["time_utc"]) for p in points], dtype="<i8"),
        "fix": column([_FIX_CODES.get(p["fix_type"]) if p["fix_type"] else None for p in points], "fix"),
        "sat": column([p["satellites"] for p in points], "sat"),
        "hdop": column([None if p["hdop"] is None else round(p["hdop"] * 100) for p in points], "hdop"),
        "acc": column([None if p["accuracy_m"] is None else round(p["accuracy_m"] * 100) for p in points], "acc"),
        "alt": column([None if p["altitude_m"] is None else round(p["altitude_m"] * 100) for p in points], "alt"),
    }
    for name in _DELTA_COLUMNS:
        values = data[name]
        data[name] = np.diff(values, prepend=values.dtype.type(0)).astype(values.dtype)
    body = b"".join(data[name].tobytes() for name, _ in _COLUMNS)
    return MAGIC + struct.pack("<I", len(points)) + zlib.compress(body, 6)


def _invalid(detail: str) -> BadInput:
    return BadInput(f"轨迹数据无效：{detail}", f"invalid track data: {detail}")


def decode_columns(blob: bytes) -> dict[str, np.ndarray]:
    """The columns of a track blob, validated (``lon``/``lat`` in degrees, ``time`` in ms since the epoch, the
    others as encoded); :class:`BadInput` for anything that is not a track (checked before allocating)."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 4:
        raise _invalid("not a track (magic)")
    (count,) = struct.unpack_from("<I", blob, len(MAGIC))
    if count > MAX_TRACK_POINTS:
        raise _invalid(f"{count} points > {MAX_TRACK_POINTS}")
    expected = count * BYTES_PER_POINT
    inflater = zlib.decompressobj()
    try:
        body = inflater.decompress(blob[len(MAGIC) + 4:], expected + 1)
    except zlib.error as exc:
        raise _invalid(str(exc)) from None
    if len(body) != expected or not inflater.eof or inflater.unconsumed_tail or inflater.unused_data:
        raise _invalid("size does not match the point count")
    columns: dict[str, np.ndarray] = {}
    offset = 0
    for name, kind in _COLUMNS:
        width = np.dtype(kind).itemsize * count
        columns[name] = np.frombuffer(body, dtype=kind, count=count, offset=offset)
        offset += width
    for name in ("lon", "lat"):
        columns[name] = np.cumsum(columns[name], dtype="<i8") / COORDINATE_SCALE
    columns["time"] = np.cumsum(columns["time"], dtype="<i8")
    if count and (np.abs(columns["lon"]).max() > 180 or np.abs(columns["lat"]).max() > 90
                  or columns["time"].min() < 0 or columns["time"].max() > 10**14 or columns["segment"].min() < 0):
        raise _invalid("coordinates or times out of range")
    if count and (np.diff(columns["segment"]) < 0).any():
        raise _invalid("segments out of order")
    unknown = ~np.isin(columns["fix"], [-1, *FIX_TYPES])
    if unknown.any():
        raise _invalid(f"unknown fix type code {int(columns['fix'][unknown][0])}")
    return columns


def decode_track(blob: bytes) -> list[dict[str, Any]]:
    """The points of a track blob; :class:`BadInput` for anything that is not one (checked before allocating)."""
    columns = decode_columns(blob)
    return [{
        "seq": index + 1, "segment": int(columns["segment"][index]), "lon": float(columns["lon"][index]),
        "lat": float(columns["lat"][index]), "time_utc": _time_text(int(columns["time"][index])),
        "fix_type": FIX_TYPES.get(int(columns["fix"][index])), "satellites": _or_none(columns["sat"][index], "sat"),
        "hdop": _scaled(columns["hdop"][index], "hdop"), "accuracy_m": _scaled(columns["acc"][index], "acc"),
        "altitude_m": _scaled(columns["alt"][index], "alt")} for index in range(len(columns["segment"]))]


def _or_none(value: np.integer, name: str) -> Optional[int]:
    return None if int(value) == _NONE[name] else int(value)


def _scaled(value: np.integer, name: str) -> Optional[float]:
    return None if int(value) == _NONE[name] else int(value) / 100


def store_track_blob(ws: Workspace, patrol_id: int) -> Optional[str]:
    """Encode the patrol's points into the media store (and ``media_blobs``); its SHA-256, or ``None`` for a
    patrol without points."""
    from inspector.patrols.patrols import patrol_points
    from inspector.store.media_store import store_bytes

    points = patrol_points(ws.conn, patrol_id)
    if not points:
        return None
    stored = store_bytes(ws, encode_track(points), "track")
    register_blob(ws.conn, stored.sha256, stored.size)
    return stored.sha256


def register_blob(conn: Connection, sha256: str, size: int) -> None:
    conn.execute("INSERT OR IGNORE INTO media_blobs (sha256, size, mime, stored_at) VALUES (?, ?, ?, ?)",
                 (sha256, size, TRACK_MIME, utc_now()))
