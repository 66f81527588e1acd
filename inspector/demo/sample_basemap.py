"""The demo's sample basemap (示例底图), drawn at demo-creation time around 连云区, never a committed binary.

A stylised land cover is drawn with numpy and Pillow straight on the Web Mercator grid of zoom
:data:`TOP_ZOOM` over :data:`AREA` (the county with the most demo cases, 云台山 and 海州湾): a patchwork of
fields with their boundaries, the demo zones that fall inside filled as water (lakes, reservoirs, bays, rivers)
or woodland and outlined, and ``SAMPLE`` stamped across it. It is written as a GeoTIFF in EPSG:3857, tiled by
the same ``basemap build`` pipeline an office uses (zooms :data:`ZOOMS`) and added with the sample flag under
the name :data:`SAMPLE_NAME`, so the map's layer switcher and the forms say 示例底图. About a second.
"""
from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from inspector.geo.gdal_bindings import load_gdal
from inspector.maps.basemap_store import add_basemap, build_basemap
from inspector.maps.raster_tiles import WORLD_SPAN_M, zoom_resolution
from inspector.store.workspace import Workspace

SAMPLE_NAME = "示例底图-连云港"  # the basemap's name: says 示例 wherever it is shown
AREA = (119.30, 34.62, 119.50, 34.82)  # west, south, east, north, degrees: 连云区 with 云台山 and 海州湾
TOP_ZOOM = 14  # the drawn resolution (about 8 m on the ground here)
ZOOMS = (10, TOP_ZOOM)
PARCEL_PX = (38, 52)  # field parcel height and width, pixels
FIELD_COLOURS = ((214, 226, 170), (198, 216, 150), (229, 222, 170), (187, 208, 160), (222, 230, 190))
WATER = (150, 190, 222)
WOODLAND = (126, 170, 110)
OUTLINE = (60, 90, 60)
WATER_WORDS = ("湖", "水库", "湾", "河", "海", "水源", "水域")
PATCHWORK_SEED = 16  # the same fields on every demo
STAMP_EVERY_PX = 420  # distance between two SAMPLE stamps, pixels


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    x = math.radians(lon) * WORLD_SPAN_M / (2 * math.pi)
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * WORLD_SPAN_M / (2 * math.pi)
    return x, y


def _grid() -> tuple[float, float, int, int]:
    """West and north edges (metres, on the zoom's pixel grid) and the size in pixels."""
    resolution = zoom_resolution(TOP_ZOOM)
    west, south = _mercator(AREA[0], AREA[1])
    east, north = _mercator(AREA[2], AREA[3])
    left, top = math.floor(west / resolution) * resolution, math.ceil(north / resolution) * resolution
    return left, top, math.ceil((east - left) / resolution), math.ceil((top - south) / resolution)


def _draw(zones_geojson: Path) -> np.ndarray:
    left, top, width, height = _grid()
    resolution = zoom_resolution(TOP_ZOOM)
    rows, cols = np.mgrid[0:height, 0:width]
    crops = np.random.default_rng(PATCHWORK_SEED).integers(
        0, len(FIELD_COLOURS), size=(height // PARCEL_PX[0] + 1, width // PARCEL_PX[1] + 1))
    pixels = np.array(FIELD_COLOURS, dtype=np.uint8)[crops[rows // PARCEL_PX[0], cols // PARCEL_PX[1]]]
    edges = (rows % PARCEL_PX[0] == 0) | (cols % PARCEL_PX[1] == 0)
    pixels[edges] = (pixels[edges] * 0.85).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB")
    draw = ImageDraw.Draw(image)

    def to_pixels(ring: list[list[float]]) -> list[tuple[float, float]]:
        return [((x - left) / resolution, (top - y) / resolution) for x, y in (_mercator(p[0], p[1]) for p in ring)]

    features = json.loads(zones_geojson.read_text(encoding="utf-8"))["features"]
    for feature in features:
        name = str(feature["properties"].get("名称", ""))
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        fill = WATER if any(word in name for word in WATER_WORDS) else WOODLAND
        for polygon in polygons:
            outer = to_pixels(polygon[0])
            if max(x for x, _ in outer) < 0 or min(x for x, _ in outer) > width \
                    or max(y for _, y in outer) < 0 or min(y for _, y in outer) > height:
                continue
            draw.polygon(outer, fill=fill, outline=OUTLINE, width=3)
    font = ImageFont.load_default(size=28)
    for y in range(STAMP_EVERY_PX // 2, height, STAMP_EVERY_PX):
        for x in range(STAMP_EVERY_PX // 4, width, STAMP_EVERY_PX):
            draw.text((x, y), "SAMPLE", fill=(120, 120, 120), font=font)
    return np.asarray(image)


def _write_geotiff(path: Path, pixels: np.ndarray) -> Path:
    gdal, _ogr, osr = load_gdal()
    left, top, width, height = _grid()
    resolution = zoom_resolution(TOP_ZOOM)
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), width, height, 3, gdal.GDT_Byte)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(3857)
    dataset.SetProjection(srs.ExportToWkt())
    dataset.SetGeoTransform((left, resolution, 0, top, 0, -resolution))
    for band in range(3):
        dataset.GetRasterBand(band + 1).WriteArray(pixels[:, :, band])
        dataset.GetRasterBand(band + 1).SetColorInterpretation(gdal.GCI_RedBand + band)
    dataset = None
    return path


def add_sample_basemap(ws: Workspace, zones_geojson: Path) -> dict:
    """Draw, tile and add the sample basemap; its :func:`~inspector.maps.basemap_store.list_basemaps` entry."""
    with tempfile.TemporaryDirectory(prefix="sample-basemap-", dir=ws.root) as folder:
        source = _write_geotiff(Path(folder) / "sample.tif", _draw(zones_geojson))
        built = build_basemap(source, Path(folder) / "sample.mbtiles", zooms=ZOOMS)
        return add_basemap(ws, built["file"], SAMPLE_NAME, sample=True)
