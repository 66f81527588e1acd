"""The Gauss-Krüger projection of :mod:`inspector.geo.geodesy` agrees with PROJ to the millimetre at every
vertex, in each of Jiangsu's three zones (areas and distances are only as good as this)."""
from __future__ import annotations

import numpy as np
import pytest
from osgeo import osr

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
