"""Orthophoto bounds from GeoTIFFs written with GDAL in the test."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

gdal = pytest.importorskip("osgeo.gdal")
osr = pytest.importorskip("osgeo.osr")

from inspector.errors import BadInput  # noqa: E402
from inspector.evidence.orthophoto import OrthophotoBounds, read_orthophoto_bounds  # noqa: E402

gdal.UseExceptions()
CGCS2000_A, CGCS2000_F = 6378137.0, 1 / 298.257222101


def write_geotiff(path: Path, epsg: int | None, origin: tuple[float, float], pixel: float,
                  size: tuple[int, int] = (200, 100)) -> Path:
    """A north-up RGB GeoTIFF whose top-left corner is ``origin`` in the CRS's x/y (easting, northing)."""
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), size[0], size[1], 3, gdal.GDT_Byte)
    dataset.SetGeoTransform((origin[0], pixel, 0.0, origin[1], 0.0, -pixel))
    if epsg is not None:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        dataset.SetProjection(srs.ExportToWkt())
    for band in range(1, 4):
        dataset.GetRasterBand(band).Fill(60 * band)
    dataset.FlushCache()
    dataset = None
    return path


def _meridian_arc(lat: float, steps: int = 4000) -> float:
    """Meridian arc from the equator on CGCS2000 (Simpson): the Gauss-Krüger northing on the CM."""
    e2 = CGCS2000_F * (2 - CGCS2000_F)
    phi = math.radians(lat)
    h = phi / steps
    radius = lambda p: CGCS2000_A * (1 - e2) / (1 - e2 * math.sin(p) ** 2) ** 1.5  # noqa: E731
    total = radius(0.0) + radius(phi) + sum((4 if i % 2 else 2) * radius(i * h) for i in range(1, steps))
    return total * h / 3


def test_gauss_kruger_cm120_geotiff(tmp_path):
    # West edge on the central meridian (easting 500 000 m = 120°E), 1000 m × 500 m at 5 m pixels.
    north, south = 3_720_000.0, 3_719_500.0
    path = write_geotiff(tmp_path / "ortho.tif", 4549, (500_000.0, north), 5.0)
    bounds = read_orthophoto_bounds(path)
    assert isinstance(bounds, OrthophotoBounds) and bounds.crs_epsg == 4549
    minlon, minlat, maxlon, maxlat, epsg = bounds  # unpacks like the plain tuple
    assert minlon == pytest.approx(120.0, abs=1e-9)  # not swapped with latitude
    assert _meridian_arc(maxlat) == pytest.approx(north, abs=0.005)  # NW corner, on the meridian
    # Lines of constant northing bend to lower latitudes away from the CM: the SE corner is the
    # southernmost point, x² tan φ / 2N ≈ 5 cm of meridian arc below the SW corner.
    e2 = CGCS2000_F * (2 - CGCS2000_F)
    n_radius = CGCS2000_A / math.sqrt(1 - e2 * math.sin(math.radians(minlat)) ** 2)
    bend = 1000.0**2 * math.tan(math.radians(minlat)) / (2 * n_radius)
    assert _meridian_arc(minlat) == pytest.approx(south - bend, abs=0.005)
    expected_dlon = math.degrees(1000.0 / (n_radius * math.cos(math.radians(minlat))))
    assert maxlon - minlon == pytest.approx(expected_dlon, rel=1e-4)
    assert 33.5 < minlat < maxlat < 33.7


def test_gauss_kruger_bounds_match_the_project_geodesy(tmp_path):
    geodesy = pytest.importorskip("inspector.geo.geodesy")
    from shapely.geometry import box

    path = write_geotiff(tmp_path / "ortho.tif", 4548, (480_000.0, 3_550_000.0), 2.0, size=(300, 400))
    minlon, minlat, maxlon, maxlat, epsg = read_orthophoto_bounds(path)
    assert epsg == 4548
    # The lon/lat box, projected back into the zone, holds the raster and is tight around it.
    projected = geodesy.project(box(minlon, minlat, maxlon, maxlat).segmentize(0.0005), 117)
    raster = box(480_000.0, 3_549_200.0, 480_600.0, 3_550_000.0)
    assert projected.buffer(0.01).contains(raster)
    assert projected.area / raster.area == pytest.approx(1.0, abs=0.01)


def test_geographic_geotiff(tmp_path):
    path = write_geotiff(tmp_path / "geo.tif", 4490, (119.5, 32.5), 0.0001)
    assert read_orthophoto_bounds(path) == pytest.approx((119.5, 32.49, 119.52, 32.5, 4490), abs=1e-9)


def test_files_without_georeference_or_not_geotiff(tmp_path):
    plain = write_geotiff(tmp_path / "plain.tif", None, (0.0, 0.0), 1.0)
    with pytest.raises(BadInput):
        read_orthophoto_bounds(plain)
    png = tmp_path / "ortho.png"
    gdal.GetDriverByName("PNG").CreateCopy(str(png), gdal.Open(str(plain)))
    with pytest.raises(BadInput):
        read_orthophoto_bounds(png)
    with pytest.raises(BadInput):
        read_orthophoto_bounds(tmp_path / "missing.tif")
