"""Spatial attribution: which zones, function zone and city/county a point or a patch belongs to.

One lookup serves ``inspector locate``, every imported case, and later
findings and the GUI geofence. Zone and admin indexes are cached on the
workspace and rebuilt when the zones generation changes. A case with a
polygon (a change patch) is attributed to every zone it overlaps, with the
overlapping area in m² and as a share of the patch (``case_zones.overlap_m2``
/ ``overlap_share``); its city/county and nearest zone come from its
representative point, like a point case's.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from inspector.geo import geodesy
from inspector.geo.admin_areas import AdminLookup
from inspector.geo.spatial_index import PolygonIndex
from inspector.store.changes import note_all_cases, note_cases
from inspector.store.db import atomic
from inspector.store.workspace import Workspace
from inspector.vocabulary import FUNCTION_ZONES, KIND_PROTECTED_AREA, KIND_RED_LINE, KINDS

NEAREST_SEARCH_M = 50_000.0  # how far `nearest` looks, metres
_ZONE_FIELDS = ("id", "uuid", "name", "code", "kind", "category", "function_zone", "level", "adcode")


class Lookup:
    """Zone and admin indexes of one workspace at one zones generation."""

    def __init__(self, ws: Workspace) -> None:
        self.generation = ws.zones_generation
        self.zones = PolygonIndex(ws.conn, "zones", where="deleted = 0")
        self.admin = AdminLookup(ws.conn)
        self._conn = ws.conn

    def zone_records(self, ids: Iterable[int]) -> list[dict[str, Any]]:
        ids = list(ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._conn.execute(
            f"SELECT {', '.join(_ZONE_FIELDS)} FROM zones WHERE id IN ({marks})", ids
        ).fetchall()
        records = [dict(zip(_ZONE_FIELDS, row)) for row in rows]
        return sorted(records, key=zone_precedence)


def zone_precedence(zone: dict[str, Any]) -> tuple[int, int, str]:
    """Strictest first: red line, protected area, control area; core zone before general."""
    kind_rank = {KIND_RED_LINE: 0, KIND_PROTECTED_AREA: 1}.get(zone["kind"], 2 if zone["kind"] in KINDS else 3)
    fz = zone["function_zone"]
    fz_rank = FUNCTION_ZONES.index(fz) if fz in FUNCTION_ZONES else len(FUNCTION_ZONES)
    return kind_rank, fz_rank, zone["name"] or ""


def lookup_for(ws: Workspace) -> Lookup:
    cached = getattr(ws, "_lookup", None)
    if cached is None or cached.generation != ws.zones_generation:
        cached = Lookup(ws)
        ws._lookup = cached  # type: ignore[attr-defined]  # kept with the workspace it was built from
    return cached


def forget_lookup(ws: Workspace) -> None:
    """Drop the cached indexes (after a rolled-back zone change they may describe zones that are gone)."""
    vars(ws).pop("_lookup", None)


def strictest_function_zone(zones: list[dict[str, Any]]) -> str | None:
    for zone in zones:
        if zone["function_zone"]:
            return zone["function_zone"]
    return None


def locate(ws: Workspace, lon: float, lat: float) -> dict[str, Any]:
    """Zones containing the point, the nearest zone when none does, and the admin area."""
    lookup = lookup_for(ws)
    zones = lookup.zone_records(lookup.zones.containing(lon, lat))
    nearest = None
    if not zones:
        found = lookup.zones.nearest(lon, lat, max_m=NEAREST_SEARCH_M)
        if found:
            record = lookup.zone_records([found[0]])[0]
            nearest = {**zone_summary(record), "distance_m": round(found[1], 1)}
    return {
        "lon": lon,
        "lat": lat,
        "zones": [zone_summary(z) for z in zones],
        "function_zone": strictest_function_zone(zones),
        "nearest": nearest,
        "admin": lookup.admin.locate(lon, lat),
        "in_jiangsu": lookup.admin.in_province(lon, lat),
    }


def zone_summary(zone: Any) -> dict[str, Any]:
    """What callers are told about a zone (a record dict or a database row)."""
    return {k: zone[k] for k in ("uuid", "name", "code", "kind", "category", "function_zone", "level")}


def attribute_cases(ws: Workspace, case_ids: list[int] | None = None,
                    polygons: Mapping[int, tuple[BaseGeometry, float]] | None = None) -> int:
    """(Re)compute zones, nearest zone and city/county for cases; returns how many.

    ``polygons``: for cases the caller has just written, the polygon their ``geometry_geojson`` holds
    (lon/lat, as parsed from that text) and its Gauss-Krüger area in m², so that the stored text is not
    parsed and measured again; any other case's polygon is read from the database."""
    lookup = lookup_for(ws)
    conn = ws.conn
    if case_ids is None:
        rows = conn.execute("SELECT id, lon, lat, geometry_geojson FROM cases WHERE deleted = 0").fetchall()
    else:
        rows = []
        for start in range(0, len(case_ids), 900):
            chunk = case_ids[start : start + 900]
            rows += conn.execute(
                f"SELECT id, lon, lat, geometry_geojson FROM cases WHERE id IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall()
    if not rows:
        return 0
    ids = [r[0] for r in rows]
    lons = np.array([r[1] for r in rows], dtype=float)
    lats = np.array([r[2] for r in rows], dtype=float)
    containing = lookup.zones.containing_many(lons, lats)
    outside = np.array([not zone_ids for zone_ids in containing], dtype=bool)
    nearest: list[Any] = [None] * len(ids)
    for i, found in zip(np.flatnonzero(outside),
                        lookup.zones.nearest_many(lons[outside], lats[outside], max_m=NEAREST_SEARCH_M)):
        nearest[i] = found
    overlaps = _patch_overlaps(lookup, rows, polygons or {})
    counties = lookup.admin.counties_of(lons, lats)
    links: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    for case_id, zone_ids, found, county in zip(ids, containing, nearest, counties):
        if case_id in overlaps:
            links.extend((case_id, *overlap) for overlap in overlaps[case_id])
        else:
            links.extend((case_id, zid, None, None) for zid in zone_ids)
        nearest_id, nearest_m = (found[0], round(found[1], 1)) if found else (None, None)
        admin = lookup.admin.describe(county)
        updates.append((admin["city_adcode"], admin["county_adcode"], nearest_id, nearest_m,
                        lookup.generation, case_id))
    with atomic(conn):
        if case_ids is None:
            note_all_cases(conn, "cases")
        else:
            note_cases(conn, "cases", ids)
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            conn.execute(f"DELETE FROM case_zones WHERE case_id IN ({','.join('?' * len(chunk))})", chunk)
        conn.executemany("INSERT OR IGNORE INTO case_zones (case_id, zone_id, overlap_m2, overlap_share) "
                         "VALUES (?, ?, ?, ?)", links)
        conn.executemany(
            "UPDATE cases SET city_adcode = ?, county_adcode = ?, nearest_zone_id = ?, "
            "nearest_distance_m = ?, attributed_generation = ? WHERE id = ?",
            updates,
        )
    return len(ids)


def _patch_overlaps(lookup: Lookup, rows: list[Any], polygons: Mapping[int, tuple[BaseGeometry, float]]
                    ) -> dict[int, list[tuple[int, float, float]]]:
    """For each case row with a polygon: (zone id, overlap m², overlap share of the patch) of every zone it
    overlaps (an empty list when none). The polygon and its area come from ``polygons`` when given there,
    else from the stored GeoJSON (an unreadable or empty one is skipped)."""
    case_ids: list[int] = []
    geoms: list[BaseGeometry] = []
    areas: list[float] = []
    stored = [(row[0], row[3]) for row in rows if row[3] and row[0] not in polygons]
    parsed = shapely.from_geojson(np.array([text for _, text in stored], dtype=object), on_invalid="ignore")
    for (case_id, _), geom in zip(stored, parsed):
        if geom is not None and not geom.is_empty:
            case_ids.append(case_id)
            geoms.append(geom)
    areas += geodesy.areas_m2(np.asarray(geoms, dtype=object)).tolist()
    for row in rows:
        if row[3] and row[0] in polygons:
            case_ids.append(row[0])
            geoms.append(polygons[row[0]][0])
            areas.append(polygons[row[0]][1])
    result: dict[int, list[tuple[int, float, float]]] = {case_id: [] for case_id in case_ids}
    if not case_ids:
        return result
    patch_areas = np.asarray(areas, dtype=float)
    geom_pos, zone_pos, overlap = lookup.zones.overlapping_many(np.asarray(geoms, dtype=object), patch_areas)
    for g, z, m2 in zip(geom_pos, zone_pos, overlap):
        share = min(float(m2) / patch_areas[g], 1.0) if patch_areas[g] > 0 else 0.0
        result[case_ids[g]].append((lookup.zones.keys[z], round(float(m2), 2), round(share, 6)))
    return result
