"""The extent of a case: a change patch (变化图斑) or a verified / field-drawn polygon.

Shared helpers for everything that gives a case a polygon (``import-patches``, ``case new --polygon``,
the verified extent edited on the map):

- :func:`representative_point`: a point guaranteed inside the polygon (GEOS ``PointOnSurface``), never
  the centroid, which falls outside an L-shape or between the parts of a multipolygon
  (:func:`representative_points` for an array of polygons at once);
- :func:`area_m2`: the area in the polygon's CGCS2000 3-degree Gauss-Krüger zone
  (:mod:`inspector.geo.geodesy`);
- :func:`parse_geojson_polygon`: GeoJSON text from outside (a file, the map bridge) checked before use:
  bounded size and vertex count, Polygon/MultiPolygon only, finite coordinates inside Jiangsu, made valid;
  anything else is :class:`~inspector.errors.BadInput` with the reason;
- :func:`geometry_geojson`: the stored form (EPSG:4490 lon/lat GeoJSON text); :func:`stored_geometries`
  gives it for an array of polygons, with the polygons that text parses back to.
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np
import shapely
import shapely.geometry
from shapely.geometry.base import BaseGeometry

from inspector.errors import BadInput, Message
from inspector.geo import geodesy
from inspector.geo.zone_geometry_checks import coordinate_problems

MAX_GEOJSON_CHARS = 20_000_000  # characters of GeoJSON text accepted for one polygon
MAX_VERTICES = 200_000  # vertices of one patch polygon; remote-sensing patches have hundreds
COORDINATE_DECIMALS = 8  # degrees: about 1 mm, kept in the stored GeoJSON
GRID_DEGREES = 10.0 ** -COORDINATE_DECIMALS  # degrees: the grid stored coordinates are rounded to


def representative_point(geom: BaseGeometry) -> tuple[float, float]:
    """(lon, lat) of a point inside ``geom`` (on its largest part for a multipolygon)."""
    lons, lats = representative_points(np.array([geom], dtype=object))
    return lons[0], lats[0]


def representative_points(geoms: np.ndarray) -> tuple[list[float], list[float]]:
    """Vectorised :func:`representative_point`: the lons and lats of a point inside each polygon."""
    geoms = np.asarray(geoms, dtype=object).copy()
    if len(geoms) and shapely.is_empty(geoms).any():
        raise ValueError("empty geometry has no representative point")
    for i in np.flatnonzero(shapely.get_type_id(geoms) == shapely.GeometryType.MULTIPOLYGON):
        parts = shapely.get_parts(geoms[i])
        geoms[i] = parts[int(np.argmax(shapely.area(parts)))]
    points = shapely.point_on_surface(geoms)
    return ([round(x, COORDINATE_DECIMALS) for x in shapely.get_x(points).tolist()],
            [round(y, COORDINATE_DECIMALS) for y in shapely.get_y(points).tolist()])


def area_m2(geom_4490: BaseGeometry) -> float:
    """Area in m² of a lon/lat CGCS2000 geometry, computed in its Gauss-Krüger zone."""
    return geodesy.area_m2(geom_4490)


def geometry_geojson(geom: BaseGeometry) -> str:
    """The stored GeoJSON text of a polygon (lon/lat, rounded to about a millimetre)."""
    return str(stored_geometries(np.array([geom], dtype=object))[1][0])


def stored_geometries(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`geometry_geojson`: the polygons as stored (rounded to about a millimetre; exactly
    what parsing their text gives back) and their GeoJSON texts."""
    geoms = np.asarray(geoms, dtype=object)
    # non-empty 2D polygons on GEOS's floating precision model (what the importers make) are rounded here in
    # one pass, exactly as GEOS rounds them; the others by GEOS itself (which also turns a multipolygon of
    # one part into a polygon, and an empty polygon into an empty line)
    planar = shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON
    planar[planar] = (~shapely.has_z(geoms[planar]) & (shapely.get_precision(geoms[planar]) == 0)
                      & ~shapely.is_empty(geoms[planar]))
    stored = np.empty(len(geoms), dtype=object)
    stored[planar] = shapely.transform(geoms[planar], _on_grid)
    rounded = shapely.set_precision(geoms[~planar], GRID_DEGREES, mode="pointwise")
    # the same coordinates with GEOS's floating precision model again, as parsed text has: a geometry that
    # keeps the grid makes every later overlay (an overlap with a zone) snap to it
    stored[~planar] = shapely.set_precision(rounded, 0.0, mode="pointwise")
    return stored, shapely.to_geojson(stored)


