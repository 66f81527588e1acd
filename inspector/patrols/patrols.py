"""Patrols (常态化巡查) as audited records: start, pause, resume, end, and what a patrol holds.

A patrol is recorded by the acting user (:class:`~inspector.casework.authority.Actor`) with its purpose,
team members and area; it belongs to the jurisdiction the user acts for (the sync server decides again from
the track). Each step — ``patrol.start`` / ``patrol.pause`` / ``patrol.resume`` / ``patrol.end`` — is one
record write with its audit entry (:mod:`inspector.store.record_store`). Track points are logged one by one
between them by :class:`inspector.patrols.track_logger.TrackLogger`; a pause and the end write the patrol's
distance (geodesic, per segment) and moving time (pauses excluded), so that the audited record states what
the track measured at that moment.

One patrol at a time is in progress (running or paused) per user on a device; findings and new cases that
user records meanwhile link to it (:func:`patrol_in_progress`).
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Optional, Sequence

from inspector.casework.authority import Actor
from inspector.errors import BadInput, NotFound
from inspector.patrols.track_geometry import track_distance_m
from inspector.store.changes import Outcome, recording
from inspector.store.db import Connection, Row, atomic
from inspector.store.record_store import insert_record, to_json, update_record
from inspector.store.workspace import Workspace, utc_now

RUNNING, PAUSED, ENDED = "running", "paused", "ended"
TAKE_UP = "patrol.take_up"  # the audited action of taking up a patrol the app found running at start
STATUSES = (RUNNING, PAUSED, ENDED)
MAX_PURPOSE_CHARS = 500  # characters
MAX_AREA_CHARS = 500  # characters
MAX_TEAM_MEMBERS = 50  # names on one patrol
PATROL_COLUMNS = ("uuid", "purpose", "team_members", "area", "jurisdiction", "status", "started_at", "ended_at",
                  "active_since", "distance_m", "duration_s", "point_count", "track_sha256", "source",
                  "recorded_by", "recorded_by_name", "revision", "created_at", "updated_at")


def parse_utc(text: str) -> dt.datetime:
    """An ISO 8601 UTC time (``…Z``) as an aware datetime."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def utc_text(when: dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ`` (millisecond precision) for an aware datetime."""
    when = when.astimezone(dt.timezone.utc)
    return f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond // 1000:03d}Z"


def patrol_dict(row: Row) -> dict[str, Any]:
    data = {key: row[key] for key in PATROL_COLUMNS}
    data["team_members"] = json.loads(data["team_members"] or "[]")
    return data


def resolve_patrol(conn: Connection, ref: str) -> Row:
    """A patrol row by UUID (:class:`NotFound` otherwise)."""
    row = conn.execute(f"SELECT id, {', '.join(PATROL_COLUMNS)} FROM patrols WHERE uuid = ? AND deleted = 0",
                       ((ref or "").strip().lower(),)).fetchone()
    if row is None:
        raise NotFound(f"找不到巡查记录：{ref}", f"no such patrol: {ref}")
    return row


def patrol_in_progress(conn: Connection, user: str) -> Optional[Row]:
    """The patrol ``user`` has running or paused on this device, if any."""
    return conn.execute(f"SELECT id, {', '.join(PATROL_COLUMNS)} FROM patrols WHERE status <> 'ended' "
                        "AND recorded_by = ? AND deleted = 0 ORDER BY id DESC LIMIT 1", (user,)).fetchone()


def linked_patrol_uuid(conn: Connection, user: str) -> Optional[str]:
    """The UUID of the patrol a record ``user`` makes now links to: the one they have in progress."""
    row = patrol_in_progress(conn, user)
    return row["uuid"] if row is not None else None


def list_patrols(ws: Workspace) -> list[dict[str, Any]]:
    """Every patrol, newest first."""
    return [patrol_dict(row) for row in ws.conn.execute(
        f"SELECT {', '.join(PATROL_COLUMNS)} FROM patrols WHERE deleted = 0 ORDER BY started_at DESC, id DESC")]


