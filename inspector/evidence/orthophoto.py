"""Bounds of a georeferenced orthophoto (GeoTIFF) in CGCS2000 lon/lat, via GDAL.

Drone mapping software (DJI Terra, Pix4D, ODM) exports orthophotos as
GeoTIFFs, in Jiangsu usually in a CGCS2000 3-degree Gauss-Krüger zone
(EPSG:4548/4549/4550) or in geographic coordinates. This module only reads
the header: the raster's CRS and geotransform. The outline is sampled along
all four edges (a projected rectangle is not a lon/lat rectangle) and
transformed to EPSG:4490 with ``OAMS_TRADITIONAL_GIS_ORDER`` on both sides,
so x is always easting/longitude whatever the EPSG axis order says.

Orthophotos are never opened with Pillow (they exceed camera pixel limits by
design); only GDAL's GTiff driver is allowed.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, NamedTuple

from inspector.errors import BadInput
from inspector.evidence.imaging import PathLike
from inspector.geo.gdal_bindings import load_gdal

TARGET_EPSG = 4490  # CGCS2000 geographic
EDGE_SAMPLES = 32  # points per raster edge transformed to find the bounds
ALLOWED_DRIVERS = ["GTiff"]


class OrthophotoBounds(NamedTuple):
    """Bounding box in EPSG:4490 lon/lat degrees and the EPSG code of the file's own CRS."""

    minlon: float
    minlat: float
    maxlon: float
    maxlat: float
    crs_epsg: int | None  # None when GDAL cannot identify the CRS with an EPSG code


def _gdal() -> tuple[Any, Any]:
    gdal, _ogr, osr = load_gdal()
    return gdal, osr


def _epsg_of(srs: Any) -> int | None:
    candidate = srs.Clone()
    with contextlib.suppress(RuntimeError):  # "unidentifiable" is an answer, not an error
        candidate.AutoIdentifyEPSG()
    for target in ("PROJCS", "GEOGCS", None):
        if candidate.GetAuthorityName(target) == "EPSG":
            code = candidate.GetAuthorityCode(target)
            if code and code.isdigit():
                return int(code)
    return None


def _edge_pixels(width: int, height: int) -> list[tuple[float, float]]:
    """Pixel/line positions along the outline of a width × height raster."""
    points: list[tuple[float, float]] = []
    for i in range(EDGE_SAMPLES + 1):
        t = i / EDGE_SAMPLES
        points += [(t * width, 0.0), (t * width, float(height)), (0.0, t * height), (float(width), t * height)]
    return points


def read_orthophoto_bounds(path: PathLike) -> OrthophotoBounds:
    """(minlon, minlat, maxlon, maxlat, crs_epsg) of the GeoTIFF at ``path``.

    Raises :class:`~inspector.errors.BadInput` when the file is not a GeoTIFF,
    has no CRS or no geotransform, or its bounds are not valid coordinates.
    """
    gdal, osr = _gdal()
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"找不到正射影像文件：{path}", f"Orthophoto file not found: {path}")
    try:
        dataset = gdal.OpenEx(str(path), gdal.OF_RASTER | gdal.OF_READONLY, allowed_drivers=ALLOWED_DRIVERS)
    except RuntimeError as exc:
        raise BadInput(
            f"不是可读的 GeoTIFF 正射影像：{path.name}（{exc}）",
            f"Not a readable GeoTIFF orthophoto: {path.name} ({exc})",
        ) from exc
    try:
        source = dataset.GetSpatialRef()
        transform = dataset.GetGeoTransform(can_return_null=True)
        width, height = dataset.RasterXSize, dataset.RasterYSize
    finally:
        dataset = None  # closes the file
    if source is None or transform is None:
        raise BadInput(
            f"正射影像没有坐标系或地理参考：{path.name}",
            f"The orthophoto has no coordinate system or georeference: {path.name}",
        )
    source.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    target = osr.SpatialReference()
    target.ImportFromEPSG(TARGET_EPSG)
    target.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    x0, dx_col, dx_row, y0, dy_col, dy_row = transform
    projected = [
        (x0 + col * dx_col + row * dx_row, y0 + col * dy_col + row * dy_row)
        for col, row in _edge_pixels(width, height)
    ]
    try:
        transformer = osr.CoordinateTransformation(source, target)
        lonlat = transformer.TransformPoints(projected)
    except RuntimeError as exc:
        raise BadInput(
            f"正射影像坐标无法转换到 CGCS2000：{path.name}（{exc}）",
            f"The orthophoto's coordinates cannot be transformed to CGCS2000: {path.name} ({exc})",
        ) from exc
    lons = [point[0] for point in lonlat]
    lats = [point[1] for point in lonlat]
    bounds = (min(lons), min(lats), max(lons), max(lats))
    if not (-180 <= bounds[0] <= bounds[2] <= 180 and -90 <= bounds[1] <= bounds[3] <= 90):
        raise BadInput(
            f"正射影像范围不是有效的经纬度：{path.name}",
            f"The orthophoto's extent is not a valid lon/lat range: {path.name}",
        )
    return OrthophotoBounds(*bounds, crs_epsg=_epsg_of(source))
