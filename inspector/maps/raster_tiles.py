"""One raster → MBTiles pipeline, shared by the imagery epochs and the offline basemaps.

:func:`check_source` refuses a source before any tile is written: only GDAL's
GTiff driver (GeoTIFF and COG), a CRS and a geotransform, at most
:data:`MAX_SOURCE_PIXELS` (read from the header, nothing allocated), an
extent inside Jiangsu, a resolution the map can show.

:func:`write_mbtiles` reprojects to Web Mercator while GDAL's MBTiles driver
writes the full-resolution level (``gdal.Translate(format="MBTILES")``, the
work of ``gdal_translate -of MBTILES``), then builds the overviews
(``BuildOverviews``, as ``gdaladdo``). A zoom range clamps what is written:
a source sharper than its top level is warped (averaged) to that level's
resolution first, a coarser one is enlarged to its bottom level, and the
overviews stop at its first level.

The caller writes into :func:`temporary_target` and makes the file appear
with :func:`publish` (a hard link, which never replaces an existing file),
so a failure or a crash leaves nothing half-written under a real name.
"""
from __future__ import annotations

import io
import math
import os
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from PIL import Image as PILImage

from inspector.errors import BadInput, Message
from inspector.evidence.orthophoto import read_orthophoto_bounds
from inspector.geo.gdal_bindings import ErrorLog, load_gdal

MBTILES_SUFFIX = ".mbtiles"
TEMP_PREFIX = ".adding-"
MAX_SOURCE_PIXELS = 1_000_000_000  # width × height of one scene, px (≈ 31,600 px square)
MAX_OUTPUT_PIXELS = 4_000_000_000  # full-resolution level after a --zooms enlargement, px (≈ 61,000 tiles)
MAX_SOURCE_BANDS = 16  # bands of a multispectral scene; three (or one) are tiled
JIANGSU_REACH = (115.5, 30.0, 123.5, 35.8)  # west, south, east, north, degrees: a raster must overlap it
MAX_EXTENT_DEG = 8.0  # widest raster, degrees of longitude or latitude (Jiangsu spans about 5.6)
MIN_PIXEL_SIZE_M = 0.03  # finest ground resolution, metres (Web Mercator zoom 22 is 0.037 m at 32°N)
METRES_PER_DEGREE_LAT = 111_320.0  # metres, one degree of latitude
TILE_PX = 256  # pixels per tile side
MAX_ZOOM = 22  # deepest zoom level written or served
WORLD_SPAN_M = 40_075_016.685578  # Web Mercator world width, metres
TRANSLATE_SHARE = 0.75  # of the progress bar: the full-resolution level; the rest is overviews
PROGRESS_STEPS = 100  # progress callback resolution

Progress = Callable[[int, int, str], None]
Kind = tuple[str, str]  # what is being tiled, Chinese and English: ("影像", "imagery"), ("底图", "basemap")


def refuse(kind: Kind, path: Path, zh: str, en: str, detail: str | None = None) -> BadInput:
    """The :class:`BadInput` for a source that cannot be tiled, naming the file and why."""
    message = Message(f"{kind[0]}不可用：{path.name}：{zh}", f"{kind[1]} refused: {path.name}: {en}")
    return BadInput(message.detailed(detail) if detail else message)


@dataclass(frozen=True)
class SourceCheck:
    """A source that passed :func:`check_source`: what to translate and where it lies."""

    options: dict[str, Any]  # gdal.Translate keyword options (bands, 8-bit stretch)
    bounds: tuple[float, float, float, float]  # west, south, east, north, degrees
    epsg: int | None


def _bands_to_tile(dataset: Any, gdal: Any) -> list[int]:
    """Red, green, blue (and alpha) by their colour interpretation; else the first three bands, or the one."""
    count = dataset.RasterCount
    interpretation = {dataset.GetRasterBand(i).GetColorInterpretation(): i for i in range(count, 0, -1)}
    rgb = [interpretation.get(c) for c in (gdal.GCI_RedBand, gdal.GCI_GreenBand, gdal.GCI_BlueBand)]
    alpha = interpretation.get(gdal.GCI_AlphaBand)
    if all(rgb):
        return [band for band in rgb if band] + ([alpha] if alpha else [])
    if count in (1, 2) or dataset.GetRasterBand(1).GetColorTable() is not None:
        return list(range(1, count + 1))
    return [1, 2, 3]


