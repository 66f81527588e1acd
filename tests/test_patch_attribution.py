"""The patch import hands its polygons to the attribution instead of having it parse the stored GeoJSON
again: given those polygons (and their Gauss-Krüger areas) the attribution writes exactly the overlaps it
writes from the stored text, and the vectorised measures agree with the one-polygon helpers."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from inspector.geo import geodesy
from inspector.geo.attribution import ATTRIBUTION_COLUMNS, attribute_cases, attributions
from inspector.geo.patch_geometry import (
    geometry_geojson,
    representative_point,
    representative_points,
    stored_geometries,
)
from inspector.importers.patch_import import import_patches
from tests.test_patch_import import CENTRE, MU_M2, patch_shapes, write_patches, zoned_workspace
from tests.vector_fixtures import gk_to_lonlat_srs, lonlat_to_gk

OVERLAPS = ("SELECT c.case_no, cz.zone_id, cz.overlap_m2, cz.overlap_share FROM case_zones cz "
            "JOIN cases c ON c.id = cz.case_id ORDER BY c.case_no, cz.zone_id")


@pytest.fixture
def zoned_ws(tmp_path: Path):
    ws = zoned_workspace(tmp_path)
    yield ws, tmp_path, patch_shapes(*lonlat_to_gk(*CENTRE))
    ws.close()


def test_imported_overlaps_equal_those_attributed_again_from_the_stored_geojson(zoned_ws):
    ws, root, shapes = zoned_ws
    areas_mu = {no: shape.area / MU_M2 for no, shape in shapes.items()}
    import_patches(ws, write_patches(root / "图斑.shp", shapes, areas_mu=areas_mu))
    where = f"SELECT case_no, {', '.join(ATTRIBUTION_COLUMNS)} FROM cases ORDER BY case_no"
    imported = [tuple(r) for r in ws.conn.execute(OVERLAPS)], [tuple(r) for r in ws.conn.execute(where)]
    assert {r[0] for r in imported[0]} == {"TB-L", "TB-X", "TB-H"}
    assert {r[1] for r in imported[1]} == {"320900"} and imported[1][0][-1] == ws.zones_generation
    attribute_cases(ws, [r[0] for r in ws.conn.execute("SELECT id FROM cases")])  # from the stored text
    assert ([tuple(r) for r in ws.conn.execute(OVERLAPS)], [tuple(r) for r in ws.conn.execute(where)]) == imported


def test_attribution_given_polygons_is_that_of_their_stored_geojson(zoned_ws):
    ws, _, shapes = zoned_ws
    to_lonlat = _gk_to_lonlat()
    # coordinates finer than the stored millimetre: the given polygons must be the stored ones, with GEOS's
    # floating precision (a polygon that kept the rounding grid would snap its overlaps to it)
    polygons = np.array([shapely.transform(s, to_lonlat) for s in shapes.values()], dtype=object)
    stored, texts = stored_geometries(polygons)
    assert list(texts) == [geometry_geojson(p) for p in polygons]
    assert all(shapely.equals_exact(stored, shapely.from_geojson(texts), tolerance=0))
    ids, lons, lats = [], [], []
    for no, text, geom in zip(shapes, texts, polygons):
        lon, lat = representative_point(geom)
        lons.append(lon)
        lats.append(lat)
        ids.append(ws.conn.execute(
            "INSERT INTO cases (case_no, lon, lat, geometry_geojson, origin, ledger_hash, uuid, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, 'patch', '', ?, '', '')", (no, lon, lat, str(text), no)).lastrowid)
    ws.conn.commit()
    attribute_cases(ws, ids)  # from the stored text
    columns = ", ".join(ATTRIBUTION_COLUMNS)
    from_text = ([tuple(ws.conn.execute(f"SELECT {columns} FROM cases WHERE id = ?", (i,)).fetchone()) for i in ids],
                 [tuple(r) for r in ws.conn.execute(OVERLAPS)])
    given = attributions(ws, np.array(lons), np.array(lats), list(zip(stored, geodesy.areas_m2(stored).tolist())))
    links = sorted((no, *link) for no, attribution in zip(shapes, given) for link in attribution.zones)
    assert ([a.columns for a in given], links) == from_text
    shares = [r[3] for r in links if r[0] == "TB-X"]
    assert len(shares) == 2 and sum(shares) == pytest.approx(1.0, abs=1e-6)


def test_vectorised_representative_points_are_the_one_polygon_ones(zoned_ws):
    _, _, shapes = zoned_ws
    polygons = np.array([shapely.transform(s, _gk_to_lonlat()) for s in shapes.values()], dtype=object)
    lons, lats = representative_points(polygons)
    assert list(zip(lons, lats)) == [representative_point(p) for p in polygons]
    for polygon, lon, lat in zip(polygons, lons, lats):
        assert polygon.contains(shapely.Point(lon, lat))
    assert representative_points(np.array([], dtype=object)) == ([], [])


def _gk_to_lonlat():
    """A coordinate function from EPSG:4549 metres to lon/lat, through GDAL."""
    from osgeo import osr

    transform = osr.CoordinateTransformation(*gk_to_lonlat_srs())
    return lambda coords: np.array(transform.TransformPoints(coords))[:, :2]
