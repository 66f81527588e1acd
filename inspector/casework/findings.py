"""Findings (核查记录): what an inspector saw at a case's location.

A finding records who observed what, where and when (UTC), the activity
type (configurable list), the description, the affected area, the
assessment (确认问题 / 排除 / 待定) and its basis. Its position is attributed
to zones and a function zone with :func:`inspector.geo.attribution.locate` at the
time of recording; without a position of its own it takes the ledger's.

Every mutation runs in one ``atomic()`` with its audit entry and returns a
small summary dictionary that also tells what changed (:class:`inspector.store.changes.Outcome`).
"""
from __future__ import annotations

import json
import math
from typing import Any, Sequence

from inspector.casework.cases import resolve_case
from inspector.casework.signatures import Signature, record_signatures, store_signatures
from inspector.errors import BadInput, NotFound
from inspector.geo.attribution import locate
from inspector.geo.gnss_quality import checked_quality
from inspector.patrols.patrols import linked_patrol_uuid
from inspector.store.changes import Outcome, recording
from inspector.store.db import Row, atomic
from inspector.store.record_store import insert_record, to_json
from inspector.store.workspace import Workspace, utc_now

ASSESSMENTS = ("确认问题", "排除", "待定")
POSITION_SOURCES = ("device_gps", "photo_exif", "map_pick", "ledger")
DEFAULT_ACTIVITY_TYPES = ("采矿采砂", "工矿企业", "旅游设施", "水电设施", "码头", "养殖", "违法建筑",
                          "侵占湿地", "挤占河湖岸", "其他")
ACTIVITY_TYPES_META_KEY = "activity_types"  # JSON list overriding the defaults
FINDING_COLUMNS = ("id", "uuid", "case_id", "inspector", "observed_at_utc", "lon", "lat", "position_source",
                   "accuracy_m", "activity_type", "description", "area_m2", "area_is_estimate", "assessment",
                   "basis", "function_zone", "zones", "patrol_uuid", "fix_type", "satellites", "hdop", "revision",
                   "updated_at", "recorded_by", "voided_at", "voided_by", "void_reason")


def activity_types(ws: Workspace) -> list[str]:
    """The activity types this workspace accepts (meta ``activity_types`` or the defaults)."""
    raw = ws.meta(ACTIVITY_TYPES_META_KEY)
    if raw:
        try:
            values = json.loads(raw)
        except ValueError:
            values = None
        if isinstance(values, list) and values and all(isinstance(v, str) and v for v in values):
            return values
    return list(DEFAULT_ACTIVITY_TYPES)


def set_activity_types(ws: Workspace, types: list[str]) -> None:
    cleaned = [t.strip() for t in types if t and t.strip()]
    if not cleaned:
        raise BadInput("活动类型列表不能为空", "the list of activity types cannot be empty")
    with atomic(ws.conn):
        ws.set_meta(ACTIVITY_TYPES_META_KEY, json.dumps(cleaned, ensure_ascii=False))


def _check_position(ws: Workspace, lon: float, lat: float) -> None:
    from inspector.geo.attribution import lookup_for

    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise BadInput(f"坐标无效：{lon}, {lat}", f"invalid coordinates: {lon}, {lat}")
    if abs(lon) < 1e-9 and abs(lat) < 1e-9:
        raise BadInput("坐标 (0, 0) 是占位值，不是位置", "(0, 0) is a placeholder, not a position")
    if not lookup_for(ws).admin.in_province(lon, lat):
        raise BadInput(f"坐标不在江苏省内：{lon}, {lat}", f"position is outside Jiangsu: {lon}, {lat}")


def finding_dict(row: Row) -> dict[str, Any]:
    data = {key: row[key] for key in FINDING_COLUMNS}
    data["zones"] = json.loads(data["zones"] or "[]")
    data["area_is_estimate"] = bool(data["area_is_estimate"])
    return data


