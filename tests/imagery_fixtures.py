"""GeoTIFFs written by the tests (GDAL): a scene around a point, in a Gauss-Krüger zone or lon/lat, and hostile ones."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()


def gk_origin(lon: float, lat: float, epsg: int) -> tuple[float, float]:
    """Easting, northing of ``lon, lat`` in ``epsg``."""
    source, target = osr.SpatialReference(), osr.SpatialReference()
    source.ImportFromEPSG(4490)
    target.ImportFromEPSG(epsg)
    for srs in (source, target):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    x, y, _z = osr.CoordinateTransformation(source, target).TransformPoint(lon, lat)
    return x, y


def write_scene(path: Path, centre: tuple[float, float], *, size_px: int = 1000, pixel_m: float = 1.0,
                epsg: int = 4549, colour: tuple[int, int, int] = (40, 120, 40), dtype: int = gdal.GDT_Byte,
                tiled: bool = False) -> Path:
    """A ``size_px`` square RGB GeoTIFF of one colour with a lighter checkerboard, centred on ``centre``."""
    x, y = gk_origin(*centre, epsg)
    half = size_px * pixel_m / 2
    options = ["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512"] if tiled else []
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), size_px, size_px, 3, dtype, options=options)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    dataset.SetProjection(srs.ExportToWkt())
    dataset.SetGeoTransform((x - half, pixel_m, 0, y + half, 0, -pixel_m))
    rows = np.arange(size_px)[:, None] // 64
    cols = np.arange(size_px)[None, :] // 64
    checker = ((rows + cols) % 2 * 30).astype(np.int32)
    for band, value in enumerate(colour, start=1):
        dataset.GetRasterBand(band).WriteArray((value + checker).clip(0, 255).astype(np.uint16 if dtype != gdal.GDT_Byte
                                                                                     else np.uint8))
        dataset.GetRasterBand(band).SetColorInterpretation(gdal.GCI_RedBand + band - 1)
    dataset = None
    return path


def write_plain_tiff(path: Path, size_px: int = 64) -> Path:
    """A TIFF with no CRS and no geotransform."""
    gdal.GetDriverByName("GTiff").Create(str(path), size_px, size_px, 3, gdal.GDT_Byte).FlushCache()
    return path
