"""The shared extent helpers: a representative point inside every polygon, areas in the Gauss-Krüger zone
(checked against GDAL/PROJ in the same test), and GeoJSON from outside checked before use."""
from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from osgeo import ogr, osr

from inspector.errors import BadInput
from inspector.geo.patch_geometry import (
    MAX_VERTICES,
    area_m2,
    geometry_geojson,
    parse_geojson_polygon,
    representative_point,
    stored_geometries,
)

# An L-shape near 盐城 (lon/lat): its centroid lies in the notch, outside it.
L_SHAPE = shapely.Polygon([(120.40, 33.60), (120.42, 33.60), (120.42, 33.602), (120.402, 33.602),
                           (120.402, 33.62), (120.40, 33.62)])
TWO_PARTS = shapely.MultiPolygon([shapely.box(120.10, 33.10, 120.11, 33.11),
                                  shapely.box(120.20, 33.10, 120.203, 33.103)])


def gdal_area_m2(geom: shapely.Geometry, epsg: int) -> float:
    """The reference: GDAL/PROJ transforms the lon/lat polygon to ``epsg`` and measures it there."""
    geo, gk = osr.SpatialReference(), osr.SpatialReference()
    geo.ImportFromEPSG(4490)
    gk.ImportFromEPSG(epsg)
    for srs in (geo, gk):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ogr_geom = ogr.CreateGeometryFromWkt(geom.wkt)
    ogr_geom.Transform(osr.CoordinateTransformation(geo, gk))
    return ogr_geom.GetArea()


def test_representative_point_of_an_l_shape_is_inside_although_its_centroid_is_not():
    assert not L_SHAPE.contains(L_SHAPE.centroid)
    lon, lat = representative_point(L_SHAPE)
    assert L_SHAPE.contains(shapely.Point(lon, lat))


def test_representative_point_of_a_multipolygon_is_inside_its_largest_part():
    assert not TWO_PARTS.contains(TWO_PARTS.centroid)
    lon, lat = representative_point(TWO_PARTS)
    assert TWO_PARTS.geoms[0].contains(shapely.Point(lon, lat))


@pytest.mark.parametrize("geom, epsg", [(L_SHAPE, 4549), (TWO_PARTS, 4549),
                                        (shapely.box(117.2, 34.2, 117.25, 34.24), 4548),
                                        (shapely.box(121.6, 31.8, 121.65, 31.83), 4550)])
def test_area_in_the_gauss_kruger_zone_agrees_with_gdal(geom, epsg):
    reference = gdal_area_m2(geom, epsg)
    assert area_m2(geom) == pytest.approx(reference, rel=0.005)


def test_parse_geojson_accepts_a_polygon_feature_and_repairs_a_bow_tie():
    feature = {"type": "Feature", "properties": {}, "geometry": json.loads(geometry_geojson(L_SHAPE))}
    assert parse_geojson_polygon(json.dumps(feature)).equals_exact(L_SHAPE, 1e-7)
    bow_tie = {"type": "Polygon", "coordinates": [[[120.0, 33.0], [120.01, 33.01], [120.01, 33.0],
                                                    [120.0, 33.01], [120.0, 33.0]]]}
    repaired = parse_geojson_polygon(json.dumps(bow_tie))
    assert repaired.is_valid and repaired.area > 0


@pytest.mark.parametrize("text, words", [
    ('{"type": "Point", "coordinates": [120, 33]}', "Point"),
    ('{"type": "Polygon", "coordinates": [[[1, 1], [2, 1], [2, 2], [1, 1]]]}', "Jiangsu"),
    ('{"type": "Polygon", "coordinates": [[[120, 33], [NaN, 33], [120.1, 33.1], [120, 33]]]}', "non-finite"),
    ('{"type": "Polygon", "coordinates": []}', "empty"),
    ("[" * 100_000 + "]" * 100_000, "GeoJSON"),
    ("not json", "not GeoJSON"),
])
def test_parse_geojson_refuses_what_is_not_a_polygon_in_jiangsu(text, words, monkeypatch):
    monkeypatch.setenv("INSPECTOR_LANG", "en")
    with pytest.raises(BadInput) as caught:
        parse_geojson_polygon(text)
    assert words in caught.value.message.en


def test_parse_geojson_refuses_a_huge_vertex_count_before_building_it():
    ring = [[120 + 0.01 * (i / MAX_VERTICES), 33.0 + 0.001 * (i % 2)] for i in range(MAX_VERTICES + 10)]
    ring.append(ring[0])
    with pytest.raises(BadInput) as caught:
        parse_geojson_polygon(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    assert "vertices" in caught.value.message.en


def test_stored_geometries_round_exactly_as_geos_does():
    """The stored polygons and texts are what GEOS's pointwise set_precision gives, halves included."""
    rng = np.random.default_rng(7)
    ties = np.round(rng.uniform(116, 122, (300, 5, 2)) * 1e8) / 1e8 + 0.5e-8  # halfway between grid points
    wild = rng.uniform(-180, 180, (300, 5, 2))
    near = 120.3 + rng.normal(0, 0.01, (300, 5, 2))
    planar = list(shapely.polygons(np.concatenate([ties, wild, near])))
    others = [shapely.Polygon([(120.1, 32.1, 5.123456789), (120.2, 32.1, 1), (120.2, 32.2, 2)]),
              shapely.set_precision(shapely.Polygon([(120.1, 32.1), (120.2, 32.1), (120.2, 32.2)]), 1e-3),
              shapely.from_wkt("POLYGON EMPTY"), shapely.MultiPolygon([shapely.box(120, 32, 120.1, 32.1)]),
              shapely.MultiPolygon([shapely.box(120, 32, 120.1, 32.1), shapely.box(121, 32, 121.1, 32.1)]),
              shapely.box(120, 32, 120.3, 32.3).difference(shapely.box(120.1000000049, 32.1, 120.2, 32.2)), None,
              shapely.Polygon([(-0.000000004999999999, 0.5e-8), (1e-9, 2.5e-8), (-2.5e-8, -1.5e-8)]),
              shapely.Polygon([(-0.0, -0.5e-8), (-0.3e-8, 2.5e-8), (-2.5e-8, -0.0)])]
    geoms = np.array(planar + others, dtype=object)
    rounded = shapely.set_precision(geoms, 1e-8, mode="pointwise")
    stored, texts = stored_geometries(geoms)
    assert texts.tolist() == shapely.to_geojson(rounded).tolist()
    assert shapely.to_wkb(stored).tolist() == shapely.to_wkb(rounded).tolist()
    assert (shapely.get_precision(stored[~shapely.is_missing(stored)]) == 0).all()  # floating again, as parsed text
