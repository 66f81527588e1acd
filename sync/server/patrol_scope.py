"""Patrols on the server: placed by their own track, never by the device's claim.

A patrol belongs to no case; its scope is a jurisdiction, and the server
decides it from the data, as it does for a case found in the field
(:mod:`sync.server.field_cases`):

- before the push's transaction, :func:`read_tracks` reads the blob each
  pushed patrol names (``track_sha256``: uploaded before the push and
  verified against its hash by the blob store) and decodes it with the
  core's own decoder (:func:`inspector.patrols.track_blob.decode_columns`,
  which bounds the point count and the decompressed size before allocating);
  a blob larger than :data:`MAX_TRACK_BLOB_BYTES` is not read at all;
- inside the transaction, :func:`patrol_problem` accepts the patrol only when
  the pusher uploaded the blob or may read it (else the same "not uploaded"
  reason whether or not it exists elsewhere), the track decodes, its point
  count and geodesic distance are the record's, and the county its **first
  point** lies in (the bundled boundaries; the place the patrol started) is
  inside the pusher's jurisdiction. That county and its city become the
  record's scope: offices pull it by adcode like a case's records, and no
  other jurisdiction ever receives it or its track
  (:mod:`sync.server.blob_access`). A track that later leaves the county
  (a border river) stays the starting county's patrol.

A patrol is written by the account that recorded it (``recorded_by`` is the
pusher, then and for every later revision), keeps its place across revisions
and is never deleted from a device. A patrol without a track (ended without
a single point) has no place and is refused with that reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional

import numpy as np

from inspector.errors import BadInput, Message
from inspector.patrols.track_blob import decode_columns
from inspector.patrols.track_geometry import step_lengths_m
from sync.protocol import RecordChange, blob_of
from sync.server import blob_access
from sync.server.auth import User
from sync.server.blob_store import BlobStore
from sync.server.field_cases import admin_lookup
from sync.server.push_context import PushContext

MAX_TRACK_BLOB_BYTES = 64 * 1024 * 1024  # bytes: far above the longest track kept (2,000,000 points compress well)
DISTANCE_TOLERANCE_M = 1.0  # metres, plus DISTANCE_TOLERANCE_RATIO of the length, for rounding
DISTANCE_TOLERANCE_RATIO = 1e-4
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
OUTSIDE = Message("在你的辖区内没有找到该巡查记录", "patrol not found in your jurisdiction")


@dataclass(frozen=True)
class TrackReading:
    """What the server read from one track blob: a reason it is no track, or its facts."""

    problem: Optional[Message] = None
    point_count: int = 0
    distance_m: float = 0.0
    first_point: Optional[tuple[float, float]] = None


def _track_distance_m(columns: dict[str, np.ndarray]) -> float:
    """Geodesic length of the decoded track, segment by segment (never across a pause)."""
    steps = step_lengths_m(columns["lon"], columns["lat"])
    same_segment = np.diff(columns["segment"]) == 0
    return float(steps[same_segment].sum()) if steps.size else 0.0


def read_track(blob_store: BlobStore, sha256: str) -> Optional[TrackReading]:
    """The reading of a stored track blob; ``None`` when the server does not hold it."""
    found = blob_store.open_blob(sha256)
    if found is None:
        return None
    size, chunks = found
    if size > MAX_TRACK_BLOB_BYTES:
        getattr(chunks, "close", lambda: None)()
        return TrackReading(Message(f"轨迹文件超过 {MAX_TRACK_BLOB_BYTES} 字节",
                                    f"the track file is larger than {MAX_TRACK_BLOB_BYTES} bytes"))
    try:
        columns = decode_columns(b"".join(chunks))
    except BadInput as exc:
        return TrackReading(exc.message)
    count = len(columns["segment"])
    first = (float(columns["lon"][0]), float(columns["lat"][0])) if count else None
    return TrackReading(None, count, _track_distance_m(columns), first)


def read_tracks(blob_store: BlobStore, changes: Iterable[RecordChange]) -> dict[str, Optional[TrackReading]]:
    """The readings of the track blobs the pushed patrols name, by SHA-256 (outside any transaction)."""
    readings: dict[str, Optional[TrackReading]] = {}
    for change in changes:
        sha = blob_of(change.kind, change.content) if change.kind == "patrols" and not change.deleted else None
        if sha is not None and sha not in readings and SHA256_PATTERN.fullmatch(sha):
            readings[sha] = read_track(blob_store, sha)
    return readings


def _place(first: tuple[float, float]) -> tuple[Optional[str], Optional[str], str]:
    """(city adcode, county adcode, its name) of the county a point lies in, by the bundled boundaries."""
    lookup = admin_lookup()
    lon, lat = first
    county = lookup.county_of(lon, lat) if lookup.in_province(lon, lat) else None
    place = lookup.describe(county)
    return place["city_adcode"], county, f"{place['city'] or ''}{place['county'] or ''}"


def patrol_problem(ctx: PushContext, user: User, change: RecordChange, existing: Any,
                   tracks: dict[str, Optional[TrackReading]]) -> tuple[Optional[Message], Optional[str], Optional[str]]:
    """(reason to refuse or None, city adcode, county adcode) for a pushed patrol (see the module)."""
    if existing is not None and not user.covers(existing.city_adcode, existing.county_adcode):
        return OUTSIDE, None, None
    if change.deleted:
        return Message("巡查记录不能由设备删除", "a patrol cannot be deleted from a device"), None, None
    content = change.content
    recorded_by = content.get("recorded_by")
    if recorded_by != user.name:
        return Message(f"巡查记录人 {recorded_by!r} 不是推送该记录的账号（{user.name}）",
                       f"recorded_by {recorded_by!r} is not the account pushing the patrol ({user.name})"), None, None
    sha = blob_of(change.kind, content)
    if sha is None:
        return Message("巡查没有轨迹点，服务器无法判断其辖区", "the patrol has no track points, so the server "
                       "cannot tell where it lies"), None, None
    reading = tracks.get(sha)
    if reading is None or sha not in blob_access.known(ctx.conn, user, [sha]):
        return blob_access.NOT_UPLOADED, None, None
    if reading.problem is not None or reading.first_point is None:
        return (reading.problem or Message("轨迹没有点", "the track has no points")).prefixed(
            "巡查轨迹无效：", "invalid patrol track: "), None, None
    if reading.point_count != content.get("point_count") or abs(reading.distance_m - content["distance_m"]) > (
            DISTANCE_TOLERANCE_M + DISTANCE_TOLERANCE_RATIO * reading.distance_m):
        return Message(f"轨迹（{reading.point_count} 个点，{reading.distance_m:.1f} 米）与巡查记录"
                       f"（{content.get('point_count')} 个点，{content.get('distance_m')} 米）不符",
                       f"the track ({reading.point_count} points, {reading.distance_m:.1f} m) does not match the "
                       f"patrol ({content.get('point_count')} points, {content.get('distance_m')} m)"), None, None
    city, county, where = _place(reading.first_point)
    lon, lat = reading.first_point
    if county is None or city is None:
        return Message(f"巡查轨迹起点 {lon}, {lat} 不在江苏省的任何区县内",
                       f"the patrol's track starts at {lon}, {lat}, in no county of Jiangsu"), None, None
    if not user.covers(city, county):
        return Message(f"该巡查轨迹起于{where}（{county}），不在你的辖区（{user.jurisdiction}）内",
                       f"the patrol's track starts in {where} ({county}), outside your jurisdiction "
                       f"({user.jurisdiction})"), None, None
    if existing is not None and (existing.city_adcode, existing.county_adcode) != (city, county):
        return Message("巡查记录不能移到另一个辖区", "a patrol cannot move to another jurisdiction"), None, None
    problem = blob_access.may_reference(ctx.conn, user, sha, city, county, ctx.uploads)
    if problem:
        return problem, None, None
    return None, city, county
