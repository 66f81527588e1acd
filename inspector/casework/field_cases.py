"""Problems found in the field (现场发现): cases an inspector records on a device, with a provisional number.

A case found on patrol is not in any ledger. :func:`create_field_case` records
it like any other case — a point, or a polygon (GeoJSON) whose representative
point is guaranteed inside it and whose area is computed in the Gauss-Krüger
zone — with ``origin = 'field'`` and a provisional number
``临-<device id>-<n>``: the device id is the one the device's local user is
named after (:func:`inspector.accounts.sign_in.device_id`) and ``n`` counts up
per device in the workspace's meta (``field_case_counter``), so a number is
never given twice, even after the office renamed or deleted a case. The case is
attributed (zones, city, county) and dirty, so the next sync pushes it; the
server accepts it inside the pusher's jurisdiction and the office later gives
it the official 问题编号, which comes back with a pull.

:func:`parse_case_polygon` reads a polygon with the one polygon parser
(:func:`inspector.geo.patch_geometry.parse_geojson_polygon`: type, vertex
limit, coordinates in Jiangsu, made valid) and rounds it as it is stored. The
sync server checks a device-created case's polygon with the same function.
"""
from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any, Optional

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from inspector.errors import BadInput
from inspector.geo.patch_geometry import parse_geojson_polygon, polygonal_part, representative_point
from inspector.store import audit
from inspector.store.changes import Outcome, note_cases, recording
from inspector.store.db import atomic
from inspector.store.workspace import Workspace, new_uuid, utc_now

PROVISIONAL_PREFIX = "临"
COUNTER_META_KEY = "field_case_counter"  # the last n given on this device
FIELD_CLUE_SOURCE = "现场发现"
MAX_POLYGON_VERTICES = 4000  # vertices of a field-drawn polygon (it travels in one synced JSON text)
MAX_POLYGON_FILE_BYTES = 2_000_000  # bytes of a --polygon file
COORDINATE_DECIMALS = 7  # degrees, about 1 cm: what a polygon is stored with
INSIDE_TOLERANCE_DEG = 1e-7  # degrees (about 1 cm): a representative point this close to its polygon is inside
MAX_TEXT_CHARS = 20_000  # characters of a description (the record schema's limit)
MAX_LABEL_CHARS = 500  # characters of a problem type


def _invalid(zh: str, en: str) -> BadInput:
    return BadInput(f"范围多边形无效：{zh}", f"invalid polygon: {en}")


def parse_case_polygon(text: str) -> BaseGeometry:
    """A validated Polygon/MultiPolygon (lon/lat, EPSG:4490) of at most :data:`MAX_POLYGON_VERTICES` from
    GeoJSON text, read by the one polygon parser (:func:`inspector.geo.patch_geometry.parse_geojson_polygon`)
    and rounded to :data:`COORDINATE_DECIMALS`; :class:`BadInput` for anything else."""
    geom = parse_geojson_polygon(text, MAX_POLYGON_VERTICES)
    geom = shapely.transform(geom, lambda xy: np.round(xy, COORDINATE_DECIMALS))
    if not geom.is_valid:
        geom = polygonal_part(shapely.make_valid(geom)) or shapely.Polygon()
    if geom.is_empty or geom.area == 0:
        raise _invalid("面积为零", "it has no area")
    return geom


def point_inside(geom: BaseGeometry, lon: float, lat: float) -> bool:
    """Whether (lon, lat) lies in the polygon (within about a centimetre)."""
    return bool(shapely.dwithin(geom, shapely.Point(lon, lat), INSIDE_TOLERANCE_DEG))


