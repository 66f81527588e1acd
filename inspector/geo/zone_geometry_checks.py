"""Plausibility of zone geometries, checked before they are repaired or stored.

MakeValid turns impossible coordinates into plausible-looking polygons: a ring with a NaN vertex
loses its shell and keeps only its hole, and a vertex at (0, 0) makes a wedge of tens of thousands
of km² through Jiangsu that claims cases 150 km from the real zone. So every coordinate of every
geometry, once read and transformed to CGCS2000, is checked first — vectorised over a batch — and a
feature fails with the first reason that applies: a coordinate that is not finite, a coordinate
outside any plausible longitude/latitude, or bounds that leave a generous box around Jiangsu.
Each reason is a :class:`~inspector.errors.Message` (Chinese and English).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import shapely

from inspector.errors import Message

LON_RANGE = (60.0, 160.0)  # degrees: plausible longitudes after transformation to CGCS2000
LAT_RANGE = (0.0, 60.0)  # degrees: plausible latitudes
# Zones must lie in or near Jiangsu (lon/lat degrees, generous): the province spans 116.3–121.9 E,
# 30.7–35.3 N; this box adds 50–90 km for tidal flats, border reserves and boundary tolerance.
JIANGSU_EXTENT = (115.5, 30.0, 123.5, 35.8)


def non_finite_reason(vertex: int) -> Message:
    return Message(f"坐标含有非数值（NaN/无穷大，第 {vertex} 个点）",
                   f"non-finite coordinate (NaN/Infinity) at vertex {vertex}")


def out_of_range_reason(lon: float, lat: float) -> Message:
    return Message(f"坐标超出合理范围（{lon:.6g}, {lat:.6g}；经度应在 {LON_RANGE[0]:g}–{LON_RANGE[1]:g}，纬度 "
                   f"{LAT_RANGE[0]:g}–{LAT_RANGE[1]:g}），不在江苏，请检查坐标系",
                   f"coordinate out of range after transformation ({lon:.6g}, {lat:.6g}; longitude "
                   f"{LON_RANGE[0]:g}–{LON_RANGE[1]:g}, latitude {LAT_RANGE[0]:g}–{LAT_RANGE[1]:g} expected); "
                   "not in Jiangsu, check the CRS")


def outside_jiangsu_reason(bounds: Sequence[float]) -> Message:
    minx, miny, maxx, maxy = bounds  # the four of a bounding box
    box = f"{minx:.4f}, {miny:.4f} – {maxx:.4f}, {maxy:.4f}"
    return Message(f"坐标不在江苏范围内（{box}），请检查坐标系",
                   f"outside Jiangsu after transformation ({box}); check the CRS")


def coordinate_problems(geoms: np.ndarray) -> list[Message | None]:
    """For each geometry (EPSG:4490 lon/lat; ``None`` entries are skipped) the reason it cannot be a
    zone, or ``None`` when its coordinates are plausible."""
    problems: list[Message | None] = [None] * len(geoms)
    present = np.asarray([g is not None for g in geoms], dtype=bool)
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    if not len(coords):
        return problems
    finite = np.isfinite(coords).all(axis=1)
    lon, lat = coords[:, 0], coords[:, 1]
    with np.errstate(invalid="ignore"):
        plausible = (lon >= LON_RANGE[0]) & (lon <= LON_RANGE[1]) & (lat >= LAT_RANGE[0]) & (lat <= LAT_RANGE[1])
    starts = np.searchsorted(owner, np.arange(len(geoms)))
    for bad, describe in ((~finite, lambda at: non_finite_reason(int(at - starts[owner[at]]))),
                          (~plausible, lambda at: out_of_range_reason(float(lon[at]), float(lat[at])))):
        positions = np.flatnonzero(bad)
        first_of = np.unique(owner[positions], return_index=True)
        for geometry, first in zip(*first_of):
            if problems[geometry] is None:
                problems[geometry] = describe(positions[first])
    candidates = np.flatnonzero(present & np.asarray([p is None for p in problems], dtype=bool))
    if len(candidates):
        bounds = shapely.bounds(geoms[candidates])
        ex = JIANGSU_EXTENT
        outside = ((bounds[:, 0] < ex[0]) | (bounds[:, 1] < ex[1]) | (bounds[:, 2] > ex[2]) | (bounds[:, 3] > ex[3]))
        for geometry, box in zip(candidates[outside], bounds[outside]):
            problems[geometry] = outside_jiangsu_reason([float(v) for v in box])
    return problems
