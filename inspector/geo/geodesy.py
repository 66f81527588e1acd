"""Metric computations on CGCS2000: Gauss-Krüger zones, areas and distances.

Geometries are stored in CGCS2000 geographic coordinates (EPSG:4490, lon/lat
order in this code). Areas and lengths are computed in the 3-degree
Gauss-Krüger zone whose central meridian is nearest the geometry: Jiangsu
spans CM 117° (EPSG:4548), 120° (4549) and 123° (4550). The projection is
the transverse Mercator series (Snyder, USGS PP 1395), accurate to well
below a millimetre within a 3-degree zone; a test checks it against PROJ.
"""
from __future__ import annotations

import math

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry.base import BaseGeometry

# CGCS2000 ellipsoid
A = 6378137.0  # semi-major axis, metres
F = 1 / 298.257222101
E2 = 2 * F - F * F
EP2 = E2 / (1 - E2)
FALSE_EASTING = 500000.0  # metres, without zone prefix
PROJECTION_CHUNK = 16_384  # vertices projected at a time (their temporaries, ~130 kB each, stay in the cache)

# EPSG codes of the 3-degree zones without zone number prefix, by central meridian
GK_EPSG_BY_CM = {117: 4548, 120: 4549, 123: 4550}
GK_EPSG_WITH_PREFIX_BY_CM = {117: 4527, 120: 4528, 123: 4529}

_M1 = 1 - E2 / 4 - 3 * E2**2 / 64 - 5 * E2**3 / 256
_M2 = 3 * E2 / 8 + 3 * E2**2 / 32 + 45 * E2**3 / 1024
_M3 = 15 * E2**2 / 256 + 45 * E2**3 / 1024
_M4 = 35 * E2**3 / 3072


def central_meridian(lon: float) -> int:
    """Central meridian (degrees) of the 3-degree zone containing ``lon``."""
    return int(3 * round(lon / 3))


def gk_epsg(lon: float) -> int:
    """EPSG code of the CGCS2000 3-degree Gauss-Krüger zone for ``lon`` (no zone prefix)."""
    cm = central_meridian(lon)
    return GK_EPSG_BY_CM.get(cm, 4534 + (cm - 75) // 3)


def to_gauss_kruger(lons: np.ndarray, lats: np.ndarray, cm: float) -> tuple[np.ndarray, np.ndarray]:
    """Project lon/lat degrees to Gauss-Krüger easting/northing (metres, no zone prefix).

    Long arrays go through the series in slices of :data:`PROJECTION_CHUNK` vertices, so that its
    temporaries stay in the CPU cache instead of each being a fresh allocation the size of the input
    (areas of large layers spend most of their time here); every vertex gets the same arithmetic.
    """
    lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    if lons.size <= PROJECTION_CHUNK:
        return _gauss_kruger_series(lons, lats, cm)
    x, y = np.empty(lons.shape), np.empty(lons.shape)
    flat_lons, flat_lats, flat_x, flat_y = lons.reshape(-1), lats.reshape(-1), x.reshape(-1), y.reshape(-1)
    for start in range(0, flat_lons.size, PROJECTION_CHUNK):
        part = slice(start, start + PROJECTION_CHUNK)
        flat_x[part], flat_y[part] = _gauss_kruger_series(flat_lons[part], flat_lats[part], cm)
    return x, y


def _gauss_kruger_series(lons: np.ndarray, lats: np.ndarray, cm: float) -> tuple[np.ndarray, np.ndarray]:
    """Snyder's series (8-5, 8-9, 8-10); the multiple-angle sines come from sin φ and cos φ by the
    double-angle identities and the powers of A are nested, so that an array of vertices costs
    three transcendental functions each."""
    phi = np.radians(lats)
    lam = np.radians(lons - cm)
    sin_phi, cos_phi = np.sin(phi), np.cos(phi)
    n = A / np.sqrt(1 - E2 * sin_phi**2)
    tan_phi = sin_phi / cos_phi
    t = tan_phi**2
    c = EP2 * cos_phi**2
    a = lam * cos_phi
    a2 = a**2
    sin_2phi = 2 * sin_phi * cos_phi
    cos_2phi = 1 - 2 * sin_phi**2
    sin_4phi = 2 * sin_2phi * cos_2phi
    sin_6phi = sin_4phi * cos_2phi + (1 - 2 * sin_2phi**2) * sin_2phi  # sin(4φ + 2φ)
    m = A * (_M1 * phi - _M2 * sin_2phi + _M3 * sin_4phi - _M4 * sin_6phi)
    x = n * a * (1 + a2 * ((1 - t + c) / 6 + a2 * (5 - 18 * t + t**2 + 72 * c - 58 * EP2) / 120))
    y = m + n * tan_phi * a2 * (
        1 / 2 + a2 * ((5 - t + 9 * c + 4 * c**2) / 24 + a2 * (61 - 58 * t + t**2 + 600 * c - 330 * EP2) / 720)
    )
    return x + FALSE_EASTING, y


def project(geom, cm: float):
    """Lon/lat shapely geometries (one or an array) projected to the zone with meridian ``cm``."""

    def _transform(coords: np.ndarray) -> np.ndarray:
        x, y = to_gauss_kruger(coords[:, 0], coords[:, 1], cm)
        return np.column_stack([x, y])

    return shapely.transform(geom, _transform)


def area_m2(geom: BaseGeometry) -> float:
    """Area in square metres, computed in the geometry's Gauss-Krüger zone."""
    if geom.is_empty:
        return 0.0
    cm = central_meridian(geom.centroid.x)
    return float(project(geom, cm).area)


def areas_m2(geoms: np.ndarray) -> np.ndarray:
    """Vectorised :func:`area_m2` for an array of lon/lat geometries."""
    result = np.zeros(len(geoms))
    if len(geoms) == 0:
        return result
    centroids_x = shapely.get_x(shapely.centroid(geoms))
    cms = 3 * np.round(np.nan_to_num(centroids_x) / 3)
    for cm in np.unique(cms):
        mask = cms == cm
        result[mask] = shapely.area(project(geoms[mask], float(cm)))
    return result


def distance_m(geom: BaseGeometry, lon: float, lat: float) -> float:
    """Shortest distance in metres from the point (lon, lat) to ``geom``.

    The closest point of ``geom`` is found in a locally scaled lon/lat frame
    (x multiplied by cos(lat): cheap, no projection of the whole geometry);
    the distance between the two points is then measured in the
    Gauss-Krüger zone.
    """
    k = math.cos(math.radians(lat))
    scaled = shapely.affinity.affine_transform(geom, (k, 0.0, 0.0, 1.0, 0.0, 0.0))
    line = shapely.shortest_line(shapely.Point(lon * k, lat), scaled)
    (x1, y1), (x2, y2) = line.coords
    x, y = to_gauss_kruger(np.array([x1 / k, x2 / k]), np.array([y1, y2]), central_meridian(lon))
    return float(math.hypot(x[1] - x[0], y[1] - y[0]))


def metres_to_degrees(metres: float, lat: float) -> float:
    """A conservative degree span covering ``metres`` in any direction at latitude ``lat``."""
    return metres / (111_000.0 * max(math.cos(math.radians(lat)), 0.2))