def add_finding(ws: Workspace, case_ref: str, *, assessment: str, activity_type: str, description: str,
                lon: float | None = None, lat: float | None = None, position_source: str | None = None,
                accuracy_m: float | None = None, area_m2: float | None = None, area_is_estimate: bool = True,
                basis: str | None = None, inspector: str | None = None, observed_at_utc: str | None = None,
                actor: str | None = None, signatures: Sequence[Signature] = (), fix_type: str | None = None,
                satellites: int | None = None, hdop: float | None = None) -> Outcome:
    """Record a finding for a case; returns the stored finding as a dictionary (and what changed).
    ``signatures`` (the inspector's, the inspected party's) sign it, recorded in the same transaction.
    ``fix_type``, ``satellites``, ``hdop`` (with ``accuracy_m``) are the GNSS quality of a position from the
    GPS (:func:`inspector.geo.gnss_quality.checked_quality`)."""
    case = resolve_case(ws, case_ref)
    if assessment not in ASSESSMENTS:
        raise BadInput(f"核查结论须为 {'/'.join(ASSESSMENTS)}，而不是：{assessment}",
                       f"assessment must be one of {'/'.join(ASSESSMENTS)}, not: {assessment}")
    allowed = activity_types(ws)
    if activity_type not in allowed:
        raise BadInput(f"活动类型须为 {'、'.join(allowed)} 之一，而不是：{activity_type}",
                       f"activity type must be one of {', '.join(allowed)}, not: {activity_type}")
    if (lon is None) != (lat is None):
        raise BadInput("经度和纬度须同时给出", "give both longitude and latitude, or neither")
    if lon is None or lat is None:
        lon, lat, position_source = case["lon"], case["lat"], "ledger"
    else:
        _check_position(ws, lon, lat)
        position_source = position_source or "map_pick"
    if position_source not in POSITION_SOURCES:
        raise BadInput(f"位置来源须为 {'/'.join(POSITION_SOURCES)}", f"position source must be one of "
                       f"{'/'.join(POSITION_SOURCES)}")
    if area_m2 is not None and not (math.isfinite(area_m2) and area_m2 >= 0):
        raise BadInput(f"面积无效：{area_m2}", f"invalid area: {area_m2}")
    quality = checked_quality(fix_type, satellites, hdop, accuracy_m)
    place = locate(ws, lon, lat)
    values = {
        "case_id": case["id"], "inspector": inspector, "observed_at_utc": observed_at_utc or utc_now(),
        "lon": lon, "lat": lat, "position_source": position_source, "accuracy_m": accuracy_m,
        "activity_type": activity_type, "description": description or "", "area_m2": area_m2,
        "area_is_estimate": int(bool(area_is_estimate)), "assessment": assessment, "basis": basis,
        "function_zone": place["function_zone"], "zones": to_json(place["zones"]), **quality,
    }
    stored = store_signatures(ws, signatures)
    recorded_by = actor or inspector or "inspector"
    with recording(ws.conn) as journal, atomic(ws.conn):
        values["patrol_uuid"] = linked_patrol_uuid(ws.conn, recorded_by)
        _, uuid = insert_record(ws.conn, "findings", values, actor=recorded_by, action="finding.add")
        signature_uuids = record_signatures(ws, case["id"], uuid, "inspection", stored, actor=recorded_by)
    result = finding_dict(resolve_finding(ws, uuid, case_id=case["id"]))
    return Outcome({**result, "case_no": case["case_no"], "zone_names": [z["name"] for z in result["zones"]],
                    **({"signature_uuids": signature_uuids} if signature_uuids else {})}, journal.changes)


def resolve_finding(ws: Workspace, ref: str | int, *, case_id: int | None = None) -> Row:
    """A finding row by UUID or local id (optionally it must belong to ``case_id``)."""
    text = str(ref).strip()
    column = "id" if text.isdigit() else "uuid"
    value: Any = int(text) if text.isdigit() else text.lower()
    row = ws.conn.execute(
        f"SELECT {', '.join(FINDING_COLUMNS)} FROM findings WHERE {column} = ? AND deleted = 0", (value,)
    ).fetchone()
    if row is None or (case_id is not None and row["case_id"] != case_id):
        raise NotFound(f"找不到该问题的核查记录：{ref}", f"no such finding for this case: {ref}")
    return row


def list_findings(ws: Workspace, case_ref: str) -> list[dict[str, Any]]:
    case = resolve_case(ws, case_ref)
    rows = ws.conn.execute(
        f"SELECT {', '.join(FINDING_COLUMNS)} FROM findings WHERE case_id = ? AND deleted = 0 ORDER BY id",
        (case["id"],),
    ).fetchall()
    return [finding_dict(r) for r in rows]
