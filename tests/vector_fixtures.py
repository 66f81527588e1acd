"""Builders of real-world-shaped vector files for the tests (written with GDAL/OGR)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from osgeo import ogr, osr

ogr.UseExceptions()

FIELDS_CN = ("名称", "编码", "类型", "类别", "功能分区", "级别", "行政区")


def square(cx: float, cy: float, half: float) -> list[tuple[float, float]]:
    return [(cx - half, cy - half), (cx + half, cy - half), (cx + half, cy + half),
            (cx - half, cy + half), (cx - half, cy - half)]


def polygon_wkt(outer: list[tuple[float, float]], *holes: list[tuple[float, float]]) -> str:
    rings = [outer, *holes]
    return "POLYGON (" + ", ".join("(" + ", ".join(f"{x} {y}" for x, y in ring) + ")" for ring in rings) + ")"


def write_layer(path: Path, driver: str, epsg: int | None, features: Iterable[dict[str, Any]],
                *, fields: Iterable[str] = FIELDS_CN, layer_options: list[str] | None = None,
                layer_name: str = "zones") -> Path:
    """Write polygon features ``{"wkt": ..., field: value}`` with OGR."""
    drv = ogr.GetDriverByName(driver)
    ds = drv.CreateDataSource(str(path))
    srs = None
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    layer = ds.CreateLayer(layer_name, srs, ogr.wkbUnknown if driver == "KML" else ogr.wkbMultiPolygon,
                           options=layer_options or [])
    for name in fields:
        field = ogr.FieldDefn(name, ogr.OFTString)
        field.SetWidth(80)
        layer.CreateField(field)
    for data in features:
        feature = ogr.Feature(layer.GetLayerDefn())
        for name in fields:
            if data.get(name) is not None:
                feature.SetField(name, data[name])
        feature.SetGeometry(ogr.CreateGeometryFromWkt(data["wkt"]))
        layer.CreateFeature(feature)
    ds = None  # flush
    return path


def gk_to_lonlat_srs() -> tuple[Any, Any]:
    gk, geo = osr.SpatialReference(), osr.SpatialReference()
    gk.ImportFromEPSG(4549)
    geo.ImportFromEPSG(4490)
    for s in (gk, geo):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return gk, geo


def lonlat_to_gk(lon: float, lat: float) -> tuple[float, float]:
    gk, geo = gk_to_lonlat_srs()
    x, y, _ = osr.CoordinateTransformation(geo, gk).TransformPoint(lon, lat)
    return x, y