def check_source(path: Path, kind: Kind) -> SourceCheck:
    """The translate options, lon/lat bounds and EPSG code of a valid source; :class:`BadInput` otherwise."""
    gdal = load_gdal()[0]
    if not path.is_file():
        raise refuse(kind, path, "找不到文件", "file not found")
    try:
        bounds = read_orthophoto_bounds(path)  # GTiff only, with a CRS and a geotransform
    except BadInput as exc:
        raise BadInput(exc.message.prefixed(f"{kind[0]}不可用：", f"{kind[1]} refused: ")) from exc
    with ErrorLog() as log:
        try:
            dataset = gdal.OpenEx(str(path), gdal.OF_RASTER | gdal.OF_READONLY, allowed_drivers=["GTiff"])
            width, height, count = dataset.RasterXSize, dataset.RasterYSize, dataset.RasterCount
            if not 1 <= count <= MAX_SOURCE_BANDS:
                raise refuse(kind, path, f"{count} 个波段", f"{count} bands")
            bands = _bands_to_tile(dataset, gdal)
            byte_data = all(dataset.GetRasterBand(b).DataType == gdal.GDT_Byte for b in bands)
        except RuntimeError as exc:
            raise refuse(kind, path, "无法读取", "cannot be read", log.reason(exc)) from exc
        finally:
            dataset = None
    if width * height > MAX_SOURCE_PIXELS:
        raise refuse(kind, path, f"{width} × {height} 像素，超过上限 {MAX_SOURCE_PIXELS:,}",
                     f"{width} × {height} px exceeds the limit of {MAX_SOURCE_PIXELS:,}")
    west, south, east, north = bounds[:4]
    reach = JIANGSU_REACH
    if east < reach[0] or west > reach[2] or north < reach[1] or south > reach[3]:
        raise refuse(kind, path, "范围不在江苏", "its extent is not in Jiangsu")
    if east - west > MAX_EXTENT_DEG or north - south > MAX_EXTENT_DEG:
        raise refuse(kind, path, "范围过大", "its extent is too large")
    pixel_m = (north - south) * METRES_PER_DEGREE_LAT / max(height, 1)
    if pixel_m < MIN_PIXEL_SIZE_M:
        raise refuse(kind, path, f"分辨率 {pixel_m:.4f} 米过细", f"a resolution of {pixel_m:.4f} m is too fine")
    options: dict[str, Any] = {"bandList": bands}
    if not byte_data:  # 16-bit scenes: stretched to 8 bits between each band's minimum and maximum
        options.update(outputType=gdal.GDT_Byte, scaleParams=[[]])
    return SourceCheck(options, (west, south, east, north), bounds.crs_epsg)