def _checked_details(purpose: str, team_members: Sequence[str], area: Optional[str]) -> tuple[str, list[str],
                                                                                             Optional[str]]:
    text = (purpose or "").strip()
    if not text or len(text) > MAX_PURPOSE_CHARS:
        raise BadInput(f"须写明巡查目的（1–{MAX_PURPOSE_CHARS} 个字符）",
                       f"give the patrol's purpose (1–{MAX_PURPOSE_CHARS} characters)")
    team = [name.strip() for name in team_members if name and name.strip()]
    if len(team) > MAX_TEAM_MEMBERS or any(len(name) > MAX_PURPOSE_CHARS for name in team):
        raise BadInput(f"巡查人员至多 {MAX_TEAM_MEMBERS} 人，每个姓名至多 {MAX_PURPOSE_CHARS} 个字符",
                       f"at most {MAX_TEAM_MEMBERS} team members of at most {MAX_PURPOSE_CHARS} characters each")
    place = (area or "").strip() or None
    if place is not None and len(place) > MAX_AREA_CHARS:
        raise BadInput(f"巡查区域至多 {MAX_AREA_CHARS} 个字符", f"the area is at most {MAX_AREA_CHARS} characters")
    return text, team, place


def start_patrol(ws: Workspace, *, purpose: str, team_members: Sequence[str] = (), area: Optional[str] = None,
                 actor: Actor) -> Outcome:
    """Start a patrol now (refused while the user has one in progress); returns the record."""
    text, team, place = _checked_details(purpose, team_members, area)
    with recording(ws.conn) as journal, atomic(ws.conn):
        running = patrol_in_progress(ws.conn, actor.user)
        if running is not None:
            raise BadInput(f"已有进行中的巡查（{running['purpose']}），请先结束它",
                           f"a patrol is already in progress ({running['purpose']}); end it first")
        now = utc_now()
        values = {"purpose": text, "team_members": to_json(team), "area": place,
                  "jurisdiction": actor.jurisdiction, "status": RUNNING, "started_at": now, "active_since": now,
                  "source": "device", "recorded_by": actor.user, "recorded_by_name": actor.name}
        _, uuid = insert_record(ws.conn, "patrols", values, actor=actor.user, action="patrol.start")
    return Outcome(patrol_dict(resolve_patrol(ws.conn, uuid)), journal.changes)


def track_segments(conn: Connection, patrol_id: int) -> list[tuple[list[float], list[float], list[str]]]:
    """The patrol's track as (lons, lats, times) per segment, in order."""
    segments: dict[int, tuple[list[float], list[float], list[str]]] = {}
    for segment, lon, lat, time_utc in conn.execute(
            "SELECT segment, lon, lat, time_utc FROM patrol_points WHERE patrol_id = ? ORDER BY seq",
            (patrol_id,)):
        lons, lats, times = segments.setdefault(segment, ([], [], []))
        lons.append(lon)
        lats.append(lat)
        times.append(time_utc)
    return [segments[key] for key in sorted(segments)]


def track_figures(conn: Connection, patrol_id: int) -> dict[str, Any]:
    segments = track_segments(conn, patrol_id)
    return {"distance_m": round(track_distance_m([(lons, lats) for lons, lats, _ in segments]), 2),
            "point_count": sum(len(lons) for lons, _, _ in segments)}


def _moving_time_s(row: Row, until: str) -> float:
    """The patrol's moving time up to ``until``: what earlier stretches added, plus the running one."""
    running = (parse_utc(until) - parse_utc(row["active_since"])).total_seconds() if row["active_since"] else 0.0
    return round(float(row["duration_s"]) + max(running, 0.0), 3)


def _last_point_time(conn: Connection, row: Row, now: str) -> str:
    """When the running stretch last logged a point (its start if none): where an interrupted stretch ended."""
    last = conn.execute("SELECT time_utc FROM patrol_points WHERE patrol_id = ? ORDER BY seq DESC LIMIT 1",
                        (row["id"],)).fetchone()
    if row["active_since"] is None:
        return now
    start = parse_utc(row["active_since"])
    ended = parse_utc(last[0]) if last is not None else start
    return utc_text(min(max(ended, start), parse_utc(now)))


