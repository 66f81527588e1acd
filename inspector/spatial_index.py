"""Point-in-polygon and nearest-polygon lookups over a polygon table.

:class:`PolygonIndex` keeps an STRtree of the polygons' bounding boxes in
memory (cheap to build: the boxes come from the SpatiaLite blob headers) and
loads, parses and *prepares* the exact geometries only when a query first
needs them. One-shot lookups therefore touch a handful of geometries, while
repeated lookups (attributing a 50,000-row ledger, a GPS geofence) run at
prepared-geometry speed. The exact geometries stay in the database.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import shapely

from inspector import geodesy

_LOAD_CHUNK = 500  # ids per SELECT when loading geometries


class PolygonIndex:
    """Lookups over ``table`` (which has ``id`` and a ``geom`` column)."""

    def __init__(self, conn: Any, table: str, *, key: str = "id", where: str = "1") -> None:
        self._conn = conn
        self._table = table
        self._key = key
        rows = conn.execute(
            f"SELECT {key}, MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), MbrMaxY(geom) "
            f"FROM {table} WHERE geom IS NOT NULL AND ({where})"
        ).fetchall()
        self.keys: list[Any] = [r[0] for r in rows]
        boxes = np.array([r[1:] for r in rows], dtype=float).reshape(-1, 4)
        self._tree = shapely.STRtree(shapely.box(boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]))
        self._geoms: list[Any] = [None] * len(rows)

    def __len__(self) -> int:
        return len(self.keys)

    # -- geometry cache ----------------------------------------------------
    def _ensure_loaded(self, positions: Iterable[int]) -> None:
        missing = [int(p) for p in set(positions) if self._geoms[int(p)] is None]
        for start in range(0, len(missing), _LOAD_CHUNK):
            chunk = missing[start : start + _LOAD_CHUNK]
            by_key = {self.keys[p]: p for p in chunk}
            marks = ",".join("?" * len(chunk))
            for key, wkb in self._conn.execute(
                f"SELECT {self._key}, AsBinary(geom) FROM {self._table} WHERE {self._key} IN ({marks})",
                list(by_key),
            ):
                geom = shapely.from_wkb(wkb)
                shapely.prepare(geom)
                self._geoms[by_key[key]] = geom

    def geometry(self, position: int) -> Any:
        self._ensure_loaded([position])
        return self._geoms[position]

    # -- queries -------------------------------------------------------------
    def containing(self, lon: float, lat: float) -> list[Any]:
        """Keys of all polygons containing the point (boundary counts as inside)."""
        candidates = self._tree.query(shapely.Point(lon, lat))
        self._ensure_loaded(candidates)
        return [
            self.keys[p]
            for p in sorted(candidates)
            if shapely.intersects_xy(self._geoms[p], lon, lat)
        ]

    def containing_many(self, lons: np.ndarray, lats: np.ndarray) -> list[list[Any]]:
        """For each point, the keys of the polygons containing it (vectorised)."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        point_idx, poly_idx = self._tree.query(points)
        self._ensure_loaded(np.unique(poly_idx))
        result: list[list[Any]] = [[] for _ in range(len(points))]
        order = np.argsort(poly_idx, kind="stable")
        point_idx, poly_idx = point_idx[order], poly_idx[order]
        bounds = np.flatnonzero(np.diff(poly_idx)) + 1
        for pts, polys in zip(np.split(point_idx, bounds), np.split(poly_idx, bounds)):
            if len(polys) == 0:
                continue
            geom = self._geoms[polys[0]]
            inside = shapely.intersects_xy(geom, shapely.get_x(points[pts]), shapely.get_y(points[pts]))
            for p in pts[inside]:
                result[p].append(self.keys[polys[0]])
        return result

    def nearest(self, lon: float, lat: float, *, max_m: float = 50_000.0) -> tuple[Any, float] | None:
        """The nearest polygon's key and its distance in metres, within ``max_m``.

        Box distances in degrees only pick candidates; the exact distance is
        measured in the Gauss-Krüger zone, widening the search until the best
        exact distance is provably the smallest.
        """
        if not self.keys:
            return None
        point = shapely.Point(lon, lat)
        radius_m = 500.0
        while True:
            radius_deg = geodesy.metres_to_degrees(radius_m, lat)
            candidates = self._tree.query(point, predicate="dwithin", distance=radius_deg)
            if len(candidates):
                self._ensure_loaded(candidates)
                best = min(
                    (geodesy.distance_m(self._geoms[p], lon, lat), p) for p in candidates
                )
                if best[0] <= radius_m:
                    return self.keys[best[1]], best[0]
            if radius_m >= max_m:
                return None
            radius_m = min(radius_m * 4, max_m)