def _on_grid(values: np.ndarray) -> np.ndarray:
    """Coordinates rounded to :data:`GRID_DEGREES` as GEOS's pointwise ``set_precision`` rounds them:
    ``round(value / grid) * grid`` with halves rounded up (Java's ``Math.round``), a zero keeping the sign of
    the value (``-0.0`` is written as such)."""
    scaled = values / GRID_DEGREES
    whole = np.floor(scaled)
    return np.copysign(whole + (scaled - whole >= 0.5), scaled) * GRID_DEGREES


def polygonal_part(geom: BaseGeometry) -> BaseGeometry | None:
    """The polygons of a geometry (e.g. after MakeValid) as one geometry, or None when it has none."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    parts = [p for p in parts if not p.is_empty and p.area > 0]
    if not parts:
        return None
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def _bad(reason: Message) -> BadInput:
    return BadInput(reason.prefixed("多边形无效：", "invalid polygon: "))


def checked_polygon(geom: Any) -> BaseGeometry:
    """A lon/lat polygon checked like :func:`parse_geojson_polygon` checks one (vertex count, finite
    coordinates inside Jiangsu, valid after repair); :class:`BadInput` otherwise."""
    if geom is None or geom.geom_type not in ("Polygon", "MultiPolygon"):
        kind = "nothing" if geom is None else geom.geom_type
        raise _bad(Message(f"只接受 Polygon 或 MultiPolygon，得到 {kind}",
                           f"only Polygon or MultiPolygon is accepted, got {kind}"))
    if geom.is_empty:
        raise _bad(Message("多边形为空", "the polygon is empty"))
    vertices = shapely.get_num_coordinates(geom)
    if vertices > MAX_VERTICES:
        raise _bad(Message(f"顶点过多（{vertices:,}，上限 {MAX_VERTICES:,}）",
                           f"too many vertices ({vertices:,}, at most {MAX_VERTICES:,})"))
    problem = coordinate_problems(np.array([geom], dtype=object))[0]
    if problem is not None:
        raise _bad(problem)
    if not shapely.is_valid(geom):
        repaired = polygonal_part(shapely.make_valid(geom))
        if repaired is None:
            raise _bad(Message("修复后不是面", "not a polygon after repair").detailed(shapely.is_valid_reason(geom)))
        geom = repaired
    return geom


def parse_geojson_polygon(text: str, max_vertices: int = MAX_VERTICES) -> BaseGeometry:
    """A lon/lat (EPSG:4490) Polygon or MultiPolygon of at most ``max_vertices`` from GeoJSON text (a geometry,
    a Feature, or a FeatureCollection of one feature), checked and made valid; :class:`BadInput` with the reason
    otherwise."""
    if len(text) > MAX_GEOJSON_CHARS:
        raise _bad(Message(f"GeoJSON 过大（{len(text):,} 个字符）", f"GeoJSON too large ({len(text):,} characters)"))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise _bad(Message("不是 GeoJSON", "not GeoJSON").detailed(exc)) from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise _bad(Message("FeatureCollection 应只含一个要素", "a FeatureCollection must hold exactly one feature"))
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise _bad(Message(f"只接受 Polygon 或 MultiPolygon，得到 {kind}",
                           f"only Polygon or MultiPolygon is accepted, got {kind}"))
    if _vertex_count(data.get("coordinates")) > max_vertices:
        raise _bad(Message(f"顶点过多（上限 {max_vertices:,}）", f"too many vertices (at most {max_vertices:,})"))
    try:
        geom = shapely.geometry.shape(data)  # Python's json reads NaN/Infinity; the check below names them
    except (shapely.errors.GEOSException, ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        raise _bad(Message("坐标无法解析", "unreadable coordinates").detailed(exc)) from None
    return checked_polygon(geom)


def _vertex_count(coordinates: Any) -> int:
    """Vertices in GeoJSON polygon coordinates, counted without recursion (so a hostile nesting cannot
    exhaust the stack); anything not a nest of lists counts as one."""
    count, stack = 0, [coordinates]
    while stack:
        item = stack.pop()
        if isinstance(item, list) and item and isinstance(item[0], list):
            stack.extend(item)
        else:
            count += 1
    return count
