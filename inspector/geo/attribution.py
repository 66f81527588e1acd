"""Spatial attribution: which zones, function zone and city/county a point or a patch belongs to.

One lookup serves ``inspector locate``, every imported case, and later
findings and the GUI geofence. Zone and admin indexes are cached on the
workspace and rebuilt when the zones generation changes. A case with a
polygon (a change patch) is attributed to every zone it overlaps, with the
overlapping area in m² and as a share of the patch (``case_zones.overlap_m2``
/ ``overlap_share``); its city/county and nearest zone come from its
representative point, like a point case's. :func:`attributions` computes all of it for cases given
by their point and polygon and writes nothing, so that an importer holding the polygons stores it with
its rows; :func:`attribute_cases` does it for cases already stored.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from inspector.geo import geodesy
from inspector.geo.admin_areas import AdminLookup
from inspector.geo.spatial_index import PolygonIndex
from inspector.store.changes import note_all_cases, note_cases
from inspector.store.db import Connection, atomic, insert_rows
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

    def load_all(self) -> None:
        """Load every zone and admin geometry now: the lookups then never read the database, so that a
        helper thread may run them while the workspace's connection writes."""
        for index in (self.zones, self.admin.counties, self.admin.province):
            index.load_all(nearest=True)

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


ATTRIBUTION_COLUMNS = ("city_adcode", "county_adcode", "nearest_zone_id", "nearest_distance_m",
                       "attributed_generation")
# (zone id, overlap m², overlap share of the polygon); both None for a point case
ZoneLink = tuple[int, float | None, float | None]
# a case's polygon (lon/lat, as its stored GeoJSON parses) and that polygon's Gauss-Krüger area, m²
MeasuredPolygon = tuple[BaseGeometry, float]


@dataclass(frozen=True)
class Attribution:
    """Where one case lies: the values of :data:`ATTRIBUTION_COLUMNS` and the zones it lies in."""

    columns: tuple[Any, ...]
    zones: list[ZoneLink]


def attribute_cases(ws: Workspace, case_ids: list[int] | None = None) -> int:
    """(Re)compute zones, nearest zone and city/county for cases (every case by default); returns how many."""
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
    found = attributions(ws, np.array([r[1] for r in rows], dtype=float), np.array([r[2] for r in rows], dtype=float),
                         _stored_polygons([r[3] for r in rows]))
    with atomic(conn):
        if case_ids is None:
            note_all_cases(conn, "cases")
        else:
            note_cases(conn, "cases", ids)
        write_zone_links(conn, ids, found)
        conn.executemany(
            f"UPDATE cases SET {', '.join(f'{c} = ?' for c in ATTRIBUTION_COLUMNS)} WHERE id = ?",
            [(*attribution.columns, case_id) for case_id, attribution in zip(ids, found)])
    return len(ids)


def attributions(ws: Workspace, lons: np.ndarray, lats: np.ndarray,
                 polygons: Sequence[MeasuredPolygon | None]) -> list[Attribution]:
    """The attribution of each case at (``lons[i]``, ``lats[i]``) with the polygon ``polygons[i]`` (None for
    a point case), computed for all at once and written nowhere: a case with a polygon lies in every zone it
    overlaps, a point case in every zone containing it; the nearest zone (when the point is in none) and
    the city/county come from the point. An importer that has the polygons at hand writes these with its
    rows (:func:`write_zone_links`); :func:`attribute_cases` computes them for stored cases."""
    return lookup_attributions(lookup_for(ws), lons, lats, polygons)


def lookup_attributions(lookup: Lookup, lons: np.ndarray, lats: np.ndarray,
                        polygons: Sequence[MeasuredPolygon | None]) -> list[Attribution]:
    """:func:`attributions` with the workspace's lookup at hand (:func:`lookup_for`): with its geometries
    loaded (:meth:`Lookup.load_all`) it reads nothing from the database and may run in a helper thread."""
    lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    containing = lookup.zones.containing_many(lons, lats)
    outside = np.array([not zone_ids for zone_ids in containing], dtype=bool)
    nearest: list[Any] = [None] * len(lons)
    for i, found in zip(np.flatnonzero(outside),
                        lookup.zones.nearest_many(lons[outside], lats[outside], max_m=NEAREST_SEARCH_M)):
        nearest[i] = found
    overlaps = _patch_overlaps(lookup, polygons)
    counties = lookup.admin.counties_of(lons, lats)
    # county → (city adcode, county adcode): a batch of cases shares a few dozen counties
    adcodes: dict[str | None, tuple[Any, Any]] = {}
    for county in set(counties):
        admin = lookup.admin.describe(county)
        adcodes[county] = (admin["city_adcode"], admin["county_adcode"])
    result = []
    for zone_ids, overlap, found, county in zip(containing, overlaps, nearest, counties):
        links: list[ZoneLink] = overlap if overlap is not None else [(zid, None, None) for zid in zone_ids]
        nearest_id, nearest_m = (found[0], round(found[1], 1)) if found else (None, None)
        result.append(Attribution((*adcodes[county], nearest_id, nearest_m, lookup.generation), links))
    return result


def write_zone_links(conn: Connection, case_ids: list[int], found: list[Attribution]) -> None:
    """Replace the zones (``case_zones``) of the cases by those of their attributions."""
    for start in range(0, len(case_ids), 900):
        chunk = case_ids[start : start + 900]
        conn.execute(f"DELETE FROM case_zones WHERE case_id IN ({','.join('?' * len(chunk))})", chunk)
    insert_rows(conn, "INSERT OR IGNORE INTO case_zones (case_id, zone_id, overlap_m2, overlap_share)",
                [(case_id, *link) for case_id, attribution in zip(case_ids, found) for link in attribution.zones])


def _stored_polygons(texts: list[str | None]) -> list[MeasuredPolygon | None]:
    """The polygons of stored GeoJSON texts with their areas; None where there is no text, or one that is
    unreadable or empty (such a case is attributed as a point)."""
    present = [i for i, text in enumerate(texts) if text]
    parsed = shapely.from_geojson(np.array([texts[i] for i in present], dtype=object), on_invalid="ignore")
    readable = [(i, geom) for i, geom in zip(present, parsed) if geom is not None and not geom.is_empty]
    areas = geodesy.areas_m2(np.array([geom for _, geom in readable], dtype=object))
    result: list[MeasuredPolygon | None] = [None] * len(texts)
    for (i, geom), area in zip(readable, areas.tolist()):
        result[i] = (geom, area)
    return result


def _patch_overlaps(lookup: Lookup, polygons: Sequence[MeasuredPolygon | None]) -> list[list[ZoneLink] | None]:
    """For each polygon: (zone id, overlap m², overlap share of the polygon) of every zone it overlaps (an
    empty list when none); None for a point case."""
    present = [(i, polygon) for i, polygon in enumerate(polygons) if polygon is not None]
    result: list[list[ZoneLink] | None] = [None] * len(polygons)
    if not present:
        return result
    areas = np.array([area for _, (_, area) in present], dtype=float)
    geom_pos, zone_pos, overlap = lookup.zones.overlapping_many(
        np.array([geom for _, (geom, _) in present], dtype=object), areas)
    links: list[list[ZoneLink]] = [[] for _ in present]
    for g, z, m2 in zip(geom_pos, zone_pos, overlap):
        share = min(float(m2) / areas[g], 1.0) if areas[g] > 0 else 0.0
        links[g].append((lookup.zones.keys[z], round(float(m2), 2), round(share, 6)))
    for (i, _), found in zip(present, links):
        result[i] = found
    return result