def read_polygon_file(path: str | Path) -> BaseGeometry:
    """The polygon of a GeoJSON file (see :func:`parse_case_polygon`)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_POLYGON_FILE_BYTES + 1)
    except OSError as exc:
        raise BadInput(f"无法读取范围文件 {path}：{exc.strerror}", f"cannot read the polygon file {path}: "
                       f"{exc.strerror}") from None
    if len(raw) > MAX_POLYGON_FILE_BYTES:
        raise _invalid(f"文件超过 {MAX_POLYGON_FILE_BYTES} 字节",
                       f"the file is larger than {MAX_POLYGON_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _invalid("文件不是 UTF-8 文本", "the file is not UTF-8 text") from None
    return parse_case_polygon(text)


def next_provisional_no(ws: Workspace) -> str:
    """The next provisional number of this device (call inside the transaction that stores it)."""
    from inspector.accounts.sign_in import device_id

    prefix = f"{PROVISIONAL_PREFIX}-{device_id(ws)}-"
    last = int(ws.meta(COUNTER_META_KEY) or 0)
    for (case_no,) in ws.conn.execute("SELECT case_no FROM cases WHERE case_no LIKE ? || '%'", (prefix,)):
        tail = case_no[len(prefix):]
        if tail.isdigit():
            last = max(last, int(tail))
    ws.set_meta(COUNTER_META_KEY, str(last + 1))
    return f"{prefix}{last + 1}"


def _checked_text(value: str, limit: int, zh: str, en: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise BadInput(f"{zh}不能为空", f"the {en} cannot be empty")
    if len(text) > limit:
        raise BadInput(f"{zh}超过 {limit} 个字符", f"the {en} is longer than {limit} characters")
    return text


def create_field_case(ws: Workspace, *, lon: Optional[float] = None, lat: Optional[float] = None,
                      polygon: Optional[BaseGeometry] = None, problem_type: str, description: str,
                      actor: str) -> Outcome:
    """Record a problem found in the field; returns the case as :func:`inspector.casework.cases.list_cases` shows
    it (and what changed). With ``polygon`` the case's point is its representative point (``lon``/``lat``, when
    given, must lie inside it); without, ``lon``/``lat`` are required and must lie in Jiangsu."""
    from inspector.casework.cases import list_cases
    from inspector.casework.findings import _check_position
    from inspector.geo.attribution import attribute_cases
    from inspector.geo.geodesy import area_m2
    from inspector.patrols.patrols import linked_patrol_uuid

    problem_type = _checked_text(problem_type, MAX_LABEL_CHARS, "问题类型", "problem type", required=True)
    description = _checked_text(description, MAX_TEXT_CHARS, "问题描述", "description", required=True)
    if (lon is None) != (lat is None):
        raise BadInput("经度和纬度须同时给出", "give both longitude and latitude, or neither")
    geometry_json, area = None, None
    if polygon is not None:
        point = representative_point(polygon)
        if lon is not None and lat is not None and not point_inside(polygon, lon, lat):
            raise BadInput(f"位置 {lon}, {lat} 不在范围多边形内",
                           f"the position {lon}, {lat} is not inside the polygon")
        if lon is None or lat is None:
            lon, lat = point
        elif not (math.isfinite(lon) and math.isfinite(lat)):
            raise BadInput(f"坐标无效：{lon}, {lat}", f"invalid coordinates: {lon}, {lat}")
        geometry_json = shapely.to_geojson(polygon)
        area = round(area_m2(polygon), 2)
    if lon is None or lat is None:
        raise BadInput("请给出位置（--lon/--lat）或范围多边形（--polygon）",
                       "give a position (--lon/--lat) or a polygon (--polygon)")
    _check_position(ws, lon, lat)
    now = utc_now()
    with recording(ws.conn) as journal, atomic(ws.conn):
        case_no = next_provisional_no(ws)
        values: dict[str, Any] = {
            "case_no": case_no, "problem_type": problem_type, "description": description, "lon": lon, "lat": lat,
            "discovered_on": now[:10], "clue_source": FIELD_CLUE_SOURCE, "area_m2": area,
            "geometry_geojson": geometry_json, "origin": "field",
        }
        values["ledger_hash"] = hashlib.sha256(json.dumps(values, ensure_ascii=False, sort_keys=True)
                                               .encode("utf-8")).hexdigest()
        uuid = new_uuid()
        patrol_uuid = linked_patrol_uuid(ws.conn, actor)
        row = {**values, "patrol_uuid": patrol_uuid, "uuid": uuid, "revision": 1, "dirty": 1, "deleted": 0,
               "created_at": now, "updated_at": now}
        cursor = ws.conn.execute(f"INSERT INTO cases ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                                 list(row.values()))
        case_id = int(cursor.lastrowid or 0)
        # who recorded it and when: in the audit chain (a field case has no ledger source row to carry it)
        audit.append(ws.conn, actor, "case.field_created", "cases", uuid, content=row)
        note_cases(ws.conn, "cases", [case_id])
        attribute_cases(ws, [case_id])
    return Outcome(list_cases(ws, refs=[uuid])[0], journal.changes)
