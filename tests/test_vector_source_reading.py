"""The vector reader gives, feature by feature, exactly what plain OGR calls give: the attributes of every
field type (text, null, real, integer, date), and the geometry linearised, 2D, rings closed (and counted),
its area in the source Gauss-Krüger zone, transformed to CGCS2000 as ISO WKB. Pins the reader's output
while its per-feature work is made cheaper."""
from __future__ import annotations

import json
from pathlib import Path

from osgeo import ogr, osr

from inspector.geo.vector_source import VectorSource

ogr.UseExceptions()

GK_WKT = [  # EPSG:4549 (CM 120) metres, near Nanjing–Yangzhou
    "POLYGON ((450000 3550000, 451000 3550000, 451000 3551000, 450000 3551000, 450000 3550000))",
    "MULTIPOLYGON (((452000 3552000, 453000 3552000, 453000 3553000, 452000 3553000, 452000 3552000),"
    " (452200 3552200, 452400 3552200, 452400 3552400, 452200 3552200)),"
    " ((455000 3555000, 456000 3555000, 455500 3556000, 455000 3555000)))",
    "CURVEPOLYGON (CIRCULARSTRING (460000 3560000, 461000 3561000, 460000 3562000, 459000 3561000,"
    " 460000 3560000))",
    "POLYGON Z ((470000 3570000 5, 471000 3570000 6, 471000 3571000 7, 470000 3570000 5))",
]


def _reference(path: Path) -> list[tuple]:
    """Each feature read with plain OGR calls: (fid, attributes, rings closed, source area, WKB)."""
    ds = ogr.Open(str(path))
    layer = ds.GetLayer(0)
    target = osr.SpatialReference()
    target.ImportFromEPSG(4490)
    target.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    source = layer.GetSpatialRef().Clone()
    source.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    transform = osr.CoordinateTransformation(source, target)
    rows = []
    for feature in layer:
        attributes = {}
        for i in range(feature.GetFieldCount()):
            value = feature.GetField(i)
            attributes[feature.GetFieldDefnRef(i).GetName()] = value
        geom = feature.GetGeometryRef()
        geom = geom.GetLinearGeometry() if geom.HasCurveGeometry() else geom.Clone()
        geom.FlattenTo2D()
        before = geom.ExportToIsoWkb()
        geom.CloseRings()
        closed = int(geom.ExportToIsoWkb() != before)
        area = geom.GetArea()
        geom.Transform(transform)
        rows.append((feature.GetFID(), attributes, closed, area, bytes(geom.ExportToIsoWkb())))
    return rows


def test_reader_gives_what_plain_ogr_gives(tmp_path):
    path = tmp_path / "mixed.gpkg"
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4549)
    layer = ds.CreateLayer("zones", srs, ogr.wkbUnknown)
    for name, kind in (("名称", ogr.OFTString), ("面积", ogr.OFTReal), ("序号", ogr.OFTInteger),
                       ("编号64", ogr.OFTInteger64), ("日期", ogr.OFTDate)):
        layer.CreateField(ogr.FieldDefn(name, kind))
    for i, wkt in enumerate(GK_WKT):
        feature = ogr.Feature(layer.GetLayerDefn())
        if i != 1:  # one feature leaves every field null
            feature.SetField("名称", f"区域{i}")
            feature.SetField("面积", 12.5 * i)
            feature.SetField("序号", i)
            feature.SetField("编号64", 2 ** 40 + i)
            feature.SetField("日期", 2026, 3, i + 1, 0, 0, 0, 0)
        feature.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        layer.CreateFeature(feature)
    ds = None

    with VectorSource(path) as source:
        features = list(source.features())
    expected = _reference(path)
    assert len(features) == len(expected) == len(GK_WKT)
    for feature, (fid, attributes, closed, area, wkb) in zip(features, expected):
        assert feature.problem is None
        assert (feature.fid, feature.attributes, feature.rings_closed, feature.wkb) == (fid, attributes, closed, wkb)
        assert feature.source_area_m2 == area
    assert features[1].attributes == {"名称": None, "面积": None, "序号": None, "编号64": None, "日期": None}
    assert features[0].attributes["日期"] == "2026/03/01"


def test_reader_counts_closed_rings_and_keeps_geojson_values(tmp_path):
    lon, lat = 119.5, 32.5
    open_ring = [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01]]
    closed_ring = [*open_ring, open_ring[0]]
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "未闭合", "n": 1.5, "tags": [1, 2]},
         "geometry": {"type": "Polygon", "coordinates": [open_ring]}},
        {"type": "Feature", "properties": {"name": None, "n": None, "tags": None},
         "geometry": {"type": "Polygon", "coordinates": [closed_ring]}}]}
    path = tmp_path / "rings.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with VectorSource(path) as source:
        first, second = source.features()
    assert (first.rings_closed, second.rings_closed) == (1, 0)
    assert first.wkb == second.wkb  # the closed copy of the open ring is the closed ring
    assert first.attributes == {"name": "未闭合", "n": 1.5, "tags": [1, 2]}
    assert second.attributes == {"name": None, "n": None, "tags": None}
