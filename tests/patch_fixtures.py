"""A patch case for map and extent tests: a demo case given a delivered polygon (变化图斑) around its point.

Until ``import-patches`` lands in every branch, tests give a case its extent directly in the workspace, the
way an import leaves it: ``geometry_geojson`` in EPSG:4490 with the case's point inside, ``area_m2`` its area.
"""
from __future__ import annotations

import json
import math

import shapely

from inspector.geo.geodesy import area_m2
from inspector.store.workspace import Workspace

PATCH_VERTICES = 400  # vertices of the wavy outline: enough for the coarse zoom levels to drop most


def patch_polygon(lon: float, lat: float, radius_deg: float = 0.002) -> shapely.Polygon:
    """A wavy ring around (lon, lat) with :data:`PATCH_VERTICES` vertices (≈200 m across)."""
    ring = []
    for i in range(PATCH_VERTICES):
        angle = 2 * math.pi * i / PATCH_VERTICES
        r = radius_deg * (1 + 0.08 * math.sin(12 * angle))
        ring.append((lon + r * math.cos(angle), lat + r * math.sin(angle)))
    return shapely.Polygon(ring)


def give_patch(ws: Workspace, case_no: str) -> shapely.Polygon:
    """Give the case a delivered polygon around its point, as an import of patches would; returns it."""
    lon, lat = ws.conn.execute("SELECT lon, lat FROM cases WHERE case_no = ?", (case_no,)).fetchone()
    polygon = patch_polygon(lon, lat)
    ws.conn.execute("UPDATE cases SET geometry_geojson = ?, area_m2 = ?, origin = 'patch' WHERE case_no = ?",
                    (json.dumps(shapely.geometry.mapping(polygon)), area_m2(polygon), case_no))
    ws.conn.commit()
    return polygon
