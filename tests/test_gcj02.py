"""Tests for inspector.geo.gcj02: forward formula, iterative inverse, array variants."""
from __future__ import annotations

import math

import numpy as np
import pytest

from inspector.geo.gcj02 import (
    gcj02_to_wgs84,
    gcj02_to_wgs84_array,
    gcj02_to_wgs84_coords,
    wgs84_to_gcj02,
    wgs84_to_gcj02_array,
)

NANJING = (118.7969, 32.0603)  # lon, lat; Xinjiekou, WGS84
EARTH_RADIUS_M = 6371008.8


def _ground_distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Equirectangular distance, fine for points a few hundred metres apart."""
    mean_lat = math.radians((lat1 + lat2) / 2)
    dx = math.radians(lon2 - lon1) * math.cos(mean_lat)
    dy = math.radians(lat2 - lat1)
    return EARTH_RADIUS_M * math.hypot(dx, dy)


def test_forward_matches_published_reference_value() -> None:
    # Widely quoted value for the standard formula near Tiananmen, Beijing.
    lon, lat = wgs84_to_gcj02(116.404, 39.915)
    assert lon == pytest.approx(116.41024449916938, abs=1e-9)
    assert lat == pytest.approx(39.91640428150164, abs=1e-9)


@pytest.mark.parametrize(
    "lon, lat",
    [
        NANJING,
        (120.2, 31.2),  # Taihu
        (120.5, 33.6),  # Yancheng coast
        (117.18, 34.26),  # Xuzhou
        (121.9, 31.7),  # Qidong, east tip of Jiangsu
        (87.6, 43.8),  # Urumqi, far west
        (126.6, 45.75),  # Harbin, north-east
    ],
)
def test_round_trip_is_accurate(lon: float, lat: float) -> None:
    gcj_lon, gcj_lat = wgs84_to_gcj02(lon, lat)
    back_lon, back_lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert abs(back_lon - lon) < 1e-7
    assert abs(back_lat - lat) < 1e-7
    # and the other way round: GCJ-02 input → WGS84 → GCJ-02
    wgs_lon, wgs_lat = gcj02_to_wgs84(lon, lat)
    again_lon, again_lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert abs(again_lon - lon) < 1e-7
    assert abs(again_lat - lat) < 1e-7


def test_offset_at_nanjing_is_tens_to_hundreds_of_metres() -> None:
    gcj_lon, gcj_lat = wgs84_to_gcj02(*NANJING)
    offset_m = _ground_distance_m(*NANJING, gcj_lon, gcj_lat)
    assert 50 < offset_m < 700
    # In Jiangsu the GCJ-02 shift is mostly eastward.
    assert gcj_lon > NANJING[0]


@pytest.mark.parametrize(
    "lon, lat",
    [
        (2.35, 48.86),  # Paris
        (-74.0, 40.7),  # New York
        (139.7, 35.7),  # Tokyo: east of the box
        (116.4, 60.0),  # north of the box
        (0.0, 0.0),
    ],
)
def test_points_outside_china_are_unchanged(lon: float, lat: float) -> None:
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_array_variants_agree_with_scalar_functions() -> None:
    rng = np.random.default_rng(4)
    lons = rng.uniform(116.3, 121.9, 200)
    lats = rng.uniform(30.7, 35.1, 200)
    lons[:3] = [2.35, -74.0, 139.7]  # mixed with outside points
    lats[:3] = [48.86, 40.7, 35.7]
    fwd_lons, fwd_lats = wgs84_to_gcj02_array(lons, lats)
    inv_lons, inv_lats = gcj02_to_wgs84_array(fwd_lons, fwd_lats)
    assert np.max(np.abs(inv_lons - lons)) < 1e-7
    assert np.max(np.abs(inv_lats - lats)) < 1e-7
    assert (fwd_lons[:3] == lons[:3]).all() and (fwd_lats[:3] == lats[:3]).all()
    for i in (3, 50, 199):
        assert (fwd_lons[i], fwd_lats[i]) == pytest.approx(wgs84_to_gcj02(lons[i], lats[i]), abs=1e-12)
        assert (inv_lons[i], inv_lats[i]) == pytest.approx(gcj02_to_wgs84(fwd_lons[i], fwd_lats[i]), abs=1e-9)
    coords = gcj02_to_wgs84_coords(np.column_stack([fwd_lons, fwd_lats]))
    assert coords.shape == (200, 2)
    assert np.allclose(coords[:, 0], inv_lons) and np.allclose(coords[:, 1], inv_lats)


def test_array_shapes_must_match() -> None:
    with pytest.raises(ValueError):
        gcj02_to_wgs84_array([118.0, 119.0], [32.0])


def test_empty_arrays_are_fine() -> None:
    lons, lats = gcj02_to_wgs84_array(np.array([]), np.array([]))
    assert lons.size == 0 and lats.size == 0
