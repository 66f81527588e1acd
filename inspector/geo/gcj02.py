"""GCJ-02 ("Mars coordinates") ↔ WGS84 conversion.

Boundaries and points taken from Chinese commercial web maps (Amap/Gaode,
Tencent, older Google China tiles) are published in GCJ-02: WGS84 shifted by
an obfuscating, position-dependent offset of roughly 50–700 m. GPS receivers,
DJI drones and Tianditu use WGS84/CGCS2000, so such data must be converted
before it is compared with field positions.

The forward direction (:func:`wgs84_to_gcj02`) is the widely published offset
formula on the Krasovsky ellipsoid; it is applied only inside a rough bounding
box of China (points outside are returned unchanged). There is no closed-form
inverse, so :func:`gcj02_to_wgs84` iterates the forward formula until the
round trip agrees to better than 1e-7 degree (about 1 cm).

Scalar functions take and return ``(lon, lat)`` floats; the ``*_array``
variants take numpy arrays (or anything array-like) of equal shape and are
what bulk conversions (boundary files) should use.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Krasovsky 1940 ellipsoid, as used by the published GCJ-02 formula
KRASOVSKY_A = 6378245.0  # semi-major axis, metres
KRASOVSKY_EE = 0.00669342162296594323  # first eccentricity squared

# Rough bounding box inside which the offset is applied, degrees
CHINA_MIN_LON = 72.004
CHINA_MAX_LON = 137.8347
CHINA_MIN_LAT = 0.8293
CHINA_MAX_LAT = 55.8271

# Inverse iteration: stop when the round trip is this close, degrees (~1 cm)
INVERSE_TOLERANCE_DEG = 1e-9
INVERSE_MAX_ITERATIONS = 30

FloatArray = NDArray[np.float64]


def is_in_china(lon: float, lat: float) -> bool:
    """Whether the GCJ-02 offset applies at this point (a bounding-box test)."""
    return CHINA_MIN_LON <= lon <= CHINA_MAX_LON and CHINA_MIN_LAT <= lat <= CHINA_MAX_LAT


def _in_china_mask(lons: FloatArray, lats: FloatArray) -> NDArray[np.bool_]:
    return (lons >= CHINA_MIN_LON) & (lons <= CHINA_MAX_LON) & (lats >= CHINA_MIN_LAT) & (lats <= CHINA_MAX_LAT)


def _offset_metres_like(lons: FloatArray, lats: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The formula's raw offset terms (in its own pseudo-metre units) for lon/lat arrays."""
    x = lons - 105.0
    y = lats - 35.0
    pi = math.pi
    # terms shared by both directions
    ripple = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    d_lat = d_lat + ripple
    d_lat = d_lat + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    d_lat = d_lat + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    d_lon = d_lon + ripple
    d_lon = d_lon + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    d_lon = d_lon + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    return d_lon, d_lat


def _forward_offset_degrees(lons: FloatArray, lats: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 minus WGS84, in degrees, for WGS84 lon/lat arrays (zero outside China)."""
    raw_lon, raw_lat = _offset_metres_like(lons, lats)
    rad_lat = np.radians(lats)
    sin_lat = np.sin(rad_lat)
    magic = 1.0 - KRASOVSKY_EE * sin_lat * sin_lat
    sqrt_magic = np.sqrt(magic)
    meridian_radius = KRASOVSKY_A * (1.0 - KRASOVSKY_EE) / (magic * sqrt_magic)
    parallel_radius = KRASOVSKY_A / sqrt_magic * np.cos(rad_lat)
    d_lat = raw_lat * 180.0 / (meridian_radius * math.pi)
    d_lon = raw_lon * 180.0 / (parallel_radius * math.pi)
    inside = _in_china_mask(lons, lats)
    return np.where(inside, d_lon, 0.0), np.where(inside, d_lat, 0.0)


def _as_float_arrays(lons: ArrayLike, lats: ArrayLike) -> tuple[FloatArray, FloatArray]:
    lon_array = np.asarray(lons, dtype=np.float64)
    lat_array = np.asarray(lats, dtype=np.float64)
    if lon_array.shape != lat_array.shape:
        raise ValueError(f"lons and lats differ in shape: {lon_array.shape} != {lat_array.shape}")
    return lon_array, lat_array


def wgs84_to_gcj02_array(lons: ArrayLike, lats: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """WGS84 → GCJ-02 for arrays of lon/lat degrees (points outside China unchanged)."""
    lon_array, lat_array = _as_float_arrays(lons, lats)
    d_lon, d_lat = _forward_offset_degrees(lon_array, lat_array)
    return lon_array + d_lon, lat_array + d_lat


def gcj02_to_wgs84_array(lons: ArrayLike, lats: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 → WGS84 for arrays of lon/lat degrees, by fixed-point iteration.

    Starting from the GCJ-02 position, each step moves the estimate by the
    error of its forward image; the offset field is smooth, so this converges
    to ~1e-9 degree in a handful of steps.
    """
    gcj_lon, gcj_lat = _as_float_arrays(lons, lats)
    wgs_lon = gcj_lon.copy()
    wgs_lat = gcj_lat.copy()
    for _ in range(INVERSE_MAX_ITERATIONS):
        fwd_lon, fwd_lat = wgs84_to_gcj02_array(wgs_lon, wgs_lat)
        err_lon = fwd_lon - gcj_lon
        err_lat = fwd_lat - gcj_lat
        wgs_lon = wgs_lon - err_lon
        wgs_lat = wgs_lat - err_lat
        if err_lon.size == 0 or max(np.max(np.abs(err_lon)), np.max(np.abs(err_lat))) < INVERSE_TOLERANCE_DEG:
            break
    return wgs_lon, wgs_lat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 → GCJ-02 for one point; outside China the point is returned unchanged."""
    if not is_in_china(lon, lat):
        return lon, lat
    out_lon, out_lat = wgs84_to_gcj02_array(lon, lat)
    return float(out_lon), float(out_lat)


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → WGS84 for one point (iterative inverse, error < 1e-7 degree)."""
    if not is_in_china(lon, lat):
        return lon, lat
    out_lon, out_lat = gcj02_to_wgs84_array(lon, lat)
    return float(out_lon), float(out_lat)


def gcj02_to_wgs84_coords(coords: FloatArray) -> FloatArray:
    """GCJ-02 → WGS84 for an ``(N, 2)`` lon/lat array; usable with ``shapely.transform``."""
    lons, lats = gcj02_to_wgs84_array(coords[:, 0], coords[:, 1])
    return np.column_stack([lons, lats])
