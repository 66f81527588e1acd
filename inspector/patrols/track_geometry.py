"""Lengths and times of a patrol track: geodesic distance on the CGCS2000 ellipsoid, moving time per segment.

A track is a list of segments (a pause starts a new one); its distance is the
sum of the geodesic lengths between consecutive points of each segment —
never across a pause. Consecutive track points are metres to a few kilometres
apart, so each step is measured with the ellipsoid's own metric at the
step's mean latitude: north-south by the meridian radius of curvature M,
east-west by the prime-vertical radius N·cos φ. For steps of up to 10 km the
relative error against the exact geodesic is below 10⁻⁵ (a test compares a
walk with PROJ's geodesic, Karney's algorithm, within 0.5 %).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from inspector.geo.geodesy import E2, A


def step_lengths_m(lons: Sequence[float] | np.ndarray, lats: Sequence[float] | np.ndarray) -> np.ndarray:
    """Geodesic length (metres) of each step between consecutive lon/lat points (one fewer than points)."""
    lon = np.radians(np.asarray(lons, dtype=float))
    lat = np.radians(np.asarray(lats, dtype=float))
    if lon.size < 2:
        return np.zeros(0)
    mean_lat = (lat[1:] + lat[:-1]) / 2
    sin2 = np.sin(mean_lat) ** 2
    w = np.sqrt(1 - E2 * sin2)
    meridian_radius = A * (1 - E2) / w**3  # M, metres
    prime_vertical_radius = A / w  # N, metres
    north = meridian_radius * np.diff(lat)
    east = prime_vertical_radius * np.cos(mean_lat) * np.diff(lon)
    return np.hypot(north, east)


def track_distance_m(segments: Sequence[tuple[Sequence[float], Sequence[float]]]) -> float:
    """Sum of the geodesic lengths of each segment's (lons, lats) polyline, metres."""
    return float(sum(step_lengths_m(lons, lats).sum() for lons, lats in segments))


def step_length_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic length of one step, metres."""
    return float(step_lengths_m((lon1, lon2), (lat1, lat2))[0])