def _step(ws: Workspace, ref: str, *, actor: Actor, allowed_from: tuple[str, ...], to_status: str,
          action: str) -> Outcome:
    from inspector.patrols.track_blob import store_track_blob

    with recording(ws.conn) as journal, atomic(ws.conn):
        row = resolve_patrol(ws.conn, ref)
        if row["status"] not in allowed_from:
            raise BadInput(f"巡查状态为 {row['status']}，不能{action_text(action)[0]}",
                           f"the patrol is {row['status']}; it cannot {action_text(action)[1]}")
        if row["recorded_by"] != actor.user:
            raise BadInput(f"这次巡查由 {row['recorded_by_name'] or row['recorded_by']} 记录，只有本人能操作",
                           f"this patrol was recorded by {row['recorded_by_name'] or row['recorded_by']}; "
                           "only they can change it")
        now = utc_now()
        # taking up an interrupted patrol: the time the app was down is not moving time
        until = _last_point_time(ws.conn, row, now) if action == TAKE_UP else now
        changes: dict[str, Any] = {"status": to_status, "duration_s": _moving_time_s(row, until),
                                   "active_since": now if to_status == RUNNING else None}
        hashes: list[str] = []
        if to_status != RUNNING:
            changes.update(track_figures(ws.conn, row["id"]))
            sha = store_track_blob(ws, row["id"])
            changes["track_sha256"] = sha
            hashes = [sha] if sha else []
        if to_status == ENDED:
            changes["ended_at"] = now
        update_record(ws.conn, "patrols", row["uuid"], changes, actor=actor.user, action=action,
                      evidence_hashes=hashes)
    return Outcome(patrol_dict(resolve_patrol(ws.conn, row["uuid"])), journal.changes)


def action_text(action: str) -> tuple[str, str]:
    return {"patrol.pause": ("暂停", "be paused"), "patrol.resume": ("继续", "be resumed"),
            TAKE_UP: ("恢复", "be taken up"),
            "patrol.end": ("结束", "be ended")}.get(action, (action, action))


def pause_patrol(ws: Workspace, ref: str, *, actor: Actor) -> Outcome:
    """Pause a running patrol: its figures so far are recorded; the next resume starts a new segment."""
    return _step(ws, ref, actor=actor, allowed_from=(RUNNING,), to_status=PAUSED, action="patrol.pause")


def resume_patrol(ws: Workspace, ref: str, *, actor: Actor) -> Outcome:
    """Resume a paused patrol."""
    return _step(ws, ref, actor=actor, allowed_from=(PAUSED,), to_status=RUNNING, action="patrol.resume")


def take_up_patrol(ws: Workspace, ref: str, *, actor: Actor) -> Outcome:
    """Take up a patrol found running when the app starts (it was closed or killed while running): its moving
    time counts up to its last logged point, not through the time the app was down, and a new stretch starts
    now (its points go into a new segment)."""
    return _step(ws, ref, actor=actor, allowed_from=(RUNNING,), to_status=RUNNING, action=TAKE_UP)


def end_patrol(ws: Workspace, ref: str, *, actor: Actor) -> Outcome:
    """End a running or paused patrol with its final distance, moving time and track."""
    return _step(ws, ref, actor=actor, allowed_from=(RUNNING, PAUSED), to_status=ENDED, action="patrol.end")


def patrol_points(conn: Connection, patrol_id: int) -> list[dict[str, Any]]:
    """Every track point of a patrol, in order."""
    return [dict(row) for row in conn.execute(
        "SELECT seq, segment, lon, lat, time_utc, fix_type, satellites, hdop, accuracy_m, altitude_m "
        "FROM patrol_points WHERE patrol_id = ? ORDER BY seq", (patrol_id,))]
