"""Point-in-polygon and nearest-polygon lookups over a polygon table.

:class:`PolygonIndex` keeps an STRtree of the polygons' bounding boxes in
memory (cheap to build: the boxes come from the SpatiaLite blob headers) and
loads, parses and *prepares* the exact geometries only when a query first
needs them. One-shot lookups therefore touch a handful of geometries, while
repeated lookups (attributing a 50,000-row ledger, a GPS geofence) run at
prepared-geometry speed. The exact geometries stay in the database.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, cast

import numpy as np
import shapely

from inspector.geo import geodesy
from inspector.store.db import Connection

_LOAD_CHUNK = 500  # ids per SELECT when loading geometries
_METRES_PER_DEGREE = 110_574.0  # of latitude at the equator: the smallest, so a safe bound


class PolygonIndex:
    """Lookups over ``table`` (which has ``id`` and a ``geom`` column)."""

    def __init__(self, conn: Connection, table: str, *, key: str = "id", where: str = "1") -> None:
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
        self._scaled_cache: tuple[Any, np.ndarray, float] | None = None

    def __len__(self) -> int:
        return len(self.keys)

    # -- geometry cache ----------------------------------------------------
    def _ensure_loaded(self, positions: Iterable[int]) -> None:
        missing = [int(p) for p in set(positions) if self._geoms[int(p)] is None]
        for start in range(0, len(missing), _LOAD_CHUNK):
            chunk = missing[start : start + _LOAD_CHUNK]
            by_key = {self.keys[p]: p for p in chunk}
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT {self._key}, AsBinary(geom) FROM {self._table} WHERE {self._key} IN ({marks})",
                list(by_key),
            ).fetchall()
            geoms = shapely.from_wkb([wkb for _, wkb in rows])
            shapely.prepare(geoms)
            for (key, _), geom in zip(rows, geoms):
                self._geoms[by_key[key]] = geom

    def load_all(self, *, nearest: bool = False) -> None:
        """Load and prepare every geometry now (e.g. before a GPS geofence starts); with ``nearest`` also the
        frame :meth:`nearest_many` searches in. After both, no query reads the database again."""
        self._ensure_loaded(range(len(self.keys)))
        if nearest and self.keys:
            self._scaled()

    def geometry(self, position: int) -> Any:
        self._ensure_loaded([position])
        return self._geoms[position]

    # -- queries -------------------------------------------------------------
    def containing(self, lon: float, lat: float) -> list[Any]:
        """Keys of all polygons containing the point (boundary counts as inside)."""
        point = shapely.Point(lon, lat)
        found = []
        for position in self._tree.query(point):
            geom = self._geoms[position]
            if geom is None:
                self._ensure_loaded([position])
                geom = self._geoms[position]
            if geom.intersects(point):
                found.append(self.keys[position])
        return found

    def intersecting(self, geom: Any) -> list[tuple[Any, Any]]:
        """(key, exact geometry) of every polygon intersecting ``geom`` (a lon/lat shapely geometry)."""
        positions = [int(p) for p in self._tree.query(geom)]
        self._ensure_loaded(positions)
        return [(self.keys[p], self._geoms[p]) for p in positions if self._geoms[p].intersects(geom)]

    def containing_many(self, lons: np.ndarray, lats: np.ndarray) -> list[list[Any]]:
        """For each point, the keys of the polygons containing it (vectorised)."""
        lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
        point_idx, poly_idx = self._tree.query(_points(lons, lats))
        self._ensure_loaded(np.unique(poly_idx))
        result: list[list[Any]] = [[] for _ in range(len(lons))]
        order = np.lexsort((point_idx, poly_idx))  # by polygon, then point: each point's keys in index order
        point_idx, poly_idx = point_idx[order], poly_idx[order]
        inside = shapely.intersects_xy(np.asarray(self._geoms, dtype=object)[poly_idx], lons[point_idx],
                                       lats[point_idx])
        for p, g in zip(point_idx[inside].tolist(), poly_idx[inside].tolist()):
            result[p].append(self.keys[g])
        return result

    def overlapping_many(self, geoms: np.ndarray, areas: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (geometry position, polygon key position, overlap in m²) with a positive overlap between
        the lon/lat polygons ``geoms`` (whose Gauss-Krüger areas in m² are ``areas``) and the indexed
        polygons, vectorised: candidate pairs from the STRtree of boxes, the prepared polygons'
        ``contains_properly`` (a patch inside a zone overlaps it by its whole area: no intersection, no
        projection), ``intersection`` for the rest, their areas in the Gauss-Krüger zone. Keys are
        ``self.keys[position]``."""
        geoms = np.asarray(geoms, dtype=object)
        areas = np.asarray(areas, dtype=float)
        empty = np.empty(0, dtype=np.intp)
        if not len(geoms) or not self.keys:
            return empty, empty, np.empty(0)
        geom_idx, poly_idx = self._tree.query(geoms)
        if not len(geom_idx):
            return empty, empty, np.empty(0)
        self._ensure_loaded(np.unique(poly_idx))
        polys = np.asarray(self._geoms, dtype=object)[poly_idx]
        candidates = geoms[geom_idx]
        meets = shapely.intersects(polys, candidates)
        geom_idx, poly_idx, polys, candidates = geom_idx[meets], poly_idx[meets], polys[meets], candidates[meets]
        inside = shapely.contains_properly(polys, candidates)
        overlap = areas[geom_idx]
        overlap[~inside] = geodesy.areas_m2(shapely.intersection(candidates[~inside], polys[~inside]))
        positive = overlap > 0
        return geom_idx[positive], poly_idx[positive], overlap[positive]

    def _scaled(self) -> tuple[Any, np.ndarray, float]:
        """Geometries with x scaled by cos(mean latitude), and an STRtree of their boxes.

        In that frame degree distances are nearly isotropic (within ~3 % across
        Jiangsu), good enough to pick candidates; distances are then measured
        exactly in the Gauss-Krüger zone.
        """
        if self._scaled_cache is None:
            self.load_all()
            boxes = shapely.bounds(np.asarray(self._tree.geometries))
            k = math.cos(math.radians(float(np.mean((boxes[:, 1] + boxes[:, 3]) / 2))))
            scaled = shapely.transform(np.asarray(self._geoms, dtype=object), lambda c: c * (k, 1.0))
            box_tree = shapely.STRtree(shapely.box(boxes[:, 0] * k, boxes[:, 1], boxes[:, 2] * k, boxes[:, 3]))
            self._scaled_cache = (box_tree, scaled, k)
        return self._scaled_cache

    def nearest(self, lon: float, lat: float, *, max_m: float = 50_000.0) -> tuple[Any, float] | None:
        """The nearest polygon's key and its distance in metres, within ``max_m``."""
        return self.nearest_many(np.array([lon]), np.array([lat]), max_m=max_m)[0]

    def nearest_boundary(self, lon: float, lat: float, *, max_m: float = 50_000.0) -> tuple[Any, float] | None:
        """The key of the polygon whose boundary is nearest the point, and that distance in metres (within
        ``max_m``), whether the point lies inside a polygon or outside every one. The nearest polygon (0 m
        when the point is inside) bounds the search; only polygons whose boxes lie within that bound of the
        point are measured, in the Gauss-Krüger zone."""
        if not self.keys:
            return None
        point = shapely.Point(lon, lat)
        containing = [int(p) for p in self._tree.query(point) if self.geometry(int(p)).intersects(point)]
        bound = min((geodesy.distance_m(self._geoms[p].boundary, lon, lat) for p in containing), default=None)
        if bound is None:
            found = self.nearest(lon, lat, max_m=max_m)
            if found is None:
                return None
            bound = found[1]
        reach = geodesy.metres_to_degrees(min(bound, max_m) * 1.06 + 1.0, lat)
        best: tuple[Any, float] | None = None
        for position in self._tree.query(point, predicate="dwithin", distance=reach):
            metres = geodesy.distance_m(self.geometry(int(position)).boundary, lon, lat)
            if metres <= max_m and (best is None or metres < best[1]):
                best = (self.keys[int(position)], metres)
        return best

    def nearest_many(self, lons: np.ndarray, lats: np.ndarray, *,
                     max_m: float = 50_000.0) -> list[tuple[Any, float] | None]:
        """For each point, the nearest polygon's key and distance in metres (or None)."""
        lons = np.asarray(lons, dtype=float)
        lats = np.asarray(lats, dtype=float)
        result: list[tuple[Any, float] | None] = [None] * len(lons)
        if not self.keys or not len(lons):
            return result
        box_tree, scaled, k = self._scaled()
        points = _points(lons * k, lats)
        # 1) the polygon of the nearest box bounds the answer from above; 2) every polygon
        # whose box lies within that bound (plus 6 % for the frame's anisotropy) is a candidate
        max_deg = max_m / _METRES_PER_DEGREE * 1.06
        first_p, first_g = box_tree.query_nearest(points, max_distance=max_deg)
        if not len(first_p):
            return result
        # each point's closest point on each candidate; the first pairs' lines also give the bound
        first_ends = _line_ends(shapely.shortest_line(points[first_p], scaled[first_g]))
        reach = np.full(len(points), np.inf)
        np.minimum.at(reach, first_p, np.hypot(*(first_ends[:, 1] - first_ends[:, 0]).T) * 1.06 + 1e-9)
        has = np.flatnonzero(np.isfinite(reach))
        cand_p, cand_g = box_tree.query(points[has], predicate="dwithin", distance=reach[has])
        cand_p = has[cand_p]
        # the candidates in the tree's order (it breaks ties between equally near polygons); a first
        # pair's line is taken over, the others' are drawn
        first_keys = first_p * len(self.keys) + first_g
        by_key = np.argsort(first_keys)
        cand_keys = cand_p * len(self.keys) + cand_g
        at = np.minimum(np.searchsorted(first_keys, cand_keys, sorter=by_key), len(first_keys) - 1)
        known = first_keys[by_key[at]] == cand_keys
        ends = np.empty((len(cand_p), 2, 2))
        ends[known] = first_ends[by_key[at[known]]]
        ends[~known] = _line_ends(shapely.shortest_line(points[cand_p[~known]], scaled[cand_g[~known]]))
        ends[:, :, 0] /= k
        metres = np.empty(len(cand_p))
        meridians = 3 * np.round(lons[cand_p] / 3)
        for cm in np.unique(meridians):
            sel = meridians == cm
            x, y = geodesy.to_gauss_kruger(ends[sel, :, 0].ravel(), ends[sel, :, 1].ravel(), float(cm))
            metres[sel] = np.hypot(x[0::2] - x[1::2], y[0::2] - y[1::2])
        if not len(cand_p):
            return result
        # per point, its nearest candidate (the first in the tree's order among equally near ones)
        order = np.lexsort((metres, cand_p))
        first = order[np.r_[True, cand_p[order][1:] != cand_p[order][:-1]]]
        first = first[metres[first] <= max_m]
        for p, g, m in zip(cand_p[first].tolist(), cand_g[first].tolist(), metres[first].tolist()):
            result[p] = (self.keys[g], m)
        return result


def _line_ends(lines: np.ndarray) -> np.ndarray:
    """The two ends of each two-point line, as an array of shape (lines, 2, 2)."""
    return shapely.get_coordinates(lines).reshape(-1, 2, 2)


def _points(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Point geometries of coordinate arrays: an array (shapely's stubs also allow a single Point for
    array-like input, which arrays never give)."""
    return cast(np.ndarray, shapely.points(xs, ys))
