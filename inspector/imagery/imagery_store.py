"""The workspace's imagery epochs: one MBTiles file per epoch under ``imagery/``, added, listed and removed.

:func:`add_epoch` takes a georeferenced GeoTIFF / COG in any CRS. GDAL's
MBTiles driver reprojects it to Web Mercator while it writes the full
resolution level (``gdal.Translate(format="MBTILES")``, the same work as
``gdal_translate -of MBTILES``), then the overviews are built down to one
tile (``BuildOverviews``, as ``gdaladdo``). The file is written under a
temporary name in the imagery folder and appears under its epoch's name only
when complete (a hard link, which never replaces an existing epoch), so a
failure or a crash leaves no half-written epoch.

The index is the MBTiles ``metadata`` table itself (keys ``lvdun_epoch``,
``lvdun_date``, ``lvdun_source``, ``lvdun_source_epsg``, ``lvdun_added_at``):
it is written into the file before it appears, so the file and its record
can never disagree, and removing an epoch is removing its file.

Input is checked before any tile is written: only GDAL's GTiff driver, a CRS
and a geotransform, at most :data:`MAX_SOURCE_PIXELS`, an extent inside
Jiangsu, a resolution the map can show. The epoch label is a file name and
a layer name, so it is limited to letters, digits, CJK and ``-_.``.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import uuid
from pathlib import Path
from typing import Any, Callable

from inspector.errors import BadInput, Message
from inspector.evidence.orthophoto import read_orthophoto_bounds
from inspector.forms.basemap import MBTilesReader
from inspector.geo.gdal_bindings import ErrorLog, load_gdal
from inspector.store.workspace import Workspace, utc_now

IMAGERY_FOLDER = "imagery"
MBTILES_SUFFIX = ".mbtiles"
TEMP_PREFIX = ".adding-"
EPOCH_LABEL = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z_.\-\u4e00-\u9fff]{0,39}$")
MAX_SOURCE_PIXELS = 1_000_000_000  # width × height of one scene, px (≈ 31,600 px square)
MAX_SOURCE_BANDS = 16  # bands of a multispectral scene; three (or one) are tiled
JIANGSU_REACH = (115.5, 30.0, 123.5, 35.8)  # west, south, east, north, degrees: an epoch must overlap it
MAX_EXTENT_DEG = 8.0  # widest epoch, degrees of longitude or latitude (Jiangsu spans about 5.6)
MIN_PIXEL_SIZE_M = 0.03  # finest ground resolution, metres (Web Mercator zoom 22 is 0.037 m at 32°N)
METRES_PER_DEGREE_LAT = 111_320.0  # metres, one degree of latitude
TILE_PX = 256  # pixels per tile side
TRANSLATE_SHARE = 0.75  # of the progress bar: the full-resolution level; the rest is overviews

Progress = Callable[[int, int, str], None]
PROGRESS_STEPS = 100  # progress callback resolution


def imagery_dir(ws: Workspace) -> Path:
    return ws.root / IMAGERY_FOLDER


def check_epoch_label(label: str) -> str:
    if not EPOCH_LABEL.match(label or ""):
        raise BadInput(f"时相名称不可用：{label!r}（1–40 个字母、数字、汉字或 -_.）",
                       f"unusable epoch label: {label!r} (1-40 letters, digits, CJK characters or -_.)")
    return label


def check_epoch_date(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise BadInput(f"成像日期不是 YYYY-MM-DD：{text!r}", f"imaging date is not YYYY-MM-DD: {text!r}") from None


def epoch_path(ws: Workspace, label: str) -> Path:
    return imagery_dir(ws) / f"{check_epoch_label(label)}{MBTILES_SUFFIX}"


def _refuse(path: Path, zh: str, en: str, detail: str | None = None) -> BadInput:
    message = Message(f"影像不可用：{path.name}：{zh}", f"imagery refused: {path.name}: {en}")
    return BadInput(message.detailed(detail) if detail else message)


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


def _check_source(path: Path) -> tuple[dict[str, Any], tuple[float, float, float, float], int | None]:
    """The translate options for a valid source, its lon/lat bounds and EPSG code; :class:`BadInput` otherwise."""
    gdal = load_gdal()[0]
    bounds = read_orthophoto_bounds(path)  # GTiff only, with a CRS and a geotransform
    with ErrorLog() as log:
        try:
            dataset = gdal.OpenEx(str(path), gdal.OF_RASTER | gdal.OF_READONLY, allowed_drivers=["GTiff"])
            width, height, count = dataset.RasterXSize, dataset.RasterYSize, dataset.RasterCount
            if not 1 <= count <= MAX_SOURCE_BANDS:
                raise _refuse(path, f"{count} 个波段", f"{count} bands")
            bands = _bands_to_tile(dataset, gdal)
            byte_data = all(dataset.GetRasterBand(b).DataType == gdal.GDT_Byte for b in bands)
        except RuntimeError as exc:
            raise _refuse(path, "无法读取", "cannot be read", log.reason(exc)) from exc
        finally:
            dataset = None
    if width * height > MAX_SOURCE_PIXELS:
        raise _refuse(path, f"{width} × {height} 像素，超过上限 {MAX_SOURCE_PIXELS:,}",
                      f"{width} × {height} px exceeds the limit of {MAX_SOURCE_PIXELS:,}")
    west, south, east, north = bounds[:4]
    reach = JIANGSU_REACH
    if east < reach[0] or west > reach[2] or north < reach[1] or south > reach[3]:
        raise _refuse(path, "范围不在江苏", "its extent is not in Jiangsu")
    if east - west > MAX_EXTENT_DEG or north - south > MAX_EXTENT_DEG:
        raise _refuse(path, "范围过大", "its extent is too large")
    pixel_m = (north - south) * METRES_PER_DEGREE_LAT / max(height, 1)
    if pixel_m < MIN_PIXEL_SIZE_M:
        raise _refuse(path, f"分辨率 {pixel_m:.4f} 米过细", f"a resolution of {pixel_m:.4f} m is too fine")
    options: dict[str, Any] = {"bandList": bands}
    if not byte_data:  # 16-bit scenes: stretched to 8 bits between each band's minimum and maximum
        options.update(outputType=gdal.GDT_Byte, scaleParams=[[]])
    return options, (west, south, east, north), bounds.crs_epsg


def _overview_factors(width: int, height: int) -> list[int]:
    factors, factor = [], 2
    while max(width, height) / (factor // 2) > TILE_PX:
        factors.append(factor)
        factor *= 2
    return factors


def _gdal_progress(progress: Progress | None, start: float, share: float, message: str) -> Any:
    def callback(complete: float, _message: Any, _data: Any) -> int:
        if progress is not None:
            progress(int(PROGRESS_STEPS * (start + share * complete)), PROGRESS_STEPS, message)
        return 1
    return callback


def _write_mbtiles(source: Path, target: Path, label: str, options: dict[str, Any], progress: Progress | None) -> None:
    gdal = load_gdal()[0]
    with ErrorLog() as log:
        try:
            gdal.Translate(  # the returned dataset is dropped at once, which closes the file
                str(target), str(source), format="MBTILES",
                creationOptions=[f"NAME={label}", f"DESCRIPTION={label}", "TYPE=baselayer"],
                callback=_gdal_progress(progress, 0.0, TRANSLATE_SHARE, "影像切片 / tiling"), **options)
            tiles = gdal.OpenEx(str(target), gdal.OF_RASTER | gdal.OF_UPDATE, allowed_drivers=["MBTiles"])
            factors = _overview_factors(tiles.RasterXSize, tiles.RasterYSize)
            if factors:
                tiles.BuildOverviews("AVERAGE", factors, callback=_gdal_progress(
                    progress, TRANSLATE_SHARE, 1 - TRANSLATE_SHARE, "金字塔 / overviews"))
            tiles = None
        except RuntimeError as exc:
            raise _refuse(source, "切片失败", "tiling failed", log.reason(exc)) from exc


def _record(target: Path, fields: dict[str, str]) -> None:
    connection = sqlite3.connect(target)
    try:
        with connection:
            connection.executemany("DELETE FROM metadata WHERE name = ?", [(k,) for k in fields])
            connection.executemany("INSERT INTO metadata (name, value) VALUES (?, ?)", list(fields.items()))
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def _discard(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal")):
        leftover.unlink(missing_ok=True)


def add_epoch(ws: Workspace, source: str | os.PathLike[str], label: str, *, date: str | None = None,
              progress: Progress | None = None) -> dict[str, Any]:
    """Store the GeoTIFF ``source`` as epoch ``label`` (imaged on ``date``); its :func:`list_epochs` entry."""
    source = Path(source)
    label, date = check_epoch_label(label), check_epoch_date(date)
    final = epoch_path(ws, label)
    if final.exists():
        raise BadInput(f"时相 {label} 已存在；先用 imagery remove {label} 删除",
                       f"epoch {label} exists already; remove it first with imagery remove {label}")
    options, _bounds, epsg = _check_source(source)
    imagery_dir(ws).mkdir(exist_ok=True)
    temp = imagery_dir(ws) / f"{TEMP_PREFIX}{uuid.uuid4().hex}{MBTILES_SUFFIX}"
    try:
        _write_mbtiles(source, temp, label, options, progress)
        _record(temp, {"lvdun_epoch": label, "lvdun_date": date or "", "lvdun_source": source.name[:200],
                       "lvdun_source_epsg": str(epsg or ""), "lvdun_added_at": utc_now()})
        try:
            os.link(temp, final)  # never replaces: an epoch added meanwhile under the same label wins
        except FileExistsError:
            raise BadInput(f"时相 {label} 已存在", f"epoch {label} exists already") from None
    finally:
        _discard(temp)
    return _entry(final)


def _entry(path: Path) -> dict[str, Any]:
    with MBTilesReader(path) as reader:
        meta = reader.metadata()
        zooms = reader.zoom_levels()
    bounds = [float(v) for v in meta.get("bounds", "").split(",")] if meta.get("bounds") else None
    return {"epoch": path.stem, "date": meta.get("lvdun_date") or None, "bounds": bounds, "zooms": zooms,
            "min_zoom": min(zooms) if zooms else None, "max_zoom": max(zooms) if zooms else None,
            "size": path.stat().st_size, "source": meta.get("lvdun_source") or None,
            "added_at": meta.get("lvdun_added_at") or None, "file": str(path)}


def epoch_files(ws: Workspace) -> list[Path]:
    """The epochs' MBTiles files: inside the imagery folder (no link leading out of it), named by a valid label."""
    folder = imagery_dir(ws)
    if not folder.is_dir():
        return []
    root = folder.resolve()
    return sorted(path for path in folder.glob(f"*{MBTILES_SUFFIX}")
                  if EPOCH_LABEL.match(path.stem) and path.is_file() and path.resolve().parent == root)


def list_epochs(ws: Workspace) -> list[dict[str, Any]]:
    """Every readable epoch, by imaging date (undated last), then label."""
    entries = []
    for path in epoch_files(ws):
        try:
            entries.append(_entry(path))
        except (sqlite3.Error, ValueError):  # not an MBTiles file after all: not an epoch
            continue
    return sorted(entries, key=lambda e: (e["date"] is None, e["date"] or "", e["epoch"]))


def remove_epoch(ws: Workspace, label: str) -> dict[str, Any]:
    path = epoch_path(ws, label)
    if not path.is_file():
        raise BadInput(f"没有时相 {label}", f"no epoch {label}")
    path.unlink()
    return {"removed": label}
