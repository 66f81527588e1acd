"""Jiangsu's administrative areas (行政区): province, 13 cities, their counties.

The boundaries ship in ``resources/admin/jiangsu_admin.geojson`` (built by
``scripts/build_admin_areas.py`` from public GCJ-02 data converted to
WGS84/CGCS2000: good to a few tens of metres, meant for jurisdiction, not
for metre-level checks). They are loaded into every new workspace; lookups
tell which city and county bureau a point belongs to.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from inspector.casework.authority import PROVINCE_ADCODE
from inspector.resources import resource_path
from inspector.store.db import Connection

ADMIN_GEOJSON = ("admin", "jiangsu_admin.geojson")
# Points this close to the coast or a boundary still count as Jiangsu (the
# boundaries are approximate and do not cover tidal flats), metres.
PROVINCE_TOLERANCE_M = 10_000.0
# A point in no county (sea, gaps) goes to the nearest county within this, metres.
COUNTY_SNAP_M = 10_000.0


def load_bundled_admin_areas(conn: Connection, path: Path | None = None) -> int:
    """Insert the bundled admin areas into a workspace; returns the number of areas."""
    path = path or resource_path(*ADMIN_GEOJSON)
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    rows = []
    for feature in data["features"]:
        props = feature["properties"]
        geom = shapely.geometry.shape(feature["geometry"])
        rows.append((props["adcode"], props["name"], props["level"], props.get("parent_adcode"),
                     shapely.to_wkb(geom)))
    conn.executemany(
        "INSERT OR REPLACE INTO admin_areas (adcode, name, level, parent_adcode, geom) "
        "VALUES (?, ?, ?, ?, CastToMultiPolygon(GeomFromWKB(?, 4490)))",
        rows,
    )
    return len(rows)


class AdminLookup:
    """Which province / city / county a point falls in."""

    def __init__(self, conn: Connection) -> None:
        from inspector.geo.spatial_index import PolygonIndex

        self._names = {
            r["adcode"]: (r["name"], r["level"], r["parent_adcode"])
            for r in conn.execute("SELECT adcode, name, level, parent_adcode FROM admin_areas")
        }
        self.counties = PolygonIndex(conn, "admin_areas", key="adcode", where="level = 'county'")
        self.province = PolygonIndex(conn, "admin_areas", key="adcode", where="level = 'province'")

    def in_province(self, lon: float, lat: float) -> bool:
        return bool(self.in_province_many(np.array([lon]), np.array([lat]))[0])

    def in_province_many(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Whether each point lies in Jiangsu or within the tolerance of its outline."""
        if not len(self.province):
            return np.ones(len(lons), dtype=bool)  # a workspace without admin areas cannot judge
        inside = np.array([bool(hits) for hits in self.province.containing_many(lons, lats)], dtype=bool)
        outside = np.flatnonzero(~inside)
        if len(outside):
            near = self.province.nearest_many(lons[outside], lats[outside], max_m=PROVINCE_TOLERANCE_M)
            inside[outside] = [n is not None for n in near]
        return inside

    def county_of(self, lon: float, lat: float) -> str | None:
        return self.counties_of(np.array([lon]), np.array([lat]))[0]

    def counties_of(self, lons: np.ndarray, lats: np.ndarray) -> list[str | None]:
        """The county adcode of each point; points in no county snap to the nearest one."""
        found = [hits[0] if hits else None for hits in self.counties.containing_many(lons, lats)]
        missing = [i for i, county in enumerate(found) if county is None]
        if missing:
            snapped = self.counties.nearest_many(lons[missing], lats[missing], max_m=COUNTY_SNAP_M)
            for i, near in zip(missing, snapped):
                found[i] = near[0] if near else None
        return found

    def describe(self, county_adcode: str | None) -> dict[str, Any]:
        """``{"province", "city", "city_adcode", "county", "county_adcode"}`` for a county."""
        result: dict[str, Any] = {
            "province": self._names.get(PROVINCE_ADCODE, ("江苏省",))[0],
            "city": None, "city_adcode": None, "county": None, "county_adcode": None,
        }
        if county_adcode and county_adcode in self._names:
            name, _level, parent = self._names[county_adcode]
            result.update(county=name, county_adcode=county_adcode)
            if parent in self._names:
                result.update(city=self._names[parent][0], city_adcode=parent)
        return result

    def locate(self, lon: float, lat: float) -> dict[str, Any]:
        return self.describe(self.county_of(lon, lat))


def bundled_admin_lookup() -> AdminLookup:
    """An :class:`AdminLookup` over the bundled boundaries alone, without a workspace (the sync server's API
    processes judge where a device-created case lies with it). Every boundary is loaded up front, so lookups
    never touch its private in-memory database again and may run on any thread."""
    from inspector.store.db import connect_memory

    conn = connect_memory()
    conn.execute("CREATE TABLE admin_areas (adcode TEXT PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL, "
                 "parent_adcode TEXT, geom BLOB)")
    load_bundled_admin_areas(conn)
    lookup = AdminLookup(conn)
    lookup.counties.load_all()
    lookup.province.load_all()
    return lookup