def overview_factors(width: int, height: int, levels: int | None = None) -> list[int]:
    """Power-of-two factors: ``levels`` of them, else down to the level where the raster fits one tile."""
    if levels is not None:
        return [2 ** level for level in range(1, levels + 1)]
    factors, factor = [], 2
    while max(width, height) / (factor // 2) > TILE_PX:
        factors.append(factor)
        factor *= 2
    return factors


def zoom_resolution(zoom: int) -> float:
    """Metres per pixel of a Web Mercator zoom level."""
    return WORLD_SPAN_M / (TILE_PX * (1 << zoom))


def _gdal_progress(progress: Progress | None, start: float, share: float, message: str) -> Any:
    def callback(complete: float, _message: Any, _data: Any) -> int:
        if progress is not None:
            progress(int(PROGRESS_STEPS * (start + share * complete)), PROGRESS_STEPS, message)
        return 1
    return callback


def _warped_to_zoom(source: Path, zooms: tuple[int, int], kind: Kind, gdal: Any) -> tuple[Any, int]:
    """The source as a Web Mercator VRT at the resolution of the zoom level ``zooms`` admits, and that level."""
    mercator = gdal.Warp("", str(source), format="VRT", dstSRS="EPSG:3857")
    native = round(math.log2(WORLD_SPAN_M / (TILE_PX * mercator.GetGeoTransform()[1])))
    span_x = mercator.RasterXSize * mercator.GetGeoTransform()[1]
    span_y = mercator.RasterYSize * abs(mercator.GetGeoTransform()[5])
    target = min(max(native, zooms[0]), zooms[1])
    if target == native:
        return mercator, native
    resolution = zoom_resolution(target)
    if (span_x / resolution) * (span_y / resolution) > MAX_OUTPUT_PIXELS:
        raise refuse(kind, source, f"级别 {target} 的切片超过 {MAX_OUTPUT_PIXELS:,} 像素",
                     f"zoom {target} would exceed {MAX_OUTPUT_PIXELS:,} px")
    warped = gdal.Warp("", mercator, format="VRT", xRes=resolution, yRes=resolution, targetAlignedPixels=True,
                       resampleAlg="average" if target < native else "bilinear")
    return warped, target


def write_mbtiles(source: Path, target: Path, checked: SourceCheck, *, name: str, description: str, kind: Kind,
                  zooms: tuple[int, int] | None = None, progress: Progress | None = None) -> None:
    """Tile ``source`` into the new file ``target`` with overviews (down to one tile, or to ``zooms[0]``)."""
    gdal = load_gdal()[0]
    with ErrorLog() as log:
        try:
            levels: int | None = None
            tiled_from: Any = str(source)
            if zooms is not None:
                tiled_from, top = _warped_to_zoom(source, zooms, kind, gdal)
                levels = top - zooms[0]
            gdal.Translate(  # the returned dataset is dropped at once, which closes the file
                str(target), tiled_from, format="MBTILES",
                creationOptions=[f"NAME={name}", f"DESCRIPTION={description}", "TYPE=baselayer"],
                callback=_gdal_progress(progress, 0.0, TRANSLATE_SHARE, f"{kind[0]}切片 / tiling"),
                **checked.options)
            tiled_from = None
            tiles = gdal.OpenEx(str(target), gdal.OF_RASTER | gdal.OF_UPDATE, allowed_drivers=["MBTiles"])
            factors = overview_factors(tiles.RasterXSize, tiles.RasterYSize, levels)
            if factors:
                tiles.BuildOverviews("AVERAGE", factors, callback=_gdal_progress(
                    progress, TRANSLATE_SHARE, 1 - TRANSLATE_SHARE, "金字塔 / overviews"))
            tiles = None
        except RuntimeError as exc:
            raise refuse(kind, source, "切片失败", "tiling failed", log.reason(exc)) from exc
    if zooms is not None:
        _add_coarser_levels(target, zooms[0])


def _add_coarser_levels(target: Path, min_zoom: int) -> None:
    """Levels below the coarsest one GDAL wrote (it stops once the raster fits one tile), down to ``min_zoom``:
    each tile the average of its four children. A raster that fits one tile covers at most four per level."""
    connection = sqlite3.connect(target)
    try:
        with connection:
            coarsest = connection.execute("SELECT min(zoom_level) FROM tiles").fetchone()[0]
            for zoom in range(coarsest - 1, min_zoom - 1, -1) if coarsest is not None else ():
                children = connection.execute("SELECT tile_column, tile_row, tile_data FROM tiles WHERE zoom_level = ?",
                                              (zoom + 1,)).fetchall()
                parents: dict[tuple[int, int], PILImage.Image] = {}
                for column, row, data in children:
                    mosaic = parents.setdefault((column // 2, row // 2),
                                                PILImage.new("RGBA", (2 * TILE_PX, 2 * TILE_PX), (0, 0, 0, 0)))
                    with PILImage.open(io.BytesIO(data), formats=["PNG", "JPEG", "WEBP"]) as child:
                        # TMS rows count from the south: the odd child is the northern (upper) half
                        mosaic.paste(child.convert("RGBA"), ((column % 2) * TILE_PX, (1 - row % 2) * TILE_PX))
                for (column, row), mosaic in parents.items():
                    buffer = io.BytesIO()
                    mosaic.resize((TILE_PX, TILE_PX), PILImage.Resampling.BOX).save(buffer, format="PNG")
                    connection.execute("INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) "
                                       "VALUES (?, ?, ?, ?)", (zoom, column, row, buffer.getvalue()))
            connection.execute("UPDATE metadata SET value = ? WHERE name = 'minzoom'", (str(min_zoom),))
    finally:
        connection.close()


def record_metadata(target: Path, fields: dict[str, str]) -> None:
    """Set ``fields`` in the file's ``metadata`` table (replacing those keys) and leave no journal behind."""
    connection = sqlite3.connect(target)
    try:
        with connection:
            connection.executemany("DELETE FROM metadata WHERE name = ?", [(k,) for k in fields])
            connection.executemany("INSERT INTO metadata (name, value) VALUES (?, ?)", list(fields.items()))
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def temporary_target(folder: Path) -> Path:
    """A fresh file name in ``folder`` that no listing takes for a finished file."""
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{TEMP_PREFIX}{uuid.uuid4().hex}{MBTILES_SUFFIX}"


def publish(temp: Path, final: Path, exists: BadInput) -> None:
    """Make ``temp`` appear as ``final`` (never replacing it: ``exists`` is raised then) and drop ``temp``."""
    try:
        os.link(temp, final)
    except FileExistsError:
        raise exists from None
    finally:
        discard(temp)


def discard(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal")):
        leftover.unlink(missing_ok=True)
