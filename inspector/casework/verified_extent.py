"""The verified extent of a case (核实范围): the polygon the inspector confirmed on site, and its area (核实面积).

A remote-sensing patch (变化图斑) arrives with the extent the office delivered
(``cases.geometry_geojson``, ``area_m2``). In the field the inspector draws or
edits the extent actually found on the map; :func:`set_verified_extent` checks
what comes back from the page as hostile input — it is text from a web page —
and stores it beside the delivered one, which is never changed:
``verified_geometry_geojson`` (GeoJSON Polygon/MultiPolygon, EPSG:4490) and
``verified_area_m2`` (computed in the case's Gauss-Krüger zone). The write is
an edit of the case (revision + 1, dirty), so it syncs, with an audit entry that
hashes what it set.

:func:`parse_extent` reads it with the one polygon parser
(:func:`inspector.geo.patch_geometry.parse_geojson_polygon`: Polygon/MultiPolygon
only, finite coordinates in Jiangsu, a vertex limit, made valid) and also
requires the extent to lie near the case.
"""
from __future__ import annotations

import json
from typing import Any, Mapping

import shapely
from shapely.geometry.base import BaseGeometry

from inspector.casework.cases import resolve_case
from inspector.casework.statuses import CLOSED_STATES
from inspector.errors import BadInput
from inspector.geo.geodesy import area_m2, metres_to_degrees
from inspector.geo.patch_geometry import parse_geojson_polygon
from inspector.store import audit
from inspector.store.changes import Outcome, note_cases, recording
from inspector.store.db import atomic
from inspector.store.workspace import Workspace, utc_now

MAX_EXTENT_CHARS = 1_000_000  # characters of GeoJSON text accepted from the map page
MAX_EXTENT_VERTICES = 10_000  # vertices of one verified extent (a field sketch has tens)
NEAR_CASE_M = 3_000  # metres: every vertex lies this close to the case's point (in each axis)
COORDINATE_DIGITS = 7  # decimals of a degree kept (≈1 cm)


def _refuse(zh: str, en: str) -> BadInput:
    return BadInput(f"核实范围无效：{zh}", f"the verified extent is not valid: {en}")


def parse_extent(geojson: str | Mapping[str, Any], near: tuple[float, float]) -> BaseGeometry:
    """A valid (Multi)Polygon in lon/lat from GeoJSON text (or its decoded object) lying near ``near``: read and
    checked by the one polygon parser (:func:`inspector.geo.patch_geometry.parse_geojson_polygon`), within
    :data:`MAX_EXTENT_CHARS` and :data:`NEAR_CASE_M` of the case. :class:`BadInput` otherwise."""
    if isinstance(geojson, Mapping):
        try:
            geojson = json.dumps(geojson, allow_nan=False)
        except (TypeError, ValueError, RecursionError):
            raise _refuse("不是 GeoJSON", "it is not GeoJSON") from None
    if not isinstance(geojson, str):
        raise _refuse("须为 GeoJSON 文本", "it must be GeoJSON text")
    if len(geojson) > MAX_EXTENT_CHARS:
        raise _refuse(f"超过 {MAX_EXTENT_CHARS:,} 个字符", f"longer than {MAX_EXTENT_CHARS:,} characters")
    geom = parse_geojson_polygon(geojson, MAX_EXTENT_VERTICES)
    lon, lat = near
    west, south, east, north = geom.bounds
    span_lon, span_lat = metres_to_degrees(NEAR_CASE_M, lat), NEAR_CASE_M / 111_000.0
    if west < lon - span_lon or east > lon + span_lon or south < lat - span_lat or north > lat + span_lat:
        raise _refuse(f"超出问题点位 {NEAR_CASE_M:,} 米范围", f"it reaches beyond {NEAR_CASE_M:,} m of the case")
    return shapely.set_precision(geom, 10.0 ** -COORDINATE_DIGITS)


def set_verified_extent(ws: Workspace, case_ref: str, geojson: str | Mapping[str, Any], *, actor: str) -> Outcome:
    """Store the inspector's verified extent of a case and its area (核实面积, m²) beside the delivered one.

    Returns ``{"case_no", "uuid", "verified_area_m2", "area_m2", "verified_geometry"}`` with the change summary.
    A closed case (已销号/排除) is not changed: reopen it first.
    """
    case = resolve_case(ws, case_ref)
    if case["status"] in CLOSED_STATES:
        raise BadInput(f"问题 {case['case_no']} 已{case['status']}，不能再修改核实范围",
                       f"case {case['case_no']} is closed ({case['status']}); its verified extent cannot change")
    geom = parse_extent(geojson, (float(case["lon"]), float(case["lat"])))
    area = round(area_m2(geom), 2)
    geometry = shapely.geometry.mapping(geom)
    text = json.dumps(geometry, ensure_ascii=False, separators=(",", ":"))
    values = {"verified_geometry_geojson": text, "verified_area_m2": area}
    with recording(ws.conn) as journal, atomic(ws.conn):
        ws.conn.execute("UPDATE cases SET verified_geometry_geojson = ?, verified_area_m2 = ?, "
                        "revision = revision + 1, dirty = 1, updated_at = ? WHERE id = ?",
                        (text, area, utc_now(), case["id"]))
        # Cases are the office's ledger, not an audited table: the entry carries what this edit set.
        audit.append(ws.conn, actor, "case.verified_extent", "cases", case["uuid"], content=values)
        note_cases(ws.conn, "cases", [case["id"]])
    return Outcome({"case_no": case["case_no"], "uuid": case["uuid"], "verified_area_m2": area,
                    "area_m2": case["area_m2"], "verified_geometry": json.loads(text)}, journal.changes)
