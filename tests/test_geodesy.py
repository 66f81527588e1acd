"""The Gauss-Krüger projection of :mod:`inspector.geo.geodesy` agrees with PROJ to the millimetre at every
vertex, in each of Jiangsu's three zones (areas and distances are only as good as this)."""
from __future__ import annotations

import numpy as np
import pytest
from osgeo import osr

from inspector.geo import geodesy
from inspector.geo.geodesy import GK_EPSG_BY_CM, to_gauss_kruger

MILLIMETRE = 0.001  # metres


@pytest.mark.parametrize("cm", sorted(GK_EPSG_BY_CM))
def test_projected_vertices_agree_with_proj_within_a_millimetre(cm):
    rng = np.random.default_rng(cm)
    lons = cm + rng.uniform(-1.5, 1.5, 500)  # the whole 3-degree zone
    lats = rng.uniform(30.7, 35.2, 500)  # Jiangsu's latitudes with a margin
    geo, gk = osr.SpatialReference(), osr.SpatialReference()
    geo.ImportFromEPSG(4490)
    gk.ImportFromEPSG(GK_EPSG_BY_CM[cm])
    for srs in (geo, gk):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    reference = np.array(osr.CoordinateTransformation(geo, gk).TransformPoints(np.column_stack([lons, lats])))
    x, y = to_gauss_kruger(lons, lats, cm)
    assert np.abs(x - reference[:, 0]).max() < MILLIMETRE
    assert np.abs(y - reference[:, 1]).max() < MILLIMETRE


def test_a_long_array_is_projected_in_slices_with_the_same_arithmetic_as_a_short_one():
    rng = np.random.default_rng(15)
    count = geodesy.PROJECTION_CHUNK * 2 + 7  # two full slices and a short one
    lons, lats = rng.uniform(116.3, 121.9, count), rng.uniform(30.7, 35.1, count)
    x, y = geodesy.to_gauss_kruger(lons, lats, 120)
    alone = [geodesy.to_gauss_kruger(lons[i:i + 1], lats[i:i + 1], 120) for i in (0, count // 2, count - 1)]
    assert [(x[i], y[i]) for i in (0, count // 2, count - 1)] == [(a[0][0], a[1][0]) for a in alone]
    grid_x, grid_y = geodesy.to_gauss_kruger(lons.reshape(-1, 5), lats.reshape(-1, 5), 120)  # any shape
    assert np.array_equal(grid_x.ravel(), x) and np.array_equal(grid_y.ravel(), y)
